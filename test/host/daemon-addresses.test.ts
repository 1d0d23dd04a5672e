// keepalived.conf virtual_ipaddress / virtual_routes / virtual_rules lines, through the real config loader, into the
// netlink requests the daemon sends (host/daemon/addresses.ts). The e2e side (the kernel holding them on MASTER and
// not after) is test/e2e/daemon-routes.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedSystem, loadConfig, memoryFs } from '../../host/config/index.ts';
import { exitCodeFor } from '../../host/config/diagnostics.ts';
import { addressSpec, broadcastFor, installable, routeSpec, ruleSpec, tableNumber } from '../../host/daemon/addresses.ts';
import { LINE_CASES, lineConfig } from '../fixtures/config/route-rule-lines.ts';

const IFINDEX: Record<string, number> = { eth0: 2, eth1: 3 };
const ifindex = (n: string) => IFINDEX[n];

function load(text: string) {
  return loadConfig('/c/k.conf', { fs: memoryFs({ '/c/k.conf': text }), system: fixedSystem(['lo', 'eth0', 'eth1']), configId: 'n1' });
}

function instance(body: string) {
  const r = load(`vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority 100\n${body}\n}\n`);
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
  10.1.2.7/30 brd +
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
  assert.equal(broadcastFor(e), '10.1.2.7', '/30: the two host bits set');
  const [v6a, v6b] = i.excludedVips;
  assert.deepEqual(addressSpec(v6a, 2), { address: 'fd00::1', prefix: 64, ifindex: 2, nodad: true });
  assert.deepEqual(addressSpec(v6b, 2), { address: 'fd00::2', prefix: 128, ifindex: 2, nodad: false, preferredLifetime: 'forever', noprefixroute: true });
});

test('a VIP scope number without a name is installed with that number, as keepalived does (not as global)', () => {
  const i = instance(' virtual_ipaddress {\n  10.1.2.3/24 scope 100\n  10.1.2.4/24 scope 0xfd\n }');
  assert.equal(addressSpec(i.vips[0], 2).scope, 100);
  assert.equal(addressSpec(i.vips[1], 2).scope, 'link', '0xfd is 253, link');
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


test('rules: not, tos/dsfield, goto, nop, l3mdev, uidrange, sport/dport, ipproto, suppress_*, realms, protocol 18; `all` leaves the family to the instance', () => {
  const i = instance(`
 virtual_ipaddress {
  10.1.2.3/24
 }
 virtual_rules {
  not from 10.1.2.3 table 100 priority 100
  from 10.1.2.3 tos 0x10 table 100 priority 101
  to 192.0.2.0/24 dsfield 8 lookup main priority 102
  from 10.1.2.3 goto 300 priority 103
  from 10.1.2.3 nop priority 104
  from 10.1.2.3 ipproto tcp sport 80-90 dport 443-443 table 5 priority 105
  ipproto 17 uidrange 100-200 table 5 priority 106
  suppress_prefixlength 0 suppress_ifgroup default table main priority 107
  l3mdev priority 108
  realms 3/4 table 5 priority 109 protocol 18
  not from fd00::/64 tos 0x10 table 100 priority 110
  from all to fd00:1::/64 table 5 priority 111
  from all table 5 priority 112
 }`);
  assert.deepEqual(i.rules.map((r) => r.skip), i.rules.map(() => undefined), 'every line is installable');
  assert.deepEqual(i.rules.map((r) => ruleSpec(r, 4)), [
    { family: 4, from: '10.1.2.3', table: 100, priority: 100, invert: true },
    { family: 4, from: '10.1.2.3', table: 100, priority: 101, tos: 0x10 },
    { family: 4, to: '192.0.2.0', toPrefix: 24, table: 254, priority: 102, tos: 8 },
    { family: 4, from: '10.1.2.3', priority: 103, action: 'goto', goto: 300 },
    { family: 4, from: '10.1.2.3', priority: 104, action: 'nop' },
    { family: 4, from: '10.1.2.3', table: 5, priority: 105, ipProto: 6, sportRange: [80, 90], dportRange: [443, 443] },
    { family: 4, table: 5, priority: 106, ipProto: 17, uidRange: [100, 200] },
    { family: 4, table: 254, priority: 107, suppressPrefixlen: 0, suppressIfgroup: 0 },
    { family: 4, priority: 108, l3mdev: true },
    { family: 4, table: 5, priority: 109, realms: (3 << 16) | 4 },
    { family: 6, from: 'fd00::', fromPrefix: 64, table: 100, priority: 110, invert: true, tos: 0x10 },
    { family: 6, to: 'fd00:1::', toPrefix: 64, table: 5, priority: 111 },
    { family: 4, table: 5, priority: 112 },
  ]);
  assert.equal(ruleSpec(i.rules[12], 6).family, 6, '`from all` is the instance\'s family');
});

test('routes: every route type, onlink, metrics with lock, congctl, tos, realms; IPv6 from/pref/expires', () => {
  const i = instance(`
 virtual_ipaddress {
  10.1.2.3/24
 }
 virtual_routes {
  local 10.9.1.0/24 dev eth0
  broadcast 10.9.2.0/24 dev eth0
  anycast 10.9.3.0/24 dev eth0
  multicast 10.9.4.0/24 dev eth0
  nat 10.9.5.0/24 dev eth0
  10.9.6.0/24 via 10.7.0.1 dev eth0 onlink mtu lock 1400 advmss 1300 hoplimit 5 window 1000 initcwnd 10 initrwnd 11 quickack 1 features ecn congctl lock cubic
  10.9.7.0/24 via 10.1.2.254 dev eth0 tos 0x10 realms 3/4 protocol keepalived
  fd00:9::/48 from fd00:7::/64 via fd00::fe dev eth1 pref high expires 300
 }`);
  assert.deepEqual(i.routes.map((r) => r.skip), i.routes.map(() => undefined), 'every line is installable');
  assert.deepEqual(i.routes.map((r) => routeSpec(r, ifindex, 4)), [
    { dst: '10.9.1.0', prefix: 24, family: 4, ifindex: 2, type: 'local' },
    { dst: '10.9.2.0', prefix: 24, family: 4, ifindex: 2, type: 'broadcast' },
    { dst: '10.9.3.0', prefix: 24, family: 4, ifindex: 2, type: 'anycast' },
    { dst: '10.9.4.0', prefix: 24, family: 4, ifindex: 2, type: 'multicast' },
    { dst: '10.9.5.0', prefix: 24, family: 4, ifindex: 2, type: 'nat' },
    {
      dst: '10.9.6.0', prefix: 24, family: 4, via: '10.7.0.1', ifindex: 2, type: 'unicast', onlink: true,
      metrics: { mtu: 1400, advmss: 1300, hoplimit: 5, window: 1000, initcwnd: 10, initrwnd: 11, quickack: 1, features: 1 },
      locked: ['mtu', 'congctl'], congctl: 'cubic',
    },
    { dst: '10.9.7.0', prefix: 24, family: 4, via: '10.1.2.254', ifindex: 2, type: 'unicast', tos: 0x10, realms: (3 << 16) | 4 },
    { dst: 'fd00:9::', prefix: 48, family: 6, via: 'fd00::fe', ifindex: 3, type: 'unicast', from: 'fd00:7::', fromPrefix: 64, pref: 1, expires: 300 },
  ]);
});

test('`default` is IPv6 when the gateway or source is, or with neither, when the instance is', () => {
  const body = (vip: string) => ` virtual_ipaddress {\n  ${vip}\n }\n virtual_routes {\n  default via fe80::1 dev eth0\n  default dev eth0\n  default src 10.1.2.3 dev eth0\n  default dev eth1 pref low\n }`;
  const v4 = instance(body('10.1.2.3/24'));
  const v6 = instance(body('fd00::5/64'));
  const v6default = { dst: '::', prefix: 0, family: 6, via: 'fe80::1', ifindex: 2, type: 'unicast' };
  assert.deepEqual(routeSpec(v4.routes[0], ifindex, 4), v6default, 'an IPv6 gateway makes it ::/0, whatever the instance');
  assert.deepEqual(routeSpec(v6.routes[0], ifindex, 6), v6default);
  assert.deepEqual(routeSpec(v4.routes[1], ifindex, 4), { dst: '0.0.0.0', prefix: 0, family: 4, ifindex: 2, type: 'unicast' });
  assert.deepEqual(routeSpec(v6.routes[1], ifindex, 6), { dst: '::', prefix: 0, family: 6, ifindex: 2, type: 'unicast' }, 'no address: the instance\'s family');
  assert.equal(routeSpec(v6.routes[2], ifindex, 6).family, 4, 'an IPv4 source makes it 0.0.0.0/0');
  assert.equal(routeSpec(v4.routes[3], ifindex, 4).dst, '::', 'pref exists only for IPv6');
});

test('each line against keepalived 2.2.7\'s -t verdict: installed as written, or left out with a warning or an error', () => {
  assert.ok(LINE_CASES.length > 90);
  for (const c of LINE_CASES) {
    const r = load(lineConfig(c));
    const what = `${c.kind}: ${c.line}`;
    assert.equal(exitCodeFor(r.diagnostics), c.keepalived, `${what}: keepalived -t's exit code\n${JSON.stringify(r.diagnostics, null, 1)}`);
    const inst = r.config.instances[0];
    assert.ok(inst, what);
    const entries: { skip?: string }[] = c.kind === 'routes' ? inst.routes : inst.rules;
    assert.equal(entries.length, 1, what);
    const e = entries[0];
    const fam = (c.vip ?? '').includes(':') ? 6 : 4;
    const spec = () => (c.kind === 'routes' ? routeSpec(inst.routes[0], ifindex, fam) : ruleSpec(inst.rules[0], fam));
    const notYet = r.diagnostics.filter((d) => /is not supported by vipd yet.*will NOT be installed/.test(d.message));
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    if (c.vipd === 'install') {
      assert.equal(e.skip, undefined, what);
      assert.deepEqual([notYet, errors], [[], []], what);
      assert.doesNotThrow(spec, what);
    } else {
      assert.ok(e.skip, `${what}: left out`);
      assert.throws(spec, /not installed/, what);
      if (c.vipd === 'notYet') {
        assert.ok(notYet.length > 0, `${what}: warned`);
        for (const d of notYet) assert.deepEqual([d.severity, d.status, d.file, d.line], ['warning', null, '/c/k.conf', 9], `${what}: a warning at its line that keeps the exit code`);
        assert.match(e.skip!, /not supported by vipd yet/, what);
      } else {
        assert.ok(errors.length > 0, `${what}: an error`);
        assert.ok(r.diagnostics.some((d) => d.line === 9 && /has errors and will NOT be installed/.test(d.message)), `${what}: says it is left out`);
      }
    }
  }
});

test('a word not supported yet is reported at its column; the entry is left out whole, and reported once to the daemon', () => {
  const r = load(lineConfig({ kind: 'routes', line: '10.9.0.0/16 via 10.1.2.254 dev eth0 rtt 3 ttl-propagate enabled', keepalived: 0, vipd: 'notYet' }));
  const w = r.diagnostics.filter((d) => d.severity === 'warning' && d.status === null);
  assert.deepEqual(w.map((d) => [d.line, d.col, d.message.slice(0, 40)]), [
    [9, 39, "'rtt' is not supported by vipd yet (its "],
    [9, 45, "'ttl-propagate' is not supported by vipd"],
  ]);
  const routes = r.config.instances[0].routes;
  const seen: string[] = [];
  assert.deepEqual(installable(routes, (e) => seen.push(e.skip!)), []);
  assert.deepEqual(seen, ["'rtt', 'ttl-propagate' not supported by vipd yet"]);
});

test('a table name missing from rt_tables is keepalived\'s error (exit 5), at its column', () => {
  const r = load(lineConfig({ kind: 'routes', line: '10.9.0.0/16 via 10.1.2.254 dev eth0 table vip_nosuch', keepalived: 5, vipd: 'error' }));
  const e = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(e.map((d) => [d.line, d.col, d.message]), [[9, 45, 'Routing table vip_nosuch not found for route']]);
  assert.equal(r.exitCode, 5);
});
