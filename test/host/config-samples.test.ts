// Every keepalived sample config: loads without a crash, and `vipd -t` exits like `keepalived -t` in the same
// network namespace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../host/config/index.ts';
import { keepalivedTest, makeNetns, pool, requireKeepalived, runInNetns } from '../fixtures/config/keepalived-runner.ts';

const SAMPLES = resolve(import.meta.dirname, '../../../shared/corpus/keepalived-samples');
const VIPD = resolve(import.meta.dirname, '../../bin/vipd.js');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  }).sort();
}

const files = walk(SAMPLES);

test('the sample corpus is there', () => {
  assert.ok(files.length >= 25, `expected the keepalived samples under ${SAMPLES}`);
});

test('every sample loads without a crash and every diagnostic has file:line', () => {
  for (const f of files) {
    const r = loadConfig(f);
    for (const d of r.diagnostics) {
      assert.ok(d.file.length > 0, `${f}: diagnostic without file`);
      if (d.status !== null && d.keyword !== '') assert.ok(d.line > 0, `${f}: ${d.message} has no line`);
    }
  }
});

test('vipd -t exits like keepalived -t on every sample (same netns)', async (t) => {
  if (!requireKeepalived(t)) return;
  const ns = makeNetns();
  try {
    const results = await pool(files, 4, async (f, i) => {
      const k = await keepalivedTest(ns, f, `s${i}`);
      const v = await runInNetns(ns, [process.execPath, VIPD, '-t', '-f', f]);
      return { f, k, v };
    });
    const bad = results.filter((r) => r.k.code !== r.v.code)
      .map((r) => `${r.f}: keepalived ${r.k.code}, vipd ${r.v.code}\n  keepalived: ${r.k.stderr.split('\n')[0]}\n  vipd: ${r.v.stderr.split('\n')[0]}`);
    assert.deepEqual(bad, []);
    // The comparison must be able to fail: the samples include accepted and rejected files.
    assert.ok(results.some((r) => r.k.code === 0) && results.some((r) => r.k.code !== 0));
  } finally {
    ns.cleanup();
  }
});
