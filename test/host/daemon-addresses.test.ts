// keepalived.conf virtual_ipaddress / virtual_routes / virtual_rules lines, through the real config loader, into the
// netlink requests the daemon sends (host/daemon/addresses.ts). The e2e side (the kernel holding them on MASTER and
// not after) is test/e2e/daemon-routes.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedSystem, loadConfig, memoryFs } from '../../host/config/index.ts';
import { addressSpec, broadcastFor, routeSpec, ruleSpec, tableNumber } from '../../host/daemon/addresses.ts';

const IFINDEX: Record<string, number> = { eth0: 2, eth1: 3 };
const ifindex = (n: string) => IFINDEX[n];

function instance(body: string) {
  const text = `vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority 100\n${body}\n}\n`;
  const r = loadConfig('/c/k.conf', { fs: memoryFs({ '/c/k.conf': text }), system: fixedSystem(['lo', 'eth0', 'eth1']), configId: 'n1' });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], 'the sample parses without errors');
  assert.equal(r.config.instances.length, 1);
  return r.config.instances[0];
}

test('VIPs: brd +/-/address, dev, scope by name and number, label; IPv6 nodad and preferred_lft', () => {
  const i = instance(`
 virtual_ipaddress {
  10.1.2.3/24 brd + dev eth1 scope link label eth1:vip
  10.1.2.4/24 brd -
  10.1.2.5/24 brd 10.1.2.77 scope 254
  10.1.2.6
  10.1.2.7/31 brd +
 }
 virtual_ipaddress_excluded {
  fd00::1/64
  fd00::2/128 -nodad preferred_lft forever noprefixroute
 }`);
  const [a, b, c, d, e] = i.vips;
  assert.deepEqual(addressSpec(a, IFINDEX.eth1), { address: '10.1.2.3', prefix: 24, ifindex: 3, broadcast: '10.1.2.255', scope: 'link', label: 'eth1:vip' });
  assert.equal(a.dev, 'eth1', 'dev is the caller\'s to resolve (runtime picks the ifindex)');
  assert.deepEqual(addressSpec(b, 2), { address: '10.1.2.4', prefix: 24, ifindex: 2, broadcast: '10.1.2.0' });
  assert.deepEqual(addressSpec(c, 2), { address: '10.1.2.5', prefix: 24, ifindex: 2, broadcast: '10.1.2.77', scope: 'host' });
  assert.deepEqual(addressSpec(d, 2), { address: '10.1.2.6', prefix: 32, ifindex: 2 }, 'no brd, no scope, no label unless asked');
  assert.equal(broadcastFor(e), '10.1.2.7', '/31: host bits are one bit');
  const [v6a, v6b] = i.excludedVips;
  assert.deepEqual(addressSpec(v6a, 2), { address: 'fd00::1', prefix: 64, ifindex: 2, nodad: true });
  assert.deepEqual(addressSpec(v6b, 2), { address: 'fd00::2', prefix: 128, ifindex: 2, nodad: false, preferredLifetime: 'forever', noprefixroute: true });
});

test('a VIP scope number outside iproute2\'s names is refused with the reason, not sent as global', () => {
  const i = instance(' virtual_ipaddress {\n  10.1.2.3/24 scope 100\n }');
  assert.throws(() => addressSpec(i.vips[0], 2), /VIP 10\.1\.2\.3: scope 100 is not one of global/);
});

test('routes: via/dev/src/table/metric, type, scope by number, default, IPv6 and tables above 255', () => {
  const i = instance(`
 virtual_ipaddress {
  10.1.2.3/24
 }
 virtual_routes {
  10.9.0.0/16 via 10.1.2.254 dev eth0 table 100 metric 7 src 10.1.2.3
  blackhole 192.0.2.0/24 table 200
  default via 10.1.2.1 table local
  10.8.0.0/16 dev eth1 scope 253 no_track
  fd00:9::/48 via fd00::fe dev eth1 table 1000
  unreachable 198.51.100.7 table main
 }`);
  const rs = i.routes.map((r) => routeSpec(r, ifindex));
  assert.deepEqual(rs, [
    { dst: '10.9.0.0', prefix: 16, family: 4, via: '10.1.2.254', src: '10.1.2.3', ifindex: 2, table: 100, metric: 7, type: 'unicast' },
    { dst: '192.0.2.0', prefix: 24, family: 4, table: 200, type: 'blackhole' },
    { dst: '0.0.0.0', prefix: 0, family: 4, via: '10.1.2.1', table: 255, type: 'unicast' },
    { dst: '10.8.0.0', prefix: 16, family: 4, ifindex: 3, scope: 'link', type: 'unicast' },
    { dst: 'fd00:9::', prefix: 48, family: 6, via: 'fd00::fe', ifindex: 3, table: 1000, type: 'unicast' },
    { dst: '198.51.100.7', family: 4, table: 254, type: 'unreachable' },
  ]);
});

test('a route over an interface that does not exist, or into a table by an unknown name, is refused with the reason', () => {
  const i = instance(' virtual_ipaddress {\n  10.1.2.3/24\n }\n virtual_routes {\n  10.9.0.0/16 dev eth1 table 5\n }');
  assert.throws(() => routeSpec(i.routes[0], () => undefined), /route 10\.9\.0\.0\/16: interface eth1 does not exist/);
  assert.throws(() => tableNumber('vip_table'), /unknown routing table "vip_table"/);
  assert.equal(tableNumber('default'), 253);
  assert.equal(tableNumber(null), undefined);
});

test('rules: from/to with and without prefix, table by name and number, priority, actions, iif/oif/fwmark, family', () => {
  const i = instance(`
 virtual_ipaddress {
  10.1.2.3/24
 }
 virtual_rules {
  from 10.1.2.3 table 100 priority 100
  to 192.0.2.0/24 table main priority 101
  from all fwmark 0x10/0xff iif eth1 table 200 priority 102
  from fd00::/64 table 1000 priority 103
  oif eth0 blackhole priority 104
  to 198.51.100.0/24 fwmark 7 prohibit priority 105
 }`);
  const rs = i.rules.map((r) => ruleSpec(r, 4));
  assert.deepEqual(rs, [
    { family: 4, from: '10.1.2.3', table: 100, priority: 100 },
    { family: 4, to: '192.0.2.0', toPrefix: 24, table: 254, priority: 101 },
    { family: 4, table: 200, priority: 102, iif: 'eth1', fwmark: 0x10, fwmask: 0xff },
    { family: 6, from: 'fd00::', fromPrefix: 64, table: 1000, priority: 103 },
    { family: 4, priority: 104, action: 'blackhole', oif: 'eth0' },
    { family: 4, to: '198.51.100.0', toPrefix: 24, priority: 105, action: 'prohibit', fwmark: 7 },
  ]);
  assert.equal(ruleSpec(i.rules[4], 6).family, 6, 'a rule without an address takes the instance\'s family');
});

test('a rule fwmark that is not a number is refused with the reason', () => {
  const i = instance(' virtual_ipaddress {\n  10.1.2.3/24\n }\n virtual_rules {\n  fwmark mark1 table 5 priority 9\n }');
  assert.throws(() => ruleSpec(i.rules[0], 4), /rule fwmark "mark1": expected MARK\[\/MASK\]/);
});
