// Differential test: generated configs (valid, and with one mistake each) through vipd's loader and through
// `keepalived -t` in a namespace with the same interfaces; exit codes must agree unless the case is in the
// allow-list, which mirrors docs/compat.md ("Differential allow-list").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, realSystem, type SystemView } from '../../host/config/index.ts';
import { IFACES, keepalivedTest, makeNetns, pool, requireKeepalived } from '../fixtures/config/keepalived-runner.ts';
import { CONFIG_ID, MUTATIONS, generateCase } from '../fixtures/config/generator.ts';

/**
 * Known, documented disagreements, keyed by `kind` or `kind:variant` (docs/compat.md, "Differential allow-list").
 * Keep in sync with the doc.
 */
const ALLOWED: Record<string, string> = {
  'track_file:unknown_ref': 'keepalived 2.2.7 crashes (SIGSEGV) when an instance tracks an undefined track_file; vipd reports the reference (exit 5)',
};

const PER_KIND = 14;
const COUNT = PER_KIND * MUTATIONS.length;
const SEED = Number(process.env.VIPD_CONFIG_SEED ?? Date.now() % 100000);

test(`vipd and keepalived -t agree on ${COUNT} generated configs, ${MUTATIONS.length} kinds (seed ${SEED})`, { timeout: 240_000 }, async (t) => {
  if (!requireKeepalived(t)) return;
  const ns = makeNetns();
  const sys: SystemView = { ...realSystem, interfaces: () => new Set(['lo', ...IFACES]) };
  try {
    const cases = Array.from({ length: COUNT }, (_, i) => {
      const mutation = MUTATIONS[i % MUTATIONS.length];
      const seed = SEED * 1000 + i;
      const dir = join(ns.dir, `g${i}`);
      mkdirSync(dir);
      const g = generateCase(seed, mutation);
      for (const [name, text] of Object.entries(g.files)) writeFileSync(join(dir, name), text);
      const file = join(dir, 'keepalived.conf');
      writeFileSync(file, g.text);
      return { i, mutation, variant: g.variant, seed, file };
    });
    const results = await pool(cases, 4, async (c) => {
      const k = await keepalivedTest(ns, c.file, `g${c.i}`, ['-i', CONFIG_ID]);
      const v = loadConfig(c.file, { system: sys, configId: CONFIG_ID });
      return { ...c, k: k.code, kerr: k.stderr, v: v.exitCode, verr: v.diagnostics.filter((d) => d.status).map((d) => d.message).join(' | ') };
    });
    const key = (x: { mutation: string; variant: string }) => (x.variant ? `${x.mutation}:${x.variant}` : x.mutation);
    const disagree = results.filter((x) => x.k !== x.v && !ALLOWED[key(x)] && !ALLOWED[x.mutation]);
    const report = disagree.slice(0, 12).map((x) => `${key(x)} seed=${x.seed}: keepalived ${x.k} vipd ${x.v}\n  k: ${x.kerr.trim().split('\n').slice(0, 3).join(' / ')}\n  v: ${x.verr}`);
    assert.equal(disagree.length, 0, `${disagree.length} disagreements:\n${report.join('\n')}`);
    // Both verdicts occur, so the comparison can fail.
    assert.ok(results.some((x) => x.k === 0) && results.some((x) => x.k === 5) && results.some((x) => x.k === 2) && results.some((x) => x.k === 6));
  } finally {
    ns.cleanup();
  }
});
