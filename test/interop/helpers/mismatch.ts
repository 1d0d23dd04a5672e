// advert_int differs between the two sides. keepalived 2.2.7 drops a VRRPv2 advert whose interval is not its own
// (both sides end up master, by design), and a VRRPv3 backup adopts the master's interval (one master).
import assert from 'node:assert/strict';
import type { Mode } from './conf.ts';
import type { Kind } from './daemons.ts';
import { Pair, type PairOptions } from './pair.ts';
import { KeepalivedCounters, assertCleanWire, refusalLines } from './scenario.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll vipd's status until it has adopted a master's interval at least once. */
async function waitAdopted(p: Pair, timeoutMs: number): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; i < 1000 && performance.now() - t0 < timeoutMs; i++) {
    if ((await p.vipd.vipdStatus()).instances[0].stats.interval_adopted > 0) return;
    await sleep(50);
  }
  throw new Error(`vipd did not adopt the master's interval within ${timeoutMs} ms\n${p.vipd.tail(12)}`);
}

/** Runs `body` on a fresh pair; on failure the transcript's tail joins the error and the pair's directory is kept. */
async function withPair(opts: PairOptions, body: (p: Pair) => Promise<void>): Promise<void> {
  const p = await Pair.create(opts);
  let ok = false;
  try {
    await body(p);
    ok = true;
  } catch (e) {
    (e as Error).message += `\n--- transcript (kept in ${p.dir}) ---\n${p.transcript().split('\n').slice(-50).join('\n')}`;
    throw e;
  } finally {
    p.destroy(!ok);
  }
}

/** Starts both sides and checks that each refuses the other: both MASTER, both holding the VIP, 2.5 s on. */
async function expectTwoMasters(p: Pair, boundMs: number): Promise<void> {
  p.low.start();
  p.high.start();
  await Promise.all([p.waitMaster(p.high, boundMs), p.waitMaster(p.low, boundMs)]);
  await sleep(2500);
  assert.equal(p.high.state, 'MASTER');
  assert.equal(p.low.state, 'MASTER');
  assert.ok(p.holds(p.high) && p.holds(p.low), 'both hold the VIP: neither accepts the other');
}

/** v2: high and low advertise at different whole seconds; each drops the other's adverts, both become master. */
export async function v2Mismatch(mode: Mode, high: Kind, subnet: number): Promise<void> {
  await withPair({ mode, high, subnet, advertInt: { [high]: 1, [high === 'vipd' ? 'keepalived' : 'vipd']: 2 } }, async (p) => {
    await expectTwoMasters(p, 3 * 2000 + 1000 + 15_000);
    const c = new KeepalivedCounters();
    await c.sample(p.keepalived);
    // keepalived 2.2.7 logs the mismatch for every advert but counts it nowhere (Advertisement Interval stays 0).
    const mine = p.keepalived === p.high ? 1 : 2;
    await p.keepalived.waitLog(new RegExp(`\\(VI_1\\) advertisement interval mismatch mine=${mine} sec rcv'd=${3 - mine} sec`), 0, 10);
    assert.deepEqual(c.errors(), []);
    assert.deepEqual(refusalLines(p.keepalived, /advertisement interval mismatch/), []);
    const st = (await p.vipd.vipdStatus()).instances[0].stats;
    assert.ok(st.advert_interval_err > 0, `vipd counted the interval mismatch (${st.advert_interval_err})`);
    assert.equal(st.checksum_err, 0);
    await assertCleanWire(p);
  });
}

/**
 * v3: the master advertises every 1 s, the backup is configured for 0.1 s. Without adopting the master's interval
 * the backup's Master_Down_Interval (0.36 s) would run out between adverts and it would flap; with it, one master.
 */
export async function v3Mismatch(mode: Mode, high: Kind, subnet: number): Promise<void> {
  await withPair({ mode, high, subnet, advertInt: { [high]: 1, [high === 'vipd' ? 'keepalived' : 'vipd']: 0.1 } }, async (p) => {
    p.low.start();
    p.high.start();
    const bound = 3 * 1000 + 1000 + 15_000;
    await p.waitSettled(p.high, bound);
    // The low side starts first, and its own first Master_Down_Interval (0.36 s) may run out before the high side
    // sends anything: it is master for a moment and yields to the first 1-s advert, adopting its interval there.
    // That start-up step is the protocol's; what this case checks is that from the adoption on, nobody moves.
    if (p.low === p.vipd) {
      await waitAdopted(p, bound);
    } else {
      await p.low.waitLog(/advertisement interval updated from 100ms to 1000ms by master/, 0, bound);
    }
    await p.waitSettled(p.high, bound);
    await p.assertStable(3000);
    const c = new KeepalivedCounters();
    await c.sample(p.keepalived);
    assert.deepEqual(c.errors(), []);
    assert.deepEqual(refusalLines(p.keepalived), []);
    if (p.low === p.vipd) {
      const st = (await p.vipd.vipdStatus()).instances[0];
      assert.ok(st.stats.interval_adopted > 0, 'vipd adopted the master interval');
      assert.equal(st.state, 'BACKUP');
    }
    await assertCleanWire(p);
  });
}

/**
 * AH with a different auth_pass on each side: every advert fails the other's ICV check, so both become master. Proves
 * that each side really checks the other's ICV: keepalived logs its HMAC refusal and counts Authentication
 * Errors.Failure, vipd counts auth_failure and ah_icv_err, and neither takes the refusals for replays.
 */
export async function ahPasswordMismatch(mode: Mode, high: Kind, subnet: number): Promise<void> {
  await withPair({ mode, high, subnet, authAh: { vipd: 'vipd-pw', keepalived: 'ka-pw' } }, async (p) => {
    await expectTwoMasters(p, 3 * 1000 + 1000 + 15_000);
    await p.keepalived.waitLog(/IPSEC-AH : invalid IPSEC HMAC-MD5 value/, 0, 10);
    const c = new KeepalivedCounters();
    await c.sample(p.keepalived);
    assert.ok(c.total('Authentication Errors.Failure') >= 2, `keepalived auth failures ${c.total('Authentication Errors.Failure')}`);
    assert.equal(p.keepalived.count(/sequence number .* already processed/), 0, 'keepalived saw no replay');
    const st = (await p.vipd.vipdStatus()).instances[0].stats;
    // Observed with 2.2.7: as master, keepalived sent one advert and then none until it stopped, while it refused
    // ours every second; so vipd may see a single one.
    assert.ok(st.auth_failure >= 1 && st.ah_icv_err === st.auth_failure, `vipd auth_failure ${st.auth_failure}, ah_icv_err ${st.ah_icv_err}`);
    assert.equal(st.ah_replay, 0);
    assert.equal(st.advert_rcvd, 0);
    await assertCleanWire(p);
  });
}
