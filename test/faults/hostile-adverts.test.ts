// Hostile adverts from a stranger on the LAN (the lab's client, through a raw AF_PACKET socket): every field wrong
// in turn. Each kind is sent 20 times at a running pair (h1 MASTER 150, h2 BACKUP 100). Expected: each copy is
// dropped and counted under keepalived's counter for it on both hosts (status --json stats; exactly 20), no other
// error counter moves, and no state changes. The one legitimate case, a valid priority-255 advert from a stranger,
// does what keepalived 2.2.7 does with it: the master hears a higher priority and yields (vrrp_state_master_rx),
// both follow the stranger, and when it goes quiet h1 takes over again after Master_Down_Interval.
// v3/0.1 s multicast (subnet 231) and v2/1 s unicast with PASS authentication (subnet 232).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, configText, type InstanceSpec } from '../e2e/helpers/daemon.ts';
import type { Stats } from '../../host/core/names.ts';
import { STAT_NAMES } from '../../host/core/names.ts';
import { type Advert, type Ip4, advertFrame } from './helpers/frames.ts';
import { inject } from './helpers/attacker.ts';
import { MARGIN_MS, PRIO, V2_SLOW, V3_FAST, finish, label, mdi, sleep, waitFor } from './helpers/scenario.ts';

const COPIES = 20;
/** Counters that mean "accepted" or "normal traffic", not an error. */
const NORMAL = new Set(['advert_rcvd', 'advert_sent', 'csum_pseudo', 'csum_plain', 'lower_prio_rcvd']);

/** `counter`: keepalived's counter that moves (and vipd's own, when vipd keeps a finer one beside it). */
interface Case { name: string; ip?: Partial<Ip4>; advert?: Partial<Advert>; counter: keyof Stats | null; also?: keyof Stats }

function delta(a: Stats, b: Stats): Partial<Record<keyof Stats, number>> {
  const d: Partial<Record<keyof Stats, number>> = {};
  for (const k of STAT_NAMES) if (b[k] !== a[k] && !NORMAL.has(k)) d[k] = b[k] - a[k];
  return d;
}

async function hostile(c: Cluster, cases: Case[], base: { ip: Ip4; advert: Advert }, targets: number[]): Promise<string[]> {
  const figures: string[] = [];
  for (const k of cases) {
    const frame = advertFrame({ ...base.ip, ...k.ip }, { ...base.advert, ...k.advert });
    const before = await c.statuses();
    const t0 = Date.now();
    const r = await inject(c.lab, c.client, Array.from({ length: COPIES }, () => frame));
    assert.equal(r.sent, COPIES, `${k.name}: injected`);
    await sleep(300);
    const after = await c.statuses();
    for (const i of targets) {
      const d = delta(before[i]!.stats, after[i]!.stats);
      const want = k.counter === null ? {} : { [k.counter]: COPIES, ...(k.also ? { [k.also]: COPIES } : {}) };
      assert.deepEqual(d, want, `${k.name} at ${c.lab.hosts[i].name}: counters moved ${JSON.stringify(d)}, expected ${JSON.stringify(want)}`);
    }
    for (const [i, v] of c.vipds.entries()) {
      assert.equal(v.countLog(/Entering \w+ STATE/, t0), 0, `${k.name}: no state change on ${v.host.name}`);
      assert.equal(after[i]!.state, before[i]!.state);
    }
    // Logged, but rate-limited: 20 identical drops are one line (plus a "N more" summary at most).
    const from = base.ip.src.replace(/\./g, '\\.');
    const lines = Math.max(...targets.map((i) => c.vipds[i].countLog(new RegExp(`from ${k.ip?.src?.replace(/\./g, '\\.') ?? from}`), t0)));
    assert.ok(lines <= 2, `${k.name}: ${lines} log lines for ${COPIES} drops`);
    figures.push(`${k.name}: ${k.counter ? `${k.counter} +${COPIES}` : 'no per-instance counter moves'}, ${lines} log line(s)`);
  }
  return figures;
}

test(`${label(V3_FAST)} multicast: adverts with each field wrong are dropped, counted, and change nothing; a stranger's valid priority 255 wins as in keepalived`, async () => {
  const c = Cluster.create(2, 231);
  try {
    const vip = c.vip();
    const spec = (k: number): InstanceSpec => ({ priority: PRIO[k], version: 3, advertInt: 0.1, vips: [`${vip}/24`], state: k === 0 ? 'MASTER' : 'BACKUP' });
    c.start([configText([spec(0)]), configText([spec(1)])]);
    await c.waitHolder(vip, 0, 10_000);
    await waitFor('h2 BACKUP', async () => (await c.vipds[1].instance().catch(() => null))?.state === 'BACKUP', 5000, 20);
    const base = {
      ip: { srcMac: c.client.mac, src: c.client.ipv4 },
      advert: { vrid: 51, priority: 100, interval: 10, vips: [vip] },
    };
    const cases: Case[] = [
      { name: 'TTL 64', ip: { ttl: 64 }, counter: 'ip_ttl_err' },
      { name: 'version 4', advert: { version: 4 }, counter: 'version_err' },
      { name: 'version 2 at a v3 instance', advert: { version: 2, interval: 1 }, counter: 'version_err' },
      { name: 'type 2', advert: { type: 2 }, counter: 'invalid_type_rcvd' },
      { name: 'count 2, one address', advert: { count: 2 }, counter: 'packet_len_err' },
      { name: 'IP total length 4 short (the VRRP length no longer fits its count)', ip: { totalLengthDelta: -4 }, counter: 'packet_len_err' },
      { name: 'checksum off by one', advert: { checksumDelta: 1 }, counter: 'checksum_err' },
      { name: 'interval 0', advert: { interval: 0 }, counter: 'interval_zero' },
      // keepalived files it under addr_list_err; vipd's own counter says which refusal it was.
      { name: 'other address list', advert: { vips: [c.vip(99)] }, counter: 'addr_list_err', also: 'addr_missing_drop' },
      { name: 'VRID 99 (no such instance: engine-wide counter only)', advert: { vrid: 99 }, counter: null },
      { name: 'IP protocol 113', ip: { protocol: 113 }, counter: null },
    ];
    const figures = await hostile(c, cases, base, [0, 1]);
    console.log(figures.join('\n'));
    assert.deepEqual(c.holders(vip), [0]);

    // The legitimate case: a valid advert with priority 255 from a stranger, 0.1 s apart for 1 s.
    const t0 = Date.now();
    const before = await c.statuses();
    const stranger = advertFrame(base.ip, { ...base.advert, priority: 255 });
    const r = await inject(c.lab, c.client, [stranger], 10, 1000);
    assert.ok(r.sent >= 8, `stranger sent ${r.sent}`);
    const tQuiet = Date.now();
    await c.vipds[0].waitLog(/Master received advert from 10\.203\.231\.200 with higher priority 255, ours 150/, 2000, t0);
    const mid = await c.statuses();
    // Quiet stranger: h1 takes over again after its Master_Down_Interval (h2's is longer).
    await c.waitHolder(vip, 0, mdi(V3_FAST, PRIO[0]) + 3000);
    const tBack = Date.now();
    const after = await c.statuses();
    assert.equal(after[0]!.stats.release_master, before[0]!.stats.release_master + 1, 'h1 yielded once');
    assert.equal(after[0]!.stats.become_master, before[0]!.stats.become_master + 1, 'and came back once');
    assert.equal(after[1]!.stats.become_master, before[1]!.stats.become_master, 'h2 never became master');
    assert.ok(tBack - tQuiet <= mdi(V3_FAST, PRIO[0]) + 2 * MARGIN_MS, `h1 back ${tBack - tQuiet} ms after the stranger stopped`);
    assert.ok(mid[1]!.masterAddress === c.client.ipv4 || after[1]!.masterAddress === c.lab.hosts[0].ipv4);
    await finish(c, [vip]);
  } finally {
    c.destroy();
  }
});

test(`${label(V2_SLOW)} unicast with PASS: wrong password, auth type, interval, a spoofed source are dropped and counted`, async () => {
  const c = Cluster.create(2, 232);
  try {
    const vip = c.vip();
    const spec = (k: number): InstanceSpec => ({
      priority: PRIO[k], version: 2, advertInt: 1, vips: [`${vip}/24`], state: k === 0 ? 'MASTER' : 'BACKUP', authPass: 'secret12',
      unicast: { src: c.addr(k + 1), peers: [c.addr(2 - k), c.client.ipv4] },
      // keepalived drops a unicast advert from a non-peer only with check_unicast_src (or a peer's TTL bounds)
      extra: ['check_unicast_src'],
    });
    c.start([configText([spec(0)]), configText([spec(1)])]);
    await c.waitHolder(vip, 0, 15_000);
    await waitFor('h2 BACKUP', async () => (await c.vipds[1].instance().catch(() => null))?.state === 'BACKUP', 8000, 50);
    const h2 = c.lab.hosts[1];
    // The client is a configured peer, so only the field under test is wrong (except for the spoofed source).
    const base = {
      ip: { srcMac: c.client.mac, src: c.client.ipv4, dst: h2.ipv4, dstMac: h2.mac },
      advert: { version: 2, vrid: 51, priority: 100, interval: 1, vips: [vip], authType: 1, pass: 'secret12' },
    };
    const cases: Case[] = [
      { name: 'wrong password', advert: { pass: 'guessed1' }, counter: 'auth_failure' },
      { name: 'auth type none', advert: { authType: 0, pass: undefined }, counter: 'authtype_mismatch' },
      { name: 'auth type 5', advert: { authType: 5 }, counter: 'invalid_authtype' },
      { name: 'interval 5 s', advert: { interval: 5 }, counter: 'advert_interval_err' },
      { name: 'spoofed source 10.203.232.77 (not a peer)', ip: { src: '10.203.232.77' }, counter: 'unicast_src_err' },
    ];
    const figures = await hostile(c, cases, base, [1]);
    console.log(figures.join('\n'));
    assert.deepEqual(c.holders(vip), [0]);
    await finish(c, [vip]);
  } finally {
    c.destroy();
  }
});
