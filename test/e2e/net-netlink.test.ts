// host/net/netlink.ts against a real kernel: addresses (label, brd, scope, IPv6 nodad /
// preferred_lft 0), routes and rules (every word vipd installs) as `ip` shows them, and link/address events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, type LabHost } from '../../host/lab/netns.ts';
import { withNetns } from '../../host/net/netns.ts';
import { Netlink, NetEvents, type NetEvent, type LinkEvent, type RouteSpec, type RuleSpec } from '../../host/net/netlink.ts';
import { waitFor } from './helpers/wait.ts';

let lab: Lab;
let h1: LabHost;
let nl: Netlink;
let ifindex = 0;

before(async () => {
  lab = Lab.create({ hosts: 2, subnet: 3, client: false });
  h1 = lab.hosts[0];
  nl = withNetns(h1.ns, () => new Netlink());
  ifindex = (await nl.link('eth0')).index;
});

after(() => {
  nl?.close();
  lab?.destroy();
});

const sh = (...argv: string[]) => lab.exec(h1, argv);

test('link lookup: index, MAC, IFF_UP and IFF_RUNNING as the kernel has them', async () => {
  const link = await nl.link('eth0');
  assert.equal(link.index, Number(sh('cat', '/sys/class/net/eth0/ifindex')));
  assert.equal(link.mac?.toString('hex'), '02cb03000001');
  assert.equal(link.up, true);
  assert.equal(link.running, true);
  assert.equal(link.name, 'eth0');
  assert.ok((await nl.links()).some((l) => l.name === 'lo'));
  await assert.rejects(nl.link('nosuchif0'), (e: NodeJS.ErrnoException) => e.code === 'ENODEV');
});

test('IPv4 addresses with label, brd and scope appear in `ip addr`, are listed, and are removed', async () => {
  await nl.addAddress({ address: '10.203.3.100', prefix: 24, ifindex, broadcast: '10.203.3.255', label: 'eth0:vip', scope: 'global' });
  await nl.addAddress({ address: '10.203.3.101', prefix: 32, ifindex, scope: 'link', label: 'eth0:ll' });
  await nl.addAddress({ address: '10.203.3.102', prefix: 32, ifindex, scope: 100 }); // a scope without a name
  const shown = sh('ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0');
  assert.match(shown, /inet 10\.203\.3\.102\/32 scope 100 /);
  await nl.delAddress({ address: '10.203.3.102', prefix: 32, ifindex });
  assert.match(shown, /inet 10\.203\.3\.100\/24 brd 10\.203\.3\.255 scope global secondary eth0:vip/);
  assert.match(shown, /inet 10\.203\.3\.101\/32 scope link eth0:ll/);
  const listed = await nl.addresses(ifindex, 4);
  const vip = listed.find((a) => a.address === '10.203.3.100');
  assert.deepEqual({ ...vip, flags: undefined }, {
    family: 4, address: '10.203.3.100', prefix: 24, ifindex, scope: 'global', label: 'eth0:vip', broadcast: '10.203.3.255', flags: undefined,
  });
  assert.ok(vip!.flags.includes('secondary'));
  assert.equal(listed.find((a) => a.address === '10.203.3.101')?.scope, 'link');
  await assert.rejects(nl.addAddress({ address: '10.203.3.100', prefix: 24, ifindex }), (e: NodeJS.ErrnoException) => e.code === 'EEXIST');
  await nl.delAddress({ address: '10.203.3.100', prefix: 24, ifindex });
  await nl.delAddress({ address: '10.203.3.101', prefix: 32, ifindex });
  assert.doesNotMatch(sh('ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'), /10\.203\.3\.10[01]/);
  await assert.rejects(nl.delAddress({ address: '10.203.3.100', prefix: 24, ifindex }), (e: NodeJS.ErrnoException) => e.code === 'EADDRNOTAVAIL');
});

test('IPv6 VIPs: /128 gets nodad and preferred_lft 0 (deprecated), /64 stays preferred', async () => {
  await nl.addAddress({ address: 'fd00:203:3::100', prefix: 128, ifindex });
  await nl.addAddress({ address: 'fd00:203:3::101', prefix: 64, ifindex });
  const shown = sh('ip', '-6', 'addr', 'show', 'dev', 'eth0');
  assert.match(shown, /inet6 fd00:203:3::100\/128 scope global nodad deprecated\s+valid_lft forever preferred_lft 0sec/);
  assert.match(shown, /inet6 fd00:203:3::101\/64 scope global nodad\s+valid_lft forever preferred_lft forever/);
  const listed = await nl.addresses(ifindex, 6);
  assert.ok(listed.find((a) => a.address === 'fd00:203:3::100')?.flags.includes('nodad'));
  assert.ok(listed.some((a) => a.address.startsWith('fe80::')), 'link-local is listed');
  await nl.delAddress({ address: 'fd00:203:3::100', prefix: 128, ifindex });
  await nl.delAddress({ address: 'fd00:203:3::101', prefix: 64, ifindex });
  assert.doesNotMatch(sh('ip', '-6', 'addr', 'show', 'dev', 'eth0'), /fd00:203:3::10[01]/);
});

test('routes: via/dev/metric/table, src with link scope, blackhole, unreachable IPv6; then removed', async () => {
  const routes = [
    { dst: '10.203.99.0', prefix: 24, via: '10.203.3.2', ifindex, table: 100, metric: 5 },
    { dst: '10.203.97.0', prefix: 24, ifindex, src: '10.203.3.1' },
    { dst: '10.203.98.0', prefix: 24, type: 'blackhole' as const, table: 100 },
    { dst: 'fd00:203:99::', prefix: 64, type: 'unreachable' as const, table: 1000 },
    { dst: 'default', via: '10.203.3.2', table: 100 },
  ];
  for (const r of routes) await nl.addRoute(r);
  const t100 = sh('ip', 'route', 'show', 'table', '100');
  assert.match(t100, /^default via 10\.203\.3\.2 dev eth0 proto keepalived $/m);
  assert.match(t100, /^10\.203\.99\.0\/24 via 10\.203\.3\.2 dev eth0 proto keepalived metric 5 $/m);
  assert.match(t100, /^blackhole 10\.203\.98\.0\/24 proto keepalived $/m);
  assert.match(sh('ip', 'route', 'show', 'table', 'main'), /^10\.203\.97\.0\/24 dev eth0 proto keepalived scope link src 10\.203\.3\.1 $/m);
  assert.match(sh('ip', '-6', 'route', 'show', 'table', '1000'), /^unreachable fd00:203:99::\/64 dev lo proto keepalived metric 1024 (pref medium)?/m);
  await assert.rejects(nl.addRoute(routes[0]), (e: NodeJS.ErrnoException) => e.code === 'EEXIST');
  for (const r of routes) await nl.delRoute(r);
  assert.equal(sh('ip', 'route', 'show', 'table', '100').trim(), '');
  assert.equal(sh('ip', '-6', 'route', 'show', 'table', '1000').trim(), '');
  assert.doesNotMatch(sh('ip', 'route', 'show'), /10\.203\.97\.0/);
});

test('rules: from/to/table/priority for both families; then removed', async () => {
  const rules = [
    { family: 4 as const, from: '10.203.3.100', table: 100, priority: 1000 },
    { family: 4 as const, to: '10.203.99.0', toPrefix: 24, table: 101, priority: 1001 },
    { family: 6 as const, from: 'fd00:203:3::', fromPrefix: 64, table: 1000, priority: 1002 },
    { family: 4 as const, from: '10.203.3.0', fromPrefix: 24, action: 'blackhole' as const, priority: 1003 },
  ];
  for (const r of rules) await nl.addRule(r);
  const v4 = sh('ip', 'rule', 'show');
  assert.match(v4, /^1000:\tfrom 10\.203\.3\.100 lookup 100 proto keepalived\s*$/m);
  assert.match(v4, /^1001:\tfrom all to 10\.203\.99\.0\/24 lookup 101 proto keepalived\s*$/m);
  assert.match(v4, /^1003:\tfrom 10\.203\.3\.0\/24 blackhole proto keepalived\s*$/m);
  assert.match(sh('ip', '-6', 'rule', 'show'), /^1002:\tfrom fd00:203:3::\/64 lookup 1000 proto keepalived\s*$/m);
  for (const r of rules) await nl.delRule(r);
  assert.doesNotMatch(sh('ip', 'rule', 'show'), /^100[0-3]:/m);
  assert.doesNotMatch(sh('ip', '-6', 'rule', 'show'), /^1002:/m);
});

/** `ip ARGS` lines with runs of blanks collapsed, without the trailing blank `ip route` leaves. */
const lines = (...argv: string[]) => sh('ip', ...argv).split('\n').map((l) => l.replace(/\s+/g, ' ').trim()).filter(Boolean);

test('routes: every type, tos, onlink, metrics (lock, congctl), realms; IPv6 ::/0, from, pref, expires: `ip` shows each as meant; removed', async () => {
  const T = 120;
  const routes: RouteSpec[] = [
    { dst: '10.203.91.0', prefix: 24, ifindex, type: 'local', table: T },
    { dst: '10.203.92.0', prefix: 24, ifindex, type: 'broadcast', table: T },
    { dst: '10.203.93.0', prefix: 24, ifindex, type: 'anycast', table: T },
    { dst: '10.203.94.0', prefix: 24, ifindex, type: 'multicast', table: T },
    { dst: '10.203.95.0', prefix: 24, type: 'throw', table: T },
    {
      dst: '10.203.96.0', prefix: 24, via: '10.204.3.1', ifindex, onlink: true, table: T, locked: ['mtu', 'congctl'], congctl: 'cubic',
      metrics: { mtu: 1400, advmss: 1300, hoplimit: 5, window: 1000, ssthresh: 6, cwnd: 7, initcwnd: 10, initrwnd: 11, reordering: 3, quickack: 1, fastopen_no_cookie: 1, features: 1 },
    },
    { dst: '10.203.97.0', prefix: 24, via: '10.203.3.2', ifindex, tos: 0x10, realms: (3 << 16) | 4, table: T },
    { dst: '::', prefix: 0, family: 6, via: 'fe80::1', ifindex, table: T },
    { dst: 'fd00:203:91::', prefix: 64, ifindex, type: 'local', table: T },
    { dst: 'fd00:203:92::', prefix: 64, via: 'fd00:203:3::2', ifindex, from: 'fd00:203:93::', fromPrefix: 64, pref: 1, expires: 600, table: T },
    { dst: 'fd00:203:94::', prefix: 64, type: 'anycast', ifindex, table: T },
  ];
  for (const r of routes) await nl.addRoute(r);
  assert.deepEqual(lines('-4', 'route', 'show', 'table', String(T)), [
    'local 10.203.91.0/24 dev eth0 proto keepalived scope host',
    'broadcast 10.203.92.0/24 dev eth0 proto keepalived scope link',
    'anycast 10.203.93.0/24 dev eth0 proto keepalived scope link',
    'multicast 10.203.94.0/24 dev eth0 proto keepalived scope link',
    'throw 10.203.95.0/24 proto keepalived',
    '10.203.96.0/24 via 10.204.3.1 dev eth0 proto keepalived onlink mtu lock 1400 window 1000 ssthresh 6 cwnd 7 advmss 1300 reordering 3 hoplimit 5 initcwnd 10 features ecn initrwnd 11 quickack 1 congctl lock cubic fastopen_no_cookie 1',
    '10.203.97.0/24 tos 0x10 via 10.203.3.2 dev eth0 proto keepalived realms 3/4',
  ]);
  const v6 = lines('-6', 'route', 'show', 'table', String(T)).map((l) => l.replace(/expires \d+sec/, 'expires Nsec'));
  assert.deepEqual(v6, [
    'local fd00:203:91::/64 dev eth0 proto keepalived metric 1024 pref medium',
    'fd00:203:92::/64 from fd00:203:93::/64 via fd00:203:3::2 dev eth0 proto keepalived metric 1024 expires Nsec pref high',
    'anycast fd00:203:94::/64 dev eth0 proto keepalived metric 1024 pref medium',
    'default via fe80::1 dev eth0 proto keepalived metric 1024 pref medium',
  ]);
  for (const r of routes) await nl.delRoute(r);
  assert.deepEqual(lines('route', 'show', 'table', 'all').filter((l) => l.includes(` table ${T} `)), []);
  assert.deepEqual(lines('-6', 'route', 'show', 'table', 'all').filter((l) => l.includes(` table ${T} `)), []);
});

test('rules: not, tos, goto, nop, l3mdev, ipproto, sport/dport, uidrange, suppress_*, realms: `ip` shows each as meant; removed', async () => {
  const rules: RuleSpec[] = [
    { family: 4, from: '10.203.3.100', table: 100, priority: 2000, invert: true },
    { family: 4, from: '10.203.3.100', table: 100, priority: 2001, tos: 0x10 },
    { family: 4, from: '10.203.3.100', priority: 2002, action: 'goto', goto: 2009 },
    { family: 4, from: '10.203.3.100', priority: 2003, action: 'nop' },
    { family: 4, from: '10.203.3.100', table: 5, priority: 2004, ipProto: 6, sportRange: [80, 90], dportRange: [443, 443] },
    { family: 4, table: 5, priority: 2005, uidRange: [100, 200] },
    { family: 4, table: 254, priority: 2006, suppressPrefixlen: 0, suppressIfgroup: 3 },
    { family: 4, priority: 2007, l3mdev: true },
    { family: 4, table: 5, priority: 2008, realms: (3 << 16) | 4, fwmark: 7, fwmask: 0xff },
    { family: 6, from: 'fd00:203:3::', fromPrefix: 64, table: 100, priority: 2000, invert: true, tos: 0x10 },
  ];
  for (const r of rules) await nl.addRule(r);
  assert.deepEqual(lines('-4', 'rule', 'show').filter((l) => l.startsWith('200')), [
    '2000: not from 10.203.3.100 lookup 100 proto keepalived',
    '2001: from 10.203.3.100 tos 0x10 lookup 100 proto keepalived',
    '2002: from 10.203.3.100 goto 2009 [unresolved] proto keepalived',
    '2003: from 10.203.3.100 nop proto keepalived',
    '2004: from 10.203.3.100 ipproto tcp sport 80-90 dport 443 lookup 5 proto keepalived',
    '2005: from all uidrange 100-200 lookup 5 proto keepalived',
    '2006: from all lookup main suppress_prefixlength 0 suppress_ifgroup 3 proto keepalived',
    '2007: from all lookup [l3mdev-table] proto keepalived',
    '2008: from all fwmark 0x7/0xff lookup 5 realms 3/4 proto keepalived',
  ]);
  assert.deepEqual(lines('-6', 'rule', 'show').filter((l) => l.startsWith('200')), ['2000: not from fd00:203:3::/64 tos 0x10 lookup 100 proto keepalived']);
  for (const r of rules) await nl.delRule(r);
  assert.deepEqual(lines('-4', 'rule', 'show').filter((l) => l.startsWith('200')), []);
  assert.deepEqual(lines('-6', 'rule', 'show').filter((l) => l.startsWith('200')), []);
});

test('events: address added/removed, link running/up changes as the link is cut on either end', async () => {
  const events: NetEvent[] = [];
  const ev = withNetns(h1.ns, () => new NetEvents((e) => events.push(e)));
  try {
    const addr = (action: string, address: string) => () =>
      events.find((e) => e.kind === 'address' && e.action === action && e.address === address);
    const link = (pred: (e: LinkEvent) => boolean) => () =>
      events.find((e): e is LinkEvent => e.kind === 'link' && e.ifindex === ifindex && pred(e));

    await nl.addAddress({ address: '10.203.3.110', prefix: 24, ifindex, label: 'eth0:ev' });
    const added = await waitFor('address added event', addr('added', '10.203.3.110'));
    assert.deepEqual(added, { kind: 'address', action: 'added', family: 4, ifindex, address: '10.203.3.110', prefix: 24, label: 'eth0:ev' });
    sh('ip', 'addr', 'del', 'fd00:203:3::1/64', 'dev', 'eth0');
    await waitFor('IPv6 address removed event', addr('removed', 'fd00:203:3::1'));
    sh('ip', 'addr', 'add', 'fd00:203:3::1/64', 'dev', 'eth0', 'nodad');
    await nl.delAddress({ address: '10.203.3.110', prefix: 24, ifindex });
    await waitFor('address removed event', addr('removed', '10.203.3.110'));

    // The switch port goes down: our link stays administratively up but loses carrier.
    events.length = 0;
    lab.cutLink(h1, 'bridge');
    const lost = await waitFor('carrier loss', link((e) => e.up && !e.running));
    assert.equal(lost.name, 'eth0');
    lab.restoreLink(h1, 'bridge');
    await waitFor('carrier back', link((e) => e.up && e.running));
    // Our own end goes down: IFF_UP clears too.
    events.length = 0;
    lab.cutLink(h1, 'host');
    await waitFor('link down', link((e) => !e.up && !e.running));
    lab.restoreLink(h1, 'host');
    await waitFor('link up', link((e) => e.up && e.running));
  } finally {
    ev.close();
  }
});
