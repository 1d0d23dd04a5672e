// Election with real vipd processes on a bridge: the highest priority becomes MASTER and is the only VIP holder,
// the others are BACKUP and follow it — as `vipd status --json` and `ip addr` show. VRRPv3 (IPv4, IPv6, multicast,
// unicast) at 0.1 s, and VRRPv2 with PASS authentication at 1 s. Every test stops its daemons with SIGTERM and
// checks that no VIP and no vipd is left. Subnets 31-35 are this file's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { sleep } from './helpers/wait.ts';
import { BIN, Cluster, captureBridge, configText, isVrrp, masterDownMs } from './helpers/daemon.ts';

/** Start, wait for `master` (index) to hold the VIP alone, and check every daemon's status. */
async function expectElected(c: Cluster, vip: string, master: number, masterAddr: string, timeoutMs: number): Promise<void> {
  await c.waitHolder(vip, master, timeoutMs);
  const st = await c.statuses(true);
  st.forEach((s, k) => {
    assert.ok(s, `${c.lab.hosts[k].name} answers status`);
    assert.equal(s.state, k === master ? 'MASTER' : 'BACKUP', `${c.lab.hosts[k].name} state\n${c.logText()}`);
    assert.equal(s.masterAddress, masterAddr, `${c.lab.hosts[k].name} sees the master`);
    assert.equal(s.vipsInstalled, k === master, `${c.lab.hosts[k].name} vipsInstalled`);
    assert.deepEqual(s.vips, [`${vip}/${vip.includes(':') ? 64 : 24}`]);
  });
  assert.deepEqual(c.holders(vip), [master], 'exactly one VIP holder');
}

async function finish(c: Cluster, vips: string[]): Promise<void> {
  const problems = await c.stopAll(vips);
  assert.deepEqual(problems, [], `clean stop\n${c.logText()}`);
}

test('v3 0.1 s, IPv4 multicast, three hosts: priority 150 is MASTER, 100 and 50 are BACKUP', async () => {
  const c = Cluster.create(3, 31);
  try {
    const vip = c.vip();
    const prios = [100, 150, 50];
    c.start(prios.map((p) => configText([{ priority: p, version: 3, advertInt: 0.1, vips: [`${vip}/24`] }])));
    await expectElected(c, vip, 1, c.addr(2), 5000);
    // Daemons start a few hundred ms apart, so a lower priority may be master for a moment before the best one
    // is up; once elected, the backups are silent and the master keeps sending.
    const st = await c.statuses();
    await sleep(500);
    const st2 = await c.statuses();
    assert.equal(st[1]!.masterPriority, 150);
    assert.equal(st[0]!.masterPriority, 150, 'backups record the master priority');
    for (const k of [0, 2]) {
      assert.ok(st2[k]!.stats.advert_rcvd > st[k]!.stats.advert_rcvd, 'a backup hears the master');
      assert.equal(st2[k]!.stats.advert_sent, st[k]!.stats.advert_sent, 'a backup is silent');
    }
    assert.ok(st2[1]!.stats.advert_sent >= st[1]!.stats.advert_sent + 3, 'the master sends every 0.1 s');
    // The human table too.
    const text = c.lab.exec(c.lab.hosts[1], [process.execPath, BIN, 'status', '-r', c.vipds[1].vrrpPid]);
    assert.match(text, /VI_1\s+MASTER\s+eth0\s+51\s+v3\s+150/);
    await finish(c, [vip]);
  } finally {
    c.destroy();
  }
});

test('v3 0.1 s, IPv6 multicast, three hosts: the master advertises from its link-local address', async () => {
  const c = Cluster.create(3, 32);
  try {
    const vip = c.vip(0x100, 6);
    const cap = await captureBridge(c.lab, 'ip6 proto 112');
    c.start([50, 100, 200].map((p) => configText([{ priority: p, version: 3, advertInt: 0.1, vips: [`${vip}/64`] }])));
    const ll = c.lab.linkLocal(c.lab.hosts[2]);
    await expectElected(c, vip, 2, ll, 5000);
    await cap.stop();
    const adverts = cap.frames.filter(isVrrp);
    assert.ok(adverts.length > 0, 'adverts captured');
    const last = adverts[adverts.length - 1].text;
    assert.match(last, new RegExp(`${ll} > ff02::12`), 'link-local source, ff02::12');
    assert.match(last, /vrid 51, prio 200/);
    await finish(c, [vip]);
  } finally {
    c.destroy();
  }
});

test('v3 0.1 s, IPv4 unicast (unicast_src_ip + unicast_peer): election, adverts go to the peers only', async () => {
  const c = Cluster.create(3, 33);
  try {
    const vip = c.vip();
    const cap = await captureBridge(c.lab, 'ip proto 112');
    const all = [1, 2, 3];
    c.start([120, 200, 80].map((p, k) => configText([{
      priority: p, version: 3, advertInt: 0.1, vips: [`${vip}/24`],
      unicast: { src: c.addr(k + 1), peers: all.filter((n) => n !== k + 1).map((n) => c.addr(n)) },
    }])));
    await expectElected(c, vip, 1, c.addr(2), 5000);
    await cap.stop();
    const fromMaster = cap.frames.filter((f) => isVrrp(f) && f.text.includes(`${c.addr(2)} > `));
    assert.ok(fromMaster.length >= 2, 'adverts captured');
    assert.ok(!cap.frames.some((f) => f.text.includes('224.0.0.18')), 'nothing sent to the multicast group');
    const dsts = new Set(fromMaster.map((f) => /> (10\.203\.33\.\d+):/.exec(f.text)?.[1]));
    assert.deepEqual([...dsts].sort(), [c.addr(1), c.addr(3)], 'one advert per peer');
    await finish(c, [vip]);
  } finally {
    c.destroy();
  }
});

test('v3 0.1 s, IPv6 unicast: election between global unicast sources', async () => {
  const c = Cluster.create(2, 34);
  try {
    const vip = c.vip(0x100, 6);
    c.start([100, 150].map((p, k) => configText([{
      priority: p, version: 3, advertInt: 0.1, vips: [`${vip}/64`],
      unicast: { src: c.addr(k + 1, 6), peers: [c.addr(2 - k, 6)] },
    }])));
    await expectElected(c, vip, 1, c.addr(2, 6), 5000);
    await finish(c, [vip]);
  } finally {
    c.destroy();
  }
});

test('v2 1 s with PASS authentication: MASTER and BACKUP agree, the password is on the wire, no auth errors', async () => {
  const c = Cluster.create(2, 35);
  try {
    const vip = c.vip();
    const cap = await captureBridge(c.lab, 'ip proto 112');
    c.start([
      configText([{ priority: 150, version: 2, advertInt: 1, vips: [`${vip}/24`], authPass: 'e2esecret', state: 'MASTER' }]),
      configText([{ priority: 100, version: 2, advertInt: 1, vips: [`${vip}/24`], authPass: 'e2esecret' }]),
    ]);
    await expectElected(c, vip, 0, c.addr(1), 2000 + masterDownMs(1, 150));
    await cap.stop();
    const adverts = cap.frames.filter((f) => isVrrp(f) && f.srcMac === c.lab.hosts[0].mac);
    assert.ok(adverts.length > 0, 'the master advertises');
    const last = adverts[adverts.length - 1].text;
    assert.match(last, /VRRPv2, Advertisement, vrid 51, prio 150, authtype simple, intvl 1s/);
    assert.match(last, /auth "e2esecre"/, 'PASS carries the first 8 bytes of auth_pass');
    const st = await c.statuses();
    assert.ok(st[1]!.stats.advert_rcvd > 0);
    assert.equal(st[1]!.stats.auth_failure + st[1]!.stats.authtype_mismatch + st[1]!.stats.invalid_authtype, 0);
    await finish(c, [vip]);
  } finally {
    c.destroy();
  }
});

/** Drop VRRP forwarded from one bridge port to another (a one-way partition). */
function blockVrrp(c: Cluster, from: number, to: number): void {
  const a = c.lab.hosts[from].bridgePort, b = c.lab.hosts[to].bridgePort;
  const script = ['table bridge e2eblock', 'delete table bridge e2eblock', 'table bridge e2eblock {',
    '  chain vrrp_block { type filter hook forward priority 0; policy accept;',
    `    iifname "${a}" oifname "${b}" ether type ip ip protocol 112 drop`, '  }', '}'].join('\n');
  execFileSync('ip', ['netns', 'exec', c.lab.bridgeNs, 'nft', '-f', '-'], { input: script, timeout: 10_000, stdio: ['pipe', 'ignore', 'pipe'] });
}

// BUG (reported, core F_FAST_PREEMPT): a BACKUP that follows a higher-priority master takes over on a
// lower-priority advert from a third router (fsm.ts onAdvert, fast-preemption branch), then yields on the
// master's next advert: it flaps every interval and sends GARPs for a VIP it does not own.
test('three hosts, the lowest one cut off from the master: the middle one stays BACKUP (no flapping)', async () => {
  const c = Cluster.create(3, 36);
  try {
    const vip = c.vip();
    c.start([150, 100, 50].map((p) => configText([{ priority: p, version: 3, advertInt: 0.1, vips: [`${vip}/24`] }])));
    await c.waitHolder(vip, 0, 5000);
    await sleep(300);
    // h3 stops hearing h1: after its Master_Down_Interval it is MASTER too and advertises priority 50.
    const since = Date.now();
    blockVrrp(c, 0, 2);
    await c.vipds[2].waitLog(/Entering MASTER STATE/, 2000, since);
    await sleep(1000);
    assert.equal(c.vipds[1].countLog(/Entering MASTER STATE/, since), 0, `h2 must not take over while h1 (150) is master\n${c.logText()}`);
    assert.equal((await c.vipds[1].instance()).state, 'BACKUP');
    await finish(c, [vip]);
  } finally {
    c.destroy();
  }
});
