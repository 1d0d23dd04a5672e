// Bounded work for any configuration: a ~SEQ that would generate billions of lines stops at the line cap with a
// fatal error (exit 4), and millions of diagnostics are not all listed, while the verdict stays what it would be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../host/config/index.ts';
import { MAX_LISTED } from '../../host/config/diagnostics.ts';
import { memoryFs } from '../../host/config/source.ts';

const sys = { interfaces: () => new Set(['lo', 'eth0']), userExists: () => true, resolveExecutable: () => null };

test('a ~SEQ over 4 billion lines stops at the line cap, quickly and with a bounded diagnostic list', () => {
  const path = '/c/k.conf';
  const t0 = performance.now();
  const r = loadConfig(path, { fs: memoryFs({ [path]: '~SEQ(i,-4294967296,1,3)     tp_g\n' }), system: sys, configId: 'x', hostname: 'h' });
  const ms = performance.now() - t0;
  assert.ok(ms < 15_000, `took ${ms.toFixed(0)} ms`);
  assert.ok(r.diagnostics.length <= MAX_LISTED + 3, `${r.diagnostics.length} diagnostics listed`);
  assert.ok(r.diagnostics.some((d) => /configuration expands to more than 250000 lines; stopping/.test(d.message)), 'the cap is reported');
  assert.ok(r.diagnostics.some((d) => /more than 5000 diagnostics: the rest are not listed/.test(d.message)));
  assert.equal(r.exitCode, 5, 'the unknown keywords (5) outrank the fatal cap (4), as every status seen still counts');
});

test('under the cap nothing is suppressed', () => {
  const path = '/c/k.conf';
  const r = loadConfig(path, { fs: memoryFs({ [path]: '~SEQ(i,1,1,10) tp_g\n' }), system: sys, configId: 'x', hostname: 'h' });
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error').length, 10);
  assert.equal(r.exitCode, 5);
});
