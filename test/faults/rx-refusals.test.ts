// What the daemon says about datagrams it refuses, seen from outside (v2/1 s multicast pair, h1 MASTER 150, h2
// BACKUP 100; hostile frames from the client through AF_PACKET, test/faults/helpers):
// - datagrams for no instance (VRID 99) and too short for a VRRP header move only the engine-wide counters, which
//   `vipd status --json` shows under "engine" and `vipd status` on one line;
// - a VRRPv2 advert whose interval is not ours is logged with keepalived's words, "(VI_1) advertisement interval
//   mismatch mine=1 sec rcv'd=5 sec", rate-limited: 20 of them are one line, and the next one 10 s later says how
//   many were not logged.
// Subnet 248.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BIN, Cluster } from '../e2e/helpers/daemon.ts';
import type { Stats } from '../../host/core/names.ts';
import { STAT_NAMES } from '../../host/core/names.ts';
import type { StatusReport } from '../../host/daemon/status.ts';
import { advertFrame, ip4Frame } from './helpers/frames.ts';
import { inject } from './helpers/attacker.ts';
import { V2_SLOW, finish, inCluster, label, sleep, startPair } from './helpers/scenario.ts';

const COPIES = 20;
/** Counters that mean normal traffic, not an error. */
const NORMAL = new Set(['advert_rcvd', 'advert_sent', 'csum_plain', 'csum_pseudo', 'lower_prio_rcvd']);

function moved(a: Stats, b: Stats): Partial<Record<keyof Stats, number>> {
  const d: Partial<Record<keyof Stats, number>> = {};
  for (const k of STAT_NAMES) if (b[k] !== a[k] && !NORMAL.has(k)) d[k] = b[k] - a[k];
  return d;
}

function engineMoved(a: StatusReport, b: StatusReport): Record<string, number> {
  const d: Record<string, number> = {};
  for (const [k, v] of Object.entries(b.engine)) if (v !== a.engine[k as keyof typeof a.engine]) d[k] = v - a.engine[k as keyof typeof a.engine];
  return d;
}

test(`${label(V2_SLOW)}: engine-wide drop counters in vipd status; an advert_int mismatch logged as keepalived does, rate-limited`, async () => {
  const c = Cluster.create(2, 248);
  await inCluster(c, async () => {
    const vip = c.vip();
    await startPair(c, V2_SLOW, vip);
    const ip = { srcMac: c.client.mac, src: c.client.ipv4 };
    const good = { version: 2, vrid: 51, priority: 100, interval: 1, vips: [vip] };

    // Nothing for an instance: only the engine counts them.
    const before = await Promise.all(c.vipds.map((v) => v.statusCli()));
    assert.deepEqual(Object.keys(before[0].engine).sort(),
      ['bad_family', 'bad_ip_header', 'bad_protocol', 'kernel_drops', 'too_short', 'truncated', 'truncated_reads', 'unknown_vrid']);
    const junk = [
      ...Array.from({ length: COPIES }, () => advertFrame(ip, { ...good, vrid: 99 })),
      ...Array.from({ length: COPIES }, () => ip4Frame(ip, Buffer.from([0x21, 51, 100, 0]))),
    ];
    assert.equal((await inject(c.lab, c.client, junk)).sent, 2 * COPIES);
    await sleep(300);
    const after = await Promise.all(c.vipds.map((v) => v.statusCli()));
    for (const k of [0, 1]) {
      assert.deepEqual(engineMoved(before[k], after[k]), { unknown_vrid: COPIES, too_short: COPIES }, `${c.lab.hosts[k].name} engine`);
      assert.deepEqual(moved(before[k].instances[0].stats, after[k].instances[0].stats), {}, `${c.lab.hosts[k].name}: no instance counter`);
    }
    const text = await c.lab.run(c.lab.hosts[1], [process.execPath, BIN, 'status', '-r', c.vipds[1].vrrpPid], 10_000);
    assert.equal(text.code, 0, text.stderr);
    const e = after[1].engine;
    assert.match(text.stdout, new RegExp(`^dropped before an instance: ${e.unknown_vrid + e.too_short} \\(unknown VRID ${e.unknown_vrid}, too short ${e.too_short}, .*; kernel receive-queue drops 0$`, 'm'));

    // advert_int 5 s at instances configured for 1 s: dropped, counted, logged once, not 20 times.
    const t0 = Date.now();
    const odd = advertFrame(ip, { ...good, interval: 5 });
    assert.equal((await inject(c.lab, c.client, Array.from({ length: COPIES }, () => odd))).sent, COPIES);
    await sleep(300);
    const line = /\(VI_1\) advertisement interval mismatch mine=1 sec rcv'd=5 sec$/;
    const mid = await c.statuses();
    for (const [k, v] of c.vipds.entries()) {
      assert.deepEqual(moved(after[k].instances[0].stats, mid[k]!.stats), { advert_interval_err: COPIES });
      assert.equal(v.countLog(/advertisement interval mismatch/, t0), 1, `${v.host.name}: one line for ${COPIES}\n${v.logText()}`);
      assert.ok(v.findLog(line, t0), v.logText());
      assert.equal(v.countLog(/Entering \w+ STATE/, t0), 0, 'no state change');
    }
    // 10 s after that line, the next one is logged with the count of those that were not.
    const first = Math.max(...c.vipds.map((v) => v.findLog(line, t0)!.t));
    await sleep(10_200 - (Date.now() - first));
    const t1 = Date.now();
    assert.equal((await inject(c.lab, c.client, [odd])).sent, 1);
    for (const v of c.vipds) {
      await v.waitLog(/\(VI_1\) advertisement interval mismatch mine=1 sec rcv'd=5 sec \(19 more since the last report\)$/, 2000, t1);
    }
    assert.deepEqual(c.holders(vip), [0]);
    await finish(c, [vip]);
  });
});
