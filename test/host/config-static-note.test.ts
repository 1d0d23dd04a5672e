// static_ipaddress / static_routes / static_rules are parsed and checked (keepalived's -t verdicts) but the daemon
// does not install them yet: the loader must say so at the block, never drop them silently; the exit code stays
// keepalived's (a note does not change it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedSystem, loadConfig, memoryFs } from '../../host/config/index.ts';

test('static_* blocks carry a note that they are not installed, at their line; the -t exit code is unchanged', () => {
  const text = 'static_ipaddress {\n 10.203.1.1/24 dev eth0\n}\nstatic_routes {\n 10.9.0.0/16 dev eth0\n}\n' +
    'static_rules {\n from 10.9.0.1 table 5 priority 100\n}\n' +
    'vrrp_instance A {\n interface eth0\n virtual_router_id 5\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n';
  const r = loadConfig('/f/k.conf', { fs: memoryFs({ '/f/k.conf': text }), system: fixedSystem(['eth0']) });
  const notes = r.diagnostics.filter((d) => d.severity === 'note' && /does not install static entries/.test(d.message));
  assert.deepEqual(notes.map((d) => [d.keyword, d.line, d.col]), [['static_ipaddress', 1, 1], ['static_routes', 4, 1], ['static_rules', 7, 1]]);
  assert.equal(r.exitCode, 0);
  assert.equal(r.config.static.addresses.length, 1);
});
