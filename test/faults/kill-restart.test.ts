// Crashes: SIGKILL on the master (the backup takes over within Master_Down_Interval; the restarted master removes
// the VIP its dead predecessor left and preempts), SIGKILL on the backup (the master does not notice), and both
// killed and restarted in every order (the VIP ends on h1 alone, h2 never keeps it). Subnets 210-215.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from '../e2e/helpers/daemon.ts';
import {
  MARGIN_MS, PRIO, V2_SLOW, V3_FAST, type Timing, finish, label, mdi, sampleHolders, sleep, startPair, waitFor,
} from './helpers/scenario.ts';

async function masterKill(t: Timing, subnet: number): Promise<void> {
  const c = Cluster.create(2, subnet);
  try {
    const vip = c.vip();
    await startPair(c, t, vip);
    await sleep(3 * t.adv * 1000);
    const before = await c.vipds[1].instance();
    const tKill = c.vipds[0].signal('SIGKILL');
    await c.vipds[0].waitExit(2000);
    assert.equal(c.vipds[0].exitSignal, 'SIGKILL');
    const tVip = await c.waitHolder(vip, 1, mdi(t) + 3000, { only: false, stepMs: 2 });
    assert.ok(tVip - tKill <= mdi(t) + MARGIN_MS, `takeover ${tVip - tKill} ms after SIGKILL (Master_Down_Interval ${mdi(t)} ms)`);
    const i2 = await c.vipds[1].instance();
    assert.equal(i2.state, 'MASTER');
    assert.equal(i2.stats.become_master, before.stats.become_master + 1);
    assert.ok(c.vipds[1].findLog(/\(VI_1\) Receive advertisement timeout/, tKill));
    // A killed daemon cannot clean up: the VIP is still on h1 until its next run removes it.
    assert.deepEqual(c.holders(vip), [0, 1]);
    const since = Date.now();
    c.vipds[0].start();
    await c.vipds[0].waitLog(/removing VIPs left by an earlier run/, 5000, since);
    await c.waitHolder(vip, 0, 5000 + mdi(t, PRIO[0]));
    await waitFor('h2 back to BACKUP', async () => (await c.vipds[1].instance()).state === 'BACKUP', 3000, 20);
    await finish(c, [vip]);
  } finally {
    c.destroy();
  }
}

test(`${label(V3_FAST)}: master SIGKILL -> backup takes over within Master_Down_Interval; restart removes the leftover VIP and preempts`,
  () => masterKill(V3_FAST, 210));

test(`${label(V2_SLOW)}: master SIGKILL -> takeover within 3 x 1 s + skew (whole-second timers)`,
  () => masterKill(V2_SLOW, 211));

test(`${label(V3_FAST)}: backup SIGKILL -> the master does not notice; the restarted backup never takes the VIP`, async () => {
  const c = Cluster.create(2, 212);
  try {
    const vip = c.vip();
    await startPair(c, V3_FAST, vip);
    const before = await c.vipds[0].instance();
    const watch = sampleHolders(c, vip, 5);
    const tKill = c.vipds[1].signal('SIGKILL');
    await c.vipds[1].waitExit(2000);
    await sleep(2 * mdi(V3_FAST));
    const since = Date.now();
    c.vipds[1].start();
    await c.vipds[1].waitLog(/Entering BACKUP STATE \(init\)/, 10_000, since);
    // Past the restarted backup's own Master_Down_Interval: it must hear h1 and stay BACKUP.
    await sleep(3 * mdi(V3_FAST));
    watch.stop();
    const i1 = await c.vipds[0].instance();
    assert.equal(i1.state, 'MASTER');
    assert.equal(i1.stats.become_master, before.stats.become_master, 'h1 never left MASTER');
    assert.equal(c.vipds[0].countLog(/Entering \w+ STATE/, tKill), 0, 'h1 logged no state change');
    assert.equal((await c.vipds[1].instance()).state, 'BACKUP');
    assert.equal(c.vipds[1].countLog(/Entering MASTER STATE/, since), 0, 'restarted backup stayed BACKUP');
    const bad = watch.samples.filter((s) => s.holders.join() !== '0');
    assert.deepEqual(bad, [], `the VIP stayed on h1 alone in ${watch.samples.length} samples`);
    await finish(c, [vip]);
  } finally {
    c.destroy();
  }
});

const ORDERS: { name: string; first: number[]; second: number[] }[] = [
  { name: 'master then backup', first: [0], second: [1] },
  { name: 'backup then master', first: [1], second: [0] },
  { name: 'both at once', first: [0, 1], second: [] },
];

test(`${label(V3_FAST)}: both SIGKILLed, restarted in every order -> the VIP ends on h1 alone, h2 BACKUP`, async () => {
  const c = Cluster.create(2, 213);
  try {
    const vip = c.vip();
    await startPair(c, V3_FAST, vip);
    for (const o of ORDERS) {
      for (const v of c.vipds) v.signal('SIGKILL');
      await Promise.all(c.vipds.map((v) => v.waitExit(2000)));
      assert.ok(c.holders(vip).includes(0), `${o.name}: h1's VIP is left behind by the kill`);
      const since = Date.now();
      for (const k of o.first) c.vipds[k].start();
      if (o.second.length > 0) {
        // The first one alone long enough to settle (a lone h2 becomes MASTER after its Master_Down_Interval; the
        // dead h1's VIP is still there then, nobody is left to remove it).
        await c.waitHolder(vip, o.first[0], 10_000 + mdi(V3_FAST), { only: o.first[0] === 0 });
        for (const k of o.second) c.vipds[k].start();
      }
      await c.waitHolder(vip, 0, 10_000 + mdi(V3_FAST, PRIO[0]));
      await waitFor(`${o.name}: h2 BACKUP`, async () => (await c.vipds[1].instance().catch(() => null))?.state === 'BACKUP', 5000, 20);
      // Settled: stays that way for a few Master_Down_Intervals.
      await sleep(3 * mdi(V3_FAST));
      assert.deepEqual(c.holders(vip), [0], `${o.name}: h1 alone holds the VIP\n${c.logText()}`);
      assert.equal((await c.vipds[0].instance()).state, 'MASTER', o.name);
      assert.equal((await c.vipds[1].instance()).state, 'BACKUP', o.name);
      assert.ok(c.vipds[0].findLog(/removing VIPs left by an earlier run/, since), `${o.name}: h1 removed the leftover first`);
    }
    await finish(c, [vip]);
  } finally {
    c.destroy();
  }
});
