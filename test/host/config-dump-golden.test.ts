// Golden dumps of the keepalived sample configs vipd loads (-t exit 0): the effective model as `path = value` lines,
// so a parser regression shows as a one-line diff. To keep the fixtures small, a value that equals the default
// (global_defs of an empty file, the fields of a minimal instance; null, false and [] in a VIP, tracker, ...) is left
// out; defaults have tests of their own.
// UPDATE_GOLDEN=1 rewrites the files after an intended change; review the diff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { dumpConfig, fixedSystem, loadConfig, memoryFs, renderDiagnostics } from '../../host/config/index.ts';

const SAMPLES = resolve(import.meta.dirname, '../../../shared/corpus/keepalived-samples');
const GOLDEN = resolve(import.meta.dirname, '../fixtures/config/golden');
const NAMES = ['keepalived.conf.sample', 'keepalived.conf.vrrp', 'keepalived.conf.vrrp.scripts', 'keepalived.conf.vrrp.sync'];
/** Where the text is loaded from, so no machine path gets into a golden file. */
const AS = '/etc/keepalived/keepalived.conf';

function load(text: string) {
  return loadConfig(AS, {
    fs: memoryFs({ [AS]: text }), system: fixedSystem(['lo', 'eth0', 'eth1', 'eth2', 'eth3', 'eth0.1']),
    configId: 'golden', hostname: 'golden-host', env: {}, random: () => 0,
  });
}

/** `path = JSON` for every leaf of v (arrays by index; an empty array or object is a leaf). */
function leaves(v: unknown, path: string, out: Map<string, string>): Map<string, string> {
  if (v !== null && typeof v === 'object' && Object.keys(v).length > 0) {
    for (const [k, x] of Object.entries(v)) leaves(x, Array.isArray(v) ? `${path}[${k}]` : `${path}.${k}`, out);
  } else out.set(path, JSON.stringify(v));
  return out;
}

const base = JSON.parse(dumpConfig(load('vrrp_instance X {\n interface eth0\n virtual_router_id 1\n}\n').config));
const baseGlobal = leaves(base.global, 'global', new Map());
const baseInstance = leaves(base.instances[0], '', new Map());

function golden(text: string): string {
  const r = load(text);
  const j = JSON.parse(dumpConfig(r.config));
  const lines = [`# exit ${r.exitCode}`, ...renderDiagnostics(r.diagnostics, true).split('\n').filter(Boolean).map((l) => `# ${l}`)];
  for (const [p, v] of leaves(j.global, 'global', new Map())) if (baseGlobal.get(p) !== v) lines.push(`${p} = ${v}`);
  j.instances.forEach((inst: unknown, i: number) => {
    for (const [p, v] of leaves(inst, '', new Map())) {
      const def = baseInstance.get(p);
      // In an element the minimal instance does not have (a VIP, a tracker), null, false and [] are its defaults.
      const omitted = def === undefined ? v === 'null' || v === 'false' || v === '[]' : def === v;
      if (!omitted || p === '.name' || p === '.interface' || p === '.vrid') lines.push(`instances[${i}]${p} = ${v}`);
    }
  });
  for (const [k, v] of Object.entries(j)) {
    if (k === 'global' || k === 'instances' || k === 'file') continue;
    for (const [p, x] of leaves(v, k, new Map())) if (x !== '[]') lines.push(`${p} = ${x}`);
  }
  return lines.join('\n') + '\n';
}

for (const name of NAMES) {
  test(`golden dump: ${name}`, () => {
    const got = golden(readFileSync(resolve(SAMPLES, name), 'utf8'));
    const file = resolve(GOLDEN, `${name}.golden`);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, got);
    const want = readFileSync(file, 'utf8');
    assert.equal(got, want, `${name}: the effective model changed (UPDATE_GOLDEN=1 rewrites ${file} if that was intended)`);
    // A golden that says nothing cannot catch a regression: each sample loads cleanly and sets instance values.
    assert.match(want, /^# exit 0\n/);
    assert.ok(want.split('\n').filter((l) => l.startsWith('instances[')).length >= 10, `${name}: too few instance lines`);
  });
}

test('the golden filter drops defaults only: an explicit value that differs from the default is shown', () => {
  const g = golden('vrrp_instance V {\n interface eth1\n virtual_router_id 9\n priority 150\n virtual_ipaddress {\n  10.0.0.9/24\n }\n}\n');
  assert.match(g, /^instances\[0\]\.priority = 150$/m);
  assert.match(g, /^instances\[0\]\.vrid = 9$/m);
  assert.doesNotMatch(g, /advertInt/, 'the default advert_int is left out');
});
