// Scripts that hang, with real vipd processes in a lab:
// - a vrrp_script that sleeps forever is killed at its timeout and counted as a failure (priority drops); once it
//   stops hanging the priority comes back, and no process of it is left alive in the namespace;
// - notify scripts that hang do not delay adverts: h1 keeps VI_51 as master while three other instances of it take
//   over from h2 (silenced on the bridge) and start six hung notifies at once; the bridge capture (kernel timestamps, tcpdump -tt) shows
//   VI_1's and the new masters' adverts staying on their 100 ms schedule.
// Subnets 65-66.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { captureBridge, hasAddress, isVrrp } from './helpers/daemon.ts';
import {
  TrackEnv, anyLiveMatching, gaps, liveMatching, nsProcesses, quietStop, stampOf, trackConf, tryInstance, vrid, vrrpScriptText,
} from './helpers/track.ts';
import { sleep, waitFor } from './helpers/wait.ts';

/**
 * The advert schedule's allowance: interval + 1 ms is the requirement; NOISE_MS more is allowed because the
 * capture and the daemon share two busy cores with other test files (an idle loop alone shows a few ms of jitter
 * there). The baseline before the burst is measured too and printed with the figures.
 */
const NOISE_MS = 6;
/** Where a delay caused by the notifies would show: the adverts right after the state change that started them. */
const WINDOW_MS = 400;

test('a vrrp_script that hangs is killed at its timeout, counted as failed (priority 100 -> 80), and leaves no process behind', async () => {
  const env = TrackEnv.create({ hosts: 1, subnet: 65, client: false });
  const [h1] = env.hosts;
  const v = env.vipd(h1);
  // A unique sleep length marks the script's child in process listings.
  const marker = `sleep ${4200 + (process.pid % 97)}`;
  try {
    const chk = env.script('chk_hang.sh', `if [ -e ${env.path('hang')} ]; then ${marker}; fi\nexit 0`);
    v.writeConfig(trackConf({
      blocks: [vrrpScriptText({ name: 'chk_hang', script: chk, interval: 1, timeout: 1, weight: -20, fall: 1, rise: 1 })],
      instances: [{ priority: 100, version: 3, advertInt: 0.1, vips: ['10.203.65.100/24'], state: 'MASTER', extra: ['track_script {', '  chk_hang', '}'] }],
    }));
    v.start();
    await waitFor('h1 MASTER at 100', async () => { const i = await tryInstance(v); return i?.state === 'MASTER' && i.effectivePriority === 100; }, 8000, 50);

    const tHang = Date.now();
    env.setFlag('hang', true);
    await waitFor('a hung run in the namespace', () => liveMatching(env.lab, h1, marker).length > 0, 3000, 20);
    const failed = await stampOf(v, /VRRP_Script\(chk_hang\) (timed_out|failed)/, tHang, 4000);
    const line = v.findLog(/VRRP_Script\(chk_hang\) (timed_out|failed)/, tHang)!.line;
    assert.match(line, /timed_out|timed out/, `counted as a timeout: ${line}`);
    await waitFor('priority 80', async () => (await tryInstance(v))?.effectivePriority === 80, 2000, 20);
    assert.equal((await v.instance()).state, 'MASTER', 'no peer: still master, at 80');
    // The run started at most one interval after the flag and was killed one timeout (1 s) after it started.
    assert.ok(failed - tHang <= 2000 + 300, `failure counted ${failed - tHang} ms after the script began to hang`);

    env.setFlag('hang', false);
    const tOk = Date.now();
    await stampOf(v, /VRRP_Script\(chk_hang\) succeeded/, tOk, 5000);
    await waitFor('priority back to 100', async () => (await tryInstance(v))?.effectivePriority === 100, 2000, 20);
    // Every hung run was killed with its process group: the sleeping child too, not only the shell.
    await waitFor('no hung script left alive', () => liveMatching(env.lab, h1, marker).length === 0, 3000, 50)
      .catch(() => { throw new Error(`left alive in ${h1.ns}: ${JSON.stringify(nsProcesses(env.lab, h1))}`); });
    assert.deepEqual(anyLiveMatching(marker), [], 'nothing of the script alive anywhere on the machine');
    await v.stop(5000);
    assert.ok(!hasAddress(env.lab, h1, '10.203.65.100'));
  } finally {
    await quietStop(v);
    env.destroy();
  }
});

test('hung notify scripts (six started at once by a takeover) do not delay any advert: gaps stay within interval + 1 ms', async (t) => {
  const env = TrackEnv.create({ hosts: 2, subnet: 66, client: false });
  const [h1, h2] = env.hosts;
  const [v1, v2] = env.hosts.map((h) => env.vipd(h));
  const marker = `sleep ${4300 + (process.pid % 97)}`;
  const others = [52, 53, 54];
  try {
    const hang = env.script('notify_hang.sh', `${marker}`);
    const inst = (vr: number, prio: number, notify: boolean) => ({
      name: `VI_${vr}`, vrid: vr, priority: prio, version: 3 as const, advertInt: 0.1, vips: [`10.203.66.${vr}/24`], state: 'BACKUP' as const,
      extra: notify ? [`notify_master "${hang} master"`, `notify_backup "${hang} backup"`, `notify "${hang} generic"`] : [],
    });
    v1.writeConfig(trackConf({ instances: [inst(51, 200, false), ...others.map((vr) => inst(vr, 50, true))] }));
    v2.writeConfig(trackConf({ instances: others.map((vr) => inst(vr, 100, false)) }));
    v1.start();
    v2.start();
    const settled = () => waitFor('h1: VI_51 MASTER, the others BACKUP to h2', async () => {
      const st = await Promise.all([51, ...others].map((vr) => tryInstance(v1, `VI_${vr}`)));
      const st2 = await Promise.all(others.map((vr) => tryInstance(v2, `VI_${vr}`)));
      return st[0]?.state === 'MASTER' && st.slice(1).every((x) => x?.state === 'BACKUP') && st2.every((x) => x?.state === 'MASTER');
    }, 10_000, 50).catch((e: Error) => { throw new Error(`${e.message}\n${v1.logText()}\n${v2.logText()}`); });
    await settled();

    // One measurement: h2 goes silent (its adverts dropped on the bridge; the process keeps running, so nothing
    // else on the machine changes) and h1's three backups take over after Master_Down_Interval, each starting a
    // hung notify_master and a hung generic notify.
    const measure = async (): Promise<{ ok: boolean; figures: string }> => {
      const hungBefore = liveMatching(env.lab, h1, marker).length;
      const cap = await captureBridge(env.lab, 'ip proto 112');
      await sleep(1000);
      const tDrop = Date.now();
      env.lab.dropVrrp({ from: h2 });
      // No polling while the capture runs: every `ip netns exec` forks this (large) test process, and on two
      // cores that load alone shows up in the advert schedule. Everything is checked once the capture stopped.
      await sleep(2000);
      await cap.stop();
      assert.ok(others.every((vr) => hasAddress(env.lab, h1, `10.203.66.${vr}`)), `h1 holds the three VIPs\n${v1.logText()}`);
      const hungAfter = liveMatching(env.lab, h1, marker).length;
      assert.ok(hungAfter >= hungBefore + 6, `six more hung notifies running: ${hungAfter} (before ${hungBefore})\n${v1.logText()}`);

      const adverts = cap.frames.filter((f) => isVrrp(f) && f.srcMac === h1.mac);
      const of = (vr: number) => adverts.filter((f) => vrid(f) === vr);
      const takeover = others.map((vr) => of(vr).filter((f) => f.t >= tDrop));
      for (const [k, fs] of takeover.entries()) assert.ok(fs.length >= 15, `VI_${others[k]}: ${fs.length} adverts from h1 after the takeover`);
      // The state changes (and the notifies they start) happen just before the new masters' first adverts.
      const t0 = Math.min(...takeover.map((fs) => fs[0].t));
      const vi51 = of(51);
      const span = (g: { at: number }) => g.at >= t0 - 50 && g.at <= t0 + WINDOW_MS;
      const withTime = (fs: typeof vi51) => fs.slice(1).map((f, k) => ({ gap: f.t - fs[k].t, at: f.t }));
      const steady = withTime(vi51).filter(span);
      const fresh = takeover.flatMap((fs) => withTime(fs).filter(span));
      const baseline = withTime(vi51).filter((g) => g.at < t0 - 150);
      assert.ok(steady.length >= 3 && fresh.length >= 9 && baseline.length >= 8,
        `adverts in the window: ${steady.length} VI_51, ${fresh.length} new masters; ${baseline.length} before`);
      const max = (gs: { gap: number }[]) => Math.max(...gs.map((g) => g.gap));
      const limit = 100 + 1 + NOISE_MS;
      // The three new masters start together and share one timer queue: five intervals later they are still
      // on schedule (a stalled loop would shift them all).
      const phase = takeover.map((fs) => fs[5].t - fs[0].t);
      const figures = `max advert gap in the ${WINDOW_MS} ms after the takeover: VI_51 ${max(steady).toFixed(2)} ms, new masters ${max(fresh).toFixed(2)} ms; ` +
        `VI_51 before it (baseline) ${max(baseline).toFixed(2)} ms; five intervals of the new masters ${phase.map((p) => p.toFixed(2)).join(', ')} ms (limit ${limit} ms per gap)`;
      const ok = max(steady) <= limit && max(fresh) <= limit && Math.max(...phase) <= 500 + 1 + NOISE_MS;
      return { ok, figures };
    };

    // A real delay from the notify path repeats; a scheduling hiccup of the shared machine (the baseline shows
    // them, up to tens of ms, at random moments) rarely lands in the same window twice. So one retry.
    const first = await measure();
    t.diagnostic(first.figures);
    if (!first.ok) {
      env.lab.allowVrrp(); // h2 (100) takes its three instances back; h1 returns to BACKUP (more hung notifies)
      await settled();
      const second = await measure();
      t.diagnostic(`retry: ${second.figures}`);
      assert.ok(second.ok, `twice over the limit:\n${first.figures}\n${second.figures}`);
    }

    await v1.stop(5000);
    // Shutdown kills what is still hanging (STOP scripts get 1 s, then the runner's SIGTERM/SIGKILL).
    await waitFor('no hung notify left alive', () => anyLiveMatching(marker).length === 0, 4000, 50)
      .catch(() => { throw new Error(`left alive: ${anyLiveMatching(marker).join(',')}`); });
  } finally {
    await Promise.all([quietStop(v1), quietStop(v2)]);
    env.destroy();
  }
});
