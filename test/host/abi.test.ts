// The host's mirror of the ABI must equal the core's, and the built module must export what the binding uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as hostAbi from '../../host/core/abi.ts';
import { TEST_EXPORTS } from '../../host/core/raw.ts';
import { CORE_EXPORTS, Core, coreModule } from '../../host/core/wasm-core.ts';

function coreConstants(): Map<string, number> {
  const src = readFileSync(new URL('../../assembly/abi.ts', import.meta.url), 'utf8');
  const found = new Map<string, number>();
  for (const m of src.matchAll(/export const (\w+): \w+ = (.+?);/g)) {
    // Only literal expressions (numbers and shifts) appear in abi.ts.
    const expr = m[2].replace(/<\w+>/g, '');
    assert.match(expr, /^[\d\s<>()|x-]+$/, `${m[1]} is not a plain constant expression`);
    found.set(m[1], Function(`return (${expr});`)() as number);
  }
  return found;
}

test('every core ABI constant has an equal twin in host/core/abi.ts, and no extra ones', () => {
  const core = coreConstants();
  assert.ok(core.size > 100, `only ${core.size} constants parsed`);
  const host = new Map(Object.entries(hostAbi).filter(([, v]) => typeof v === 'number') as [string, number][]);
  for (const [name, value] of core) assert.equal(host.get(name), value, name);
  for (const name of host.keys()) assert.ok(core.has(name), `host has ${name}, the core does not`);
});

for (const build of ['release', 'debug'] as const) {
  test(`${build} build exports the binding's surface and imports only env.abort`, () => {
    const m = coreModule(build);
    const exported = new Set(WebAssembly.Module.exports(m).map((e) => e.name));
    for (const name of [...CORE_EXPORTS, ...TEST_EXPORTS]) assert.ok(exported.has(name), `missing export ${name}`);
    const runtime = new Set(['__new', '__pin', '__unpin', '__collect', '__rtti_base']);
    for (const name of exported) {
      assert.ok(CORE_EXPORTS.includes(name) || TEST_EXPORTS.includes(name) || runtime.has(name), `unexpected export ${name}`);
    }
    assert.deepEqual(WebAssembly.Module.imports(m).map((i) => `${i.module}.${i.name}`), ['env.abort']);
    assert.equal(new Core(build).inspect.length, 1);
  });
}

test('no export takes optional parameters (the raw bindings never set the arguments length: it would trap)', () => {
  const wat = readFileSync(new URL('../../build/release.wat', import.meta.url), 'utf8');
  assert.equal((wat.match(/@varargs/g) ?? []).length, 0);
  const c = new Core();
  c.configure(0, { socket: 0, version: 2, family: 4, vrid: 1, priority: 100, advertIntUs: 1e6, src: '10.203.0.1', vips: ['10.203.0.100'] });
  c.start(0, 0);
  c.drain();
  c.handleTimeout(4e6, 1000);
  assert.equal(c.drain().outputs[0].kind, 'state');
});

test('the regions do not overlap and fit in memory', () => {
  const c = new Core();
  const x = (c as unknown as { x: Record<string, () => number> }).x;
  const regions = [
    ['rx', x.rxPtr(), hostAbi.ADDR_OFF + hostAbi.RX_CAP], ['tx', x.txPtr(), hostAbi.ADDR_OFF + hostAbi.TX_CAP],
    ['cfg', x.cfgPtr(), hostAbi.CFG_CAP], ['out', x.outPtr(), hostAbi.OUT_CAP], ['info', x.infoPtr(), hostAbi.INFO_CAP],
  ] as const;
  const sorted = [...regions].sort((a, b) => a[1] - b[1]);
  for (let k = 1; k < sorted.length; k++) {
    assert.ok(sorted[k - 1][1] + sorted[k - 1][2] <= sorted[k][1], `${sorted[k - 1][0]} overlaps ${sorted[k][0]}`);
  }
  for (const [name, ptr] of regions) assert.equal(ptr % 8, 0, `${name} is not 8-byte aligned`);
});

test('the core refuses a broken configuration with a reason, and keeps running', () => {
  const c = new Core();
  const base = { socket: 0, version: 3 as const, family: 4 as const, vrid: 7, priority: 100, advertIntUs: 1e6, src: '10.203.0.1', vips: ['10.203.0.100'] };
  c.configure(0, base);
  assert.throws(() => c.configure(1, base), /VRID already used on this socket/);
  assert.throws(() => c.configure(2, { ...base, vrid: 8, version: 2, family: 6, src: 'fe80::1', vips: ['fe80::2'] }), /version must be 2 or 3/);
  assert.throws(() => c.configure(3, { ...base, vrid: 9, vips: ['fe80::2'] }), /not an IPv4 address/);
  assert.throws(() => c.configure(0, { ...base, vrid: 10 }), /cannot change/);
  c.configure(4, { ...base, socket: 1 }); // the same VRID on another socket is fine
  c.start(0, 0);
  assert.equal(c.drain().outputs[0].kind, 'state');
});
