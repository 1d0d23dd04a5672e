// Differential test: generated configs (valid, and with one mistake each) through vipd's loader and through
// `keepalived -t` in a namespace with the same interfaces; exit codes must agree unless the mutation kind is
// in the allow-list, which mirrors docs/compat.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, realSystem, type SystemView } from '../../host/config/index.ts';
import { IFACES, keepalivedTest, makeNetns, pool, requireKeepalived } from '../fixtures/config/keepalived-runner.ts';
import { MUTATIONS, type Mutation, generate } from '../fixtures/config/generator.ts';

/** Known, documented disagreements (docs/compat.md, "Differential allow-list"). Keep in sync. */
const ALLOWED: Partial<Record<Mutation, string>> = {};

const COUNT = 560;
const SEED = Number(process.env.VIPD_CONFIG_SEED ?? Date.now() % 100000);

test(`vipd and keepalived -t agree on ${COUNT} generated configs (seed ${SEED})`, { timeout: 240_000 }, async (t) => {
  if (!requireKeepalived(t)) return;
  const ns = makeNetns();
  const sys: SystemView = { ...realSystem, interfaces: () => new Set(['lo', ...IFACES]) };
  try {
    const cases = Array.from({ length: COUNT }, (_, i) => {
      const mutation = MUTATIONS[i % MUTATIONS.length];
      const seed = SEED * 1000 + i;
      const file = join(ns.dir, `g${i}.conf`);
      writeFileSync(file, generate(seed, mutation));
      return { i, mutation, seed, file };
    });
    const results = await pool(cases, 4, async (c) => {
      const k = await keepalivedTest(ns, c.file, `g${c.i}`);
      const v = loadConfig(c.file, { system: sys, configId: 'vipdtest' });
      return { ...c, k: k.code, kerr: k.stderr, v: v.exitCode, verr: v.diagnostics.filter((d) => d.status).map((d) => d.message).join(' | ') };
    });
    const disagree = results.filter((x) => x.k !== x.v && !ALLOWED[x.mutation]);
    const report = disagree.slice(0, 10).map((x) => `${x.mutation} seed=${x.seed}: keepalived ${x.k} vipd ${x.v}\n  k: ${x.kerr.trim().split('\n').slice(0, 3).join(' / ')}\n  v: ${x.verr}`);
    assert.equal(disagree.length, 0, `${disagree.length} disagreements:\n${report.join('\n')}`);
    // Both verdicts occur, so the comparison can fail.
    assert.ok(results.some((x) => x.k === 0) && results.some((x) => x.k === 5) && results.some((x) => x.k === 2));
  } finally {
    ns.cleanup();
  }
});
