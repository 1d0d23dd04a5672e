// virtual_routes and virtual_rules with real vipd processes: installed (with proto keepalived) while an instance is
// MASTER and only then, removed when it leaves MASTER — preempted to BACKUP, FAULT on carrier loss, FAULT on its
// interface taken down (the kernel flushes the routes over it; the rest is vipd's to remove, and all of it comes
// back with MASTER) — and on SIGTERM. What the kernel holds is read back with `ip` from the test (vipd spawns
// nothing for this). VRRPv3 at 0.1 s, IPv4 instance with IPv4 and IPv6 routes and rules, among them `not`, `goto`,
// `tos`, `ipproto`/`dport`, an IPv6 `default via`, a `local` route, `onlink` with `mtu lock`; a multipath route
// (not supported yet) is never installed, and said so once. Subnet 78.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, configText, masterDownMs } from './helpers/daemon.ts';
import { waitFor } from './helpers/wait.ts';
import type { LabHost } from '../../host/lab/netns.ts';

const SUBNET = 78;
const ADV = 0.1;
const TABLE = 178;
const VIP = `10.203.${SUBNET}.100`;
const GW4 = `10.203.${SUBNET}.254`;
const GW6 = `fd00:203:${SUBNET.toString(16)}::fe`;
const VIP6 = `fd00:203:${SUBNET.toString(16)}::100`;

/** A multipath route: vipd cannot install it yet, so it must never appear (not even as a single-path route). */
const MULTIPATH = `10.${SUBNET}.80.0/24 dev eth0 nexthop via ${GW4} nexthop via 10.203.${SUBNET}.253`;

const EXTRA = [
  'virtual_routes {',
  `  10.${SUBNET}.0.0/16 via ${GW4} dev eth0 table ${TABLE} metric 7`,
  `  blackhole 192.0.2.0/24 table ${TABLE}`,
  `  198.51.100.0/24 dev eth0 src ${VIP}`,
  `  fd00:${SUBNET}::/48 via ${GW6} dev eth0 table ${TABLE}`,
  // An IPv6 default in an IPv4 instance (its gateway says which family), a route type, onlink with metrics.
  `  default via fe80::1 dev eth0 table ${TABLE}`,
  `  local 10.${SUBNET}.50.0/24 dev eth0 table ${TABLE}`,
  `  10.${SUBNET}.60.0/24 via 10.204.${SUBNET}.1 dev eth0 onlink mtu lock 1400 advmss 1300 table ${TABLE}`,
  `  ${MULTIPATH}`,
  '}',
  'virtual_rules {',
  `  from ${VIP} table ${TABLE} priority ${TABLE}`,
  `  to 192.0.2.0/24 iif eth0 fwmark 0x10/0xff table ${TABLE} priority ${TABLE + 1}`,
  `  from ${VIP6}/128 table ${TABLE} priority ${TABLE + 2}`,
  `  not from ${VIP} table ${TABLE} priority ${TABLE + 3}`,
  `  from ${VIP} ipproto udp dport 53-53 goto ${TABLE + 6} priority ${TABLE + 4}`,
  `  from all tos 0x10 table ${TABLE} priority ${TABLE + 6}`,
  '}',
];

/** What `ip` prints for the entries above when installed (whitespace collapsed, sorted). */
const INSTALLED = [
  `10.${SUBNET}.0.0/16 via ${GW4} dev eth0 table ${TABLE} proto keepalived metric 7`,
  `blackhole 192.0.2.0/24 table ${TABLE} proto keepalived`,
  `198.51.100.0/24 dev eth0 proto keepalived scope link src ${VIP}`,
  `fd00:${SUBNET}::/48 via ${GW6} dev eth0 table ${TABLE} proto keepalived metric 1024 pref medium`,
  `default via fe80::1 dev eth0 table ${TABLE} proto keepalived metric 1024 pref medium`,
  `local 10.${SUBNET}.50.0/24 dev eth0 table ${TABLE} proto keepalived scope host`,
  `10.${SUBNET}.60.0/24 via 10.204.${SUBNET}.1 dev eth0 table ${TABLE} proto keepalived onlink mtu lock 1400 advmss 1300`,
  `${TABLE}: from ${VIP} lookup ${TABLE} proto keepalived`,
  `${TABLE + 1}: from all to 192.0.2.0/24 fwmark 0x10/0xff iif eth0 lookup ${TABLE} proto keepalived`,
  `${TABLE + 2}: from ${VIP6} lookup ${TABLE} proto keepalived`,
  `${TABLE + 3}: not from ${VIP} lookup ${TABLE} proto keepalived`,
  `${TABLE + 4}: from ${VIP} ipproto udp dport 53 goto ${TABLE + 6} proto keepalived`,
  `${TABLE + 6}: from all tos 0x10 lookup ${TABLE} proto keepalived`,
].sort();

/** The test's routes and rules the host's kernel holds now. */
function held(c: Cluster, h: LabHost): string[] {
  const ip = (args: string[]) => c.lab.exec(h, ['ip', ...args]).split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).filter(Boolean);
  // `table all`: asking for table 178 alone fails once no route is left in it.
  const routes = [...ip(['-4', 'route', 'show', 'table', 'all']), ...ip(['-6', 'route', 'show', 'table', 'all'])]
    .filter((l) => l.includes(` table ${TABLE} `) || l.startsWith('198.51.100.0/24 ') || l.startsWith(`10.${SUBNET}.80.0/24 `));
  const rules = [...ip(['-4', 'rule', 'show']), ...ip(['-6', 'rule', 'show'])].filter((l) => !/^(0|32766|32767):/.test(l));
  return [...routes, ...rules].sort();
}

async function expectHeld(c: Cluster, k: number, installed: boolean | string[], why: string): Promise<void> {
  const want = installed === true ? INSTALLED : installed === false ? [] : installed;
  const h = c.lab.hosts[k];
  await waitFor(`${h.name}: routes and rules as expected (${why})`, () => JSON.stringify(held(c, h)) === JSON.stringify(want), 3000, 10)
    .catch(() => assert.deepEqual(held(c, h), want, `${h.name}: ${why}\n${c.logText()}`));
}

async function state(c: Cluster, k: number, s: string, timeoutMs = 3000): Promise<void> {
  await waitFor(`${c.lab.hosts[k].name} ${s}`, async () => (await c.vipds[k].instance()).state === s, timeoutMs, 20)
    .catch((e: Error) => { throw new Error(`${e.message}\n${c.logText()}`); });
}

test('virtual_routes and virtual_rules: on MASTER only; removed on preemption, FAULT (carrier lost, link down) and SIGTERM', async () => {
  const c = Cluster.create(2, SUBNET);
  try {
    const conf = (priority: number) => configText([{ priority, version: 3, advertInt: ADV, vips: [`${VIP}/24`], extra: EXTRA }]);
    c.vipds.forEach((v, k) => v.writeConfig(conf(k === 0 ? 150 : 100)));

    // h2 alone: it becomes master and installs everything.
    c.vipds[1].start();
    await c.waitHolder(VIP, 1, 10_000);
    await expectHeld(c, 1, true, 'h2 MASTER');
    await expectHeld(c, 0, false, 'h1 not running');
    await c.vipds[1].waitLog(/\(VI_1\) virtual_routes entry `10\.\d+\.80\.0\/24 .*nexthop.*` \(.*:\d+:\d+\) will NOT be installed: 'nexthop' not supported by vipd yet/, 1000);

    // h1 (150) starts and preempts: h2 goes BACKUP and removes its routes and rules, h1 installs them.
    c.vipds[0].start();
    await c.waitHolder(VIP, 0, 10_000);
    await state(c, 1, 'BACKUP');
    await expectHeld(c, 1, false, 'h2 preempted to BACKUP');
    await expectHeld(c, 0, true, 'h1 MASTER by preemption');

    // Carrier lost (the switch port goes down): the kernel keeps routes over a link without carrier, so whatever
    // goes is vipd's doing.
    c.lab.cutLink(c.lab.hosts[0], 'bridge');
    await state(c, 0, 'FAULT');
    await expectHeld(c, 0, false, 'h1 FAULT, carrier lost');
    await c.waitHolder(VIP, 1, masterDownMs(ADV, 100) + 3000, { only: false });
    await expectHeld(c, 1, true, 'h2 MASTER after h1 lost carrier');
    c.lab.restoreLink(c.lab.hosts[0], 'bridge');
    await c.waitHolder(VIP, 0, 5000);
    await expectHeld(c, 0, true, 'h1 MASTER again after carrier returned');
    await expectHeld(c, 1, false, 'h2 BACKUP again');

    // The interface itself taken down: the kernel flushes the routes over eth0; the blackhole route and the rules
    // are vipd's to remove. With MASTER again, what the kernel flushed is back too, except the IPv6 route: taking
    // eth0 down also removed its IPv6 address (no keep_addr_on_down), so the gateway is off-link now and the
    // kernel refuses that route. vipd logs it and installs the rest, as keepalived does.
    const tDown = Date.now();
    c.lab.cutLink(c.lab.hosts[0], 'host');
    await state(c, 0, 'FAULT');
    await expectHeld(c, 0, false, 'h1 FAULT, eth0 down');
    await c.waitHolder(VIP, 1, masterDownMs(ADV, 100) + 3000, { only: false });
    await expectHeld(c, 1, true, 'h2 MASTER after h1 went down');
    c.lab.restoreLink(c.lab.hosts[0], 'host');
    await c.waitHolder(VIP, 0, 5000);
    await expectHeld(c, 0, INSTALLED.filter((l) => !l.startsWith(`fd00:${SUBNET}::/48 `)), 'h1 MASTER again after eth0 came back up');
    await c.vipds[0].waitLog(new RegExp(`\\(VI_1\\) add route fd00:${SUBNET}::/48: .*(EHOSTUNREACH|ENETUNREACH)`), 1000, tDown);
    await expectHeld(c, 1, false, 'h2 BACKUP again');

    // SIGTERM on the master: it removes everything before it exits; h2 takes over and installs; then h2 stops too.
    await c.vipds[0].stop(3000);
    assert.equal(c.vipds[0].exitCode, 0);
    await expectHeld(c, 0, false, 'h1 stopped by SIGTERM');
    await c.waitHolder(VIP, 1, 3000);
    await expectHeld(c, 1, true, 'h2 MASTER after h1 stopped');
    assert.deepEqual(await c.stopAll([VIP]), [], `clean stop\n${c.logText()}`);
    await expectHeld(c, 1, false, 'h2 stopped by SIGTERM');
    // Told once per configuration loaded, not at every MASTER transition.
    for (const v of c.vipds) assert.equal(v.countLog(/virtual_routes entry .* will NOT be installed/), 1, c.logText());
  } finally {
    c.destroy();
  }
});
