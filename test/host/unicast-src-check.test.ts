// keepalived checks that a unicast advert comes from a configured peer only when check_unicast_src is set
// (per instance or vrrp_check_unicast_src in global_defs) or a peer has min_ttl / max_ttl. The core's own spec
// (test/core/validate.spec.ts) covers the rule; this test covers the chain that feeds it: keepalived.conf →
// config model → plan → the flags the core is configured with. The config model fills in 0..255 for every peer,
// and an earlier binding took "a TTL bound is present" for "a TTL bound is set", which checked every unicast
// instance's sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedSystem, loadConfig } from '../../host/config/index.ts';
import { buildPlan } from '../../host/daemon/plan.ts';
import { Core, ipv4Wrap } from '../../host/core/wasm-core.ts';
import * as abi from '../../host/core/abi.ts';

const SELF = '10.203.0.1';
const PEER = '10.203.0.2';
const STRANGER = '10.203.0.9';

function coreFor(instanceLines: string, global = ''): { core: Core; cfg: ReturnType<typeof buildPlan>['instances'][0]['core'] } {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-unicast-src-'));
  try {
    const file = join(dir, 'keepalived.conf');
    writeFileSync(file, `${global}vrrp_instance VI_1 {\n interface eth0\n state BACKUP\n virtual_router_id 51\n priority 100\n`
      + ` advert_int 1\n unicast_src_ip ${SELF}\n${instanceLines}\n virtual_ipaddress {\n  10.203.0.100/24\n }\n}\n`);
    const r = loadConfig(file, { system: fixedSystem(['eth0'], ['root']) });
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), [], 'the config loads');
    const plan = buildPlan(r.config, (name) => (name === 'eth0'
      ? { index: 2, name, mac: undefined, up: true, running: true, ipv4: [SELF], ipv6LinkLocal: null } : undefined));
    assert.equal(plan.instances.length, 1, JSON.stringify(plan.problems));
    const core = new Core('release');
    core.configure(0, plan.instances[0].core);
    core.start(1_000_000, 0);
    core.drain();
    return { core, cfg: plan.instances[0].core };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A priority-200 advert for VRID 51 from `src` at TTL `ttl`, and the core's verdict on it. */
function verdict(c: ReturnType<typeof coreFor>, src: string, ttl = 255): number {
  const bytes = ipv4Wrap(c.core.encodeAdvert({ ...c.cfg, priority: 200, src }), src, SELF, ttl);
  const v = c.core.handleDatagram(2_000_000, 0, 4, ttl, bytes);
  c.core.drain();
  return v;
}

test('without check_unicast_src a unicast advert from a non-peer is accepted (keepalived 2.2.7)', () => {
  const c = coreFor(` unicast_peer {\n  ${PEER}\n }`);
  assert.equal(verdict(c, STRANGER), abi.RX_OK);
  assert.equal(c.core.stats(0).unicast_src_err ?? 0, 0);
});

test('check_unicast_src in the instance drops and counts a non-peer, and accepts the peer', () => {
  const c = coreFor(` check_unicast_src\n unicast_peer {\n  ${PEER}\n }`);
  assert.equal(verdict(c, STRANGER), abi.RX_UNICAST_SRC);
  assert.equal(c.core.stats(0).unicast_src_err, 1);
  assert.equal(verdict(c, PEER), abi.RX_OK);
});

test('vrrp_check_unicast_src in global_defs does the same', () => {
  const c = coreFor(` unicast_peer {\n  ${PEER}\n }`, 'global_defs {\n vrrp_check_unicast_src\n}\n');
  assert.equal(verdict(c, STRANGER), abi.RX_UNICAST_SRC);
});

test('a peer with min_ttl turns the source check on, and bounds the TTL', () => {
  const c = coreFor(` unicast_peer {\n  ${PEER} min_ttl 250\n }`);
  assert.equal(verdict(c, STRANGER), abi.RX_UNICAST_SRC);
  assert.equal(verdict(c, PEER, 64), abi.RX_PEER_TTL_RANGE);
  assert.equal(verdict(c, PEER, 255), abi.RX_OK);
});
