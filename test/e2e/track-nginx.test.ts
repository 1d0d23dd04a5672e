// The nginx scenario with real vipd processes: `vrrp_script chk_nginx` (the "service" is a flag file; the check is
// a script testing it) on the master (priority 100) against a backup (90), fall 3 / rise 2 at interval 1.
// - weight -20: service down -> 80 -> the backup takes over; back -> the master preempts again. vipd's default
//   fast preemption (docs/compat.md) takes over on the first lower advert; --keepalived-compat waits for
//   Master_Down_Interval as keepalived does. Both are asserted from the daemons' own millisecond log stamps.
// - weight 0: service down -> FAULT (a priority-0 advert on the wire, VIP gone); back -> BACKUP -> MASTER.
// - nopreempt on both (state BACKUP): the VIP stays with the backup after the master's recovery.
// Subnets 61-64.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { captureBridge, hasAddress, isVrrp, masterDownMs, vrrpPriority } from './helpers/daemon.ts';
import { TrackEnv, quietStop, stampOf, trackConf, tryInstance, vrrpScriptText } from './helpers/track.ts';
import { sleep, waitFor } from './helpers/wait.ts';

const ADV = 0.1;
/** Scheduling slack on a shared 2-core machine (the fast/slow windows below are 100 ms vs >= 260 ms apart). */
const MARGIN_MS = 80;

interface Case {
  subnet: number;
  weight: number;
  nopreempt?: boolean;
  compat?: boolean;
}

async function nginx(o: Case): Promise<void> {
  const env = TrackEnv.create({ hosts: 2, subnet: o.subnet, client: false });
  const [h1, h2] = env.hosts;
  const vip = `10.203.${o.subnet}.100`;
  const v = env.hosts.map((h) => env.vipd(h));
  try {
    const chk = env.script('chk_nginx.sh', `test -e ${env.path('nginx-up')}`);
    env.setFlag('nginx-up', true);
    const conf = (k: number) => trackConf({
      blocks: k === 0 ? [vrrpScriptText({ name: 'chk_nginx', script: chk, interval: 1, weight: o.weight, fall: 3, rise: 2 })] : [],
      instances: [{
        priority: k === 0 ? 100 : 90, version: 3, advertInt: ADV, vips: [`${vip}/24`],
        state: o.nopreempt ? 'BACKUP' : k === 0 ? 'MASTER' : 'BACKUP', nopreempt: o.nopreempt,
        extra: k === 0 ? ['track_script {', '  chk_nginx', '}'] : [],
      }],
    });
    const args = o.compat ? ['--keepalived-compat'] : [];
    v.forEach((x, k) => x.writeConfig(conf(k)));
    const holds = (k: number) => waitFor(`${vip} on h${k + 1} only`, () => hasAddress(env.lab, env.hosts[k], vip) && !hasAddress(env.lab, env.hosts[1 - k], vip), 8000, 10)
      .catch((e: Error) => { throw new Error(`${e.message}\n${v[0].logText()}\n${v[1].logText()}`); });
    // h1 first: with nopreempt (both BACKUP) whoever wins the start-up election keeps the VIP, and that must
    // not depend on which process got going first.
    v[0].start(args);
    await waitFor(`${vip} on h1`, () => hasAddress(env.lab, h1, vip), 8000, 10);
    v[1].start(args);
    await holds(0);
    await waitFor('h1 MASTER at 100, h2 BACKUP', async () => {
      const [a, b] = [await tryInstance(v[0]), await tryInstance(v[1])];
      return a !== undefined && b !== undefined && a.state === 'MASTER' && a.effectivePriority === 100 && b.state === 'BACKUP';
    }, 5000, 50);

    // The service stops.
    const cap = o.weight === 0 ? await captureBridge(env.lab, 'ip proto 112') : undefined;
    const tDown = Date.now();
    env.setFlag('nginx-up', false);
    await holds(1);
    const failed = await stampOf(v[0], /VRRP_Script\(chk_nginx\) failed/, tDown);
    // fall 3 at interval 1: the third failed run, 2-3 s after the flag went (the first may be just after it).
    assert.ok(failed - tDown >= 1900 && failed - tDown <= 3000 + MARGIN_MS * 4, `failure reported ${failed - tDown} ms after the service stopped (fall 3, interval 1 s)`);
    const took = await stampOf(v[1], /\(VI_1\) Entering MASTER STATE/, tDown) - failed;
    const a = await v[0].instance();
    if (o.weight === 0) {
      assert.equal(a.state, 'FAULT', 'weight 0: the master goes FAULT');
      // A master leaving for FAULT says so with priority 0, so the backup takes over after its skew time only.
      // tcpdump's last lines may still be on their way through the pipe.
      await sleep(300);
      await cap!.stop();
      const zero = cap!.frames.filter((f) => isVrrp(f) && f.srcMac === h1.mac && f.t >= tDown && vrrpPriority(f) === 0);
      assert.ok(zero.length >= 1, `h1 sent a priority-0 advert when going FAULT:\n${cap!.frames.slice(-8).map((f) => f.text.split('\n')[0]).join('\n')}`);
      assert.ok(took <= (256 - 90) / 256 * ADV * 1000 + MARGIN_MS, `backup took over ${took} ms after the failure (priority 0 -> skew time)`);
    } else {
      assert.equal(a.state, 'BACKUP');
      assert.equal(a.effectivePriority, 80, 'weight -20: 100 -> 80');
      assert.equal(a.basePriority, 100);
      if (o.compat) {
        // keepalived: the backup ignores the lower advert and waits for its Master_Down_Interval.
        assert.ok(took >= masterDownMs(ADV, 90) - ADV * 1000 - 5, `--keepalived-compat: backup took over ${took} ms after the drop (>= Master_Down_Interval - one interval)`);
        assert.ok(took <= masterDownMs(ADV, 90) + MARGIN_MS, `--keepalived-compat: backup took over ${took} ms after the drop`);
      } else {
        // vipd: the backup preempts the lower-priority master on its next advert.
        assert.ok(took <= ADV * 1000 + MARGIN_MS, `fast preemption: backup took over ${took} ms after the drop (one advert interval)`);
      }
    }
    assert.equal((await v[1].instance()).state, 'MASTER');

    // The service comes back.
    const tUp = Date.now();
    env.setFlag('nginx-up', true);
    const rose = await stampOf(v[0], /VRRP_Script\(chk_nginx\) succeeded/, tUp, 4000);
    // rise 2: the second good run, 1-2 s after the flag (the first may be just after it).
    assert.ok(rose - tUp >= 900 && rose - tUp <= 2000 + MARGIN_MS * 4, `recovery reported ${rose - tUp} ms after the service came back (rise 2)`);
    if (o.nopreempt) {
      await waitFor('h1 back in BACKUP', async () => (await v[0].instance()).state === 'BACKUP', 2000, 20);
      await sleep(Math.max(1000, 3 * masterDownMs(ADV, 100)));
      assert.ok(hasAddress(env.lab, h2, vip) && !hasAddress(env.lab, h1, vip), 'nopreempt: the VIP stays on h2');
      assert.equal((await v[0].instance()).state, 'BACKUP');
      assert.equal((await v[0].instance()).effectivePriority, 100);
      assert.equal((await v[1].instance()).state, 'MASTER');
      assert.equal(v[0].countLog(/Entering MASTER STATE/, tUp), 0, 'h1 never became MASTER again');
    } else {
      await holds(0);
      const back = await stampOf(v[0], /\(VI_1\) Entering MASTER STATE/, tUp) - rose;
      if (o.compat) {
        assert.ok(back >= masterDownMs(ADV, 100) - ADV * 1000 - 5, `--keepalived-compat: master back ${back} ms after recovery (>= Master_Down_Interval - one interval)`);
        assert.ok(back <= masterDownMs(ADV, 100) + MARGIN_MS, `--keepalived-compat: master back ${back} ms after recovery`);
      } else {
        assert.ok(back <= ADV * 1000 + MARGIN_MS, `fast preemption: master back ${back} ms after recovery, on h2's first lower advert`);
      }
      await waitFor('h2 BACKUP again', async () => (await v[1].instance()).state === 'BACKUP', 2000, 20);
      assert.equal((await v[0].instance()).effectivePriority, 100);
    }
    const problems: string[] = [];
    await Promise.all(v.map((x) => x.stop(5000).catch((e: Error) => { problems.push(e.message); })));
    for (const h of env.hosts) if (hasAddress(env.lab, h, vip)) problems.push(`${h.name} still holds ${vip}`);
    assert.deepEqual(problems, [], 'clean stop');
  } finally {
    await Promise.all(v.map((x) => quietStop(x)));
    env.destroy();
  }
}

describe('vrrp_script chk_nginx (fall 3, rise 2) on the master, 100 vs 90, v3 0.1 s', { concurrency: 2 }, () => {
  test('weight -20: service down -> 80 -> backup takes over at once; service back -> master preempts on the first lower advert',
    () => nginx({ subnet: 61, weight: -20 }));
  test('weight -20 with --keepalived-compat: both takeovers wait for Master_Down_Interval',
    () => nginx({ subnet: 62, weight: -20, compat: true }));
  test('weight 0: service down -> FAULT with a priority-0 advert, backup takes over; service back -> MASTER again',
    () => nginx({ subnet: 63, weight: 0 }));
  test('weight 0 with nopreempt on both (state BACKUP): the VIP stays on the backup after the recovery',
    () => nginx({ subnet: 64, weight: 0, nopreempt: true }));
});
