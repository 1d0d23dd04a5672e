// A flood of invalid adverts (bad checksum, so each one goes through the core's checks up to #11) at a running
// master (v3/0.1 s), aimed at 100 000 frames/s for 3 s from the lab's client. Its own adverts, captured with
// tcpdump -tt in the bridge namespace (kernel timestamps, a BPF filter on h1's MAC so the flood is not copied),
// must keep their 100 ms schedule: every gap within 1 ms of 100 ms plus the same allowance the idle baseline needs on
// this shared 2-core machine (measured first, printed with the figures). Also: no state change, the flood is
// counted, no advert gap comes near Master_Down_Interval, the daemon keeps its fds. Subnets 233-234.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, captureBridge, isVrrp } from '../e2e/helpers/daemon.ts';
import { advertFrame } from './helpers/frames.ts';
import { inject } from './helpers/attacker.ts';
import { V3_FAST, assertNoFdGrowth, fdCount, finish, label, mdi, sleep, startPair } from './helpers/scenario.ts';

const RATE = 100_000;
const FLOOD_MS = 3000;
/** The requirement: the flood may not add more than this to any advert gap. */
const BOUND_MS = 1;

function stats(gaps: number[]): { n: number; max: number; p99: number; mean: number } {
  const s = [...gaps].sort((a, b) => a - b);
  return { n: s.length, max: s.at(-1) ?? 0, p99: s[Math.floor(0.99 * (s.length - 1))] ?? 0, mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length) };
}
const fmt = (x: ReturnType<typeof stats>) => `n=${x.n} mean ${x.mean.toFixed(3)} p99 ${x.p99.toFixed(3)} max ${x.max.toFixed(3)} ms`;

/** `masterGlobal`: global_defs lines for h1 only (the master whose adverts are measured). */
async function flood(subnet: number, strict: boolean, masterGlobal: string[] = []): Promise<void> {
  const c = Cluster.create(2, subnet);
  try {
    const vip = c.vip();
    await startPair(c, V3_FAST, vip, undefined, [masterGlobal, []]);
    const h1 = c.lab.hosts[0];
    const fd0 = fdCount(c.vipds[0]);
    const cap = await captureBridge(c.lab, `ether src ${h1.mac} and ip proto 112`);
    await sleep(2500); // baseline
    const before = await c.statuses();
    const frame = advertFrame({ srcMac: c.client.mac, src: c.client.ipv4 }, { vrid: 51, priority: 100, interval: 10, vips: [vip], checksumDelta: 1 });
    const tFlood = Date.now();
    const r = await inject(c.lab, c.client, [frame], RATE, FLOOD_MS);
    const tEnd = Date.now();
    await sleep(1000);
    const after = await c.statuses();
    await cap.stop();

    const adverts = cap.frames.filter(isVrrp);
    const gapsIn = (from: number, to: number) => {
      const fs = adverts.filter((f) => f.t >= from && f.t <= to);
      return fs.slice(1).map((f, k) => f.t - fs[k].t);
    };
    // Kernel timestamps vs Date.now(): the windows keep 50 ms away from the edges.
    const base = stats(gapsIn(tFlood - 2400, tFlood - 50));
    const flood = stats(gapsIn(tFlood + 50, tEnd - 50));
    const counted = after[0]!.stats.checksum_err - before[0]!.stats.checksum_err;
    const rate = r.sent / (r.ms / 1000);
    const figures = `flood: ${r.sent} frames in ${r.ms.toFixed(0)} ms (${Math.round(rate)}/s, ${r.failed} refused by the sender's kernel); ` +
      `h1 counted ${counted} (${((100 * counted) / Math.max(1, r.sent)).toFixed(1)} %, the rest dropped by the socket buffer); ` +
      `h1's advert gaps: baseline ${fmt(base)}; under flood ${fmt(flood)}`;
    console.log(figures);
    assert.ok(base.n >= 15 && flood.n >= 20, `enough adverts captured: ${figures}`);
    for (const [i, v] of c.vipds.entries()) {
      assert.equal(v.countLog(/Entering \w+ STATE/, tFlood), 0, `no state change on ${v.host.name}`);
      assert.equal(after[i]!.state, before[i]!.state);
    }
    assert.ok(counted > 0, 'the flood reached the core and was counted');
    // Always: no gap reaches the backup's Master_Down_Interval (the point where lateness becomes a false takeover).
    // Tighter here would measure the CI machine: with the flooder spinning one of two cores and another suite on
    // the other, gaps of 160 ms were seen; the precise bound is the skipped test below.
    assert.ok(flood.max < mdi(V3_FAST), `an advert gap reached Master_Down_Interval under the flood: ${figures}`);
    if (masterGlobal.length > 0) {
      // A realtime master must not win by starving the flooder: the flood still has to arrive at full rate.
      assert.ok(rate >= 0.8 * RATE, `the flood reached ${Math.round(rate)}/s: ${figures}`);
    }
    if (strict) {
      const slack = Math.max(0, base.max - 100);
      assert.ok(flood.max <= 100 + BOUND_MS + slack, `${figures}\nlimit: 100 + ${BOUND_MS} + baseline excess ${slack.toFixed(3)} ms`);
    }
    assertNoFdGrowth(c.vipds[0], fd0, 'the flood');
    await finish(c, [vip]);
  } finally {
    c.destroy();
  }
}

test(`${label(V3_FAST)}: a flood of invalid adverts (target 100 000/s for 3 s): counted, no state change, no gap near Master_Down_Interval, no fd growth`,
  () => flood(233, false));

// Without realtime scheduling this FAILS (measured 2026-12-04, not loosened): at 100 000 frames/s with the flooder
// spinning one of the 2 cores, the master's advert gaps reached 104.2 ms p99 / 108.0 ms max against an idle baseline
// max of 101.7 ms: the kernel's ordinary scheduler lets the flooder run first. With vrrp_rt_priority (the test after
// this one) the same flood leaves the gaps within 0.1 ms. Run this one with VIPD_FAULTS_KNOWN_BUGS=1.
test(`${label(V3_FAST)}: the same flood delays the master's adverts by no more than ${BOUND_MS} ms`,
  { skip: process.env.VIPD_FAULTS_KNOWN_BUGS ? false : 'known shortfall without vrrp_rt_priority: under a 100 000/s flood on 2 cores the master\'s adverts are up to ~8 ms late (docs/reliability.md); with it they are within 0.1 ms (next test)' },
  () => flood(234, true));

// What keepalived recommends against false failovers on a busy machine (keepalived-behaviour.md): realtime
// scheduling for the VRRP process. With `vrrp_rt_priority` on the master its event loop runs when its timer fires
// instead of queueing behind the flooder for a CPU, and the requirement holds (the flood still at >= 80 000/s).
test(`${label(V3_FAST)}: with vrrp_rt_priority 50, the same flood delays the master's adverts by no more than ${BOUND_MS} ms`,
  () => flood(235, true, ['vrrp_rt_priority 50']));
