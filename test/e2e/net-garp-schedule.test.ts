// The gratuitous ARP schedule of a new master, seen on the bridge: garp_master_repeat at the transition, the same
// again garp_master_delay later, then garp_master_refresh_repeat every garp_master_refresh (keepalived's
// keywords and meaning; the core's timers are specified in test/core, this is the wire). Subnet 89.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, captureBridge, instanceText, isGarpFor } from './helpers/daemon.ts';
import { sleep } from './helpers/wait.ts';

/** Slack for a loaded 2-core machine: the daemon's wake-up and tcpdump's timestamp, both ways. */
const SLACK_MS = 60;

test('GARP schedule: 3 at the transition, 3 again after garp_master_delay 1 s, then 2 every garp_master_refresh 2 s', async () => {
  const c = Cluster.create(1, 89);
  try {
    const vip = c.vip();
    const [h1] = c.lab.hosts;
    const conf = ['global_defs {', '  router_id vipd_e2e', '}', instanceText({
      priority: 150, version: 3, advertInt: 0.1, vips: [`${vip}/24`],
      extra: ['garp_master_delay 1', 'garp_master_repeat 3', 'garp_master_refresh 2', 'garp_master_refresh_repeat 2'],
    }), ''].join('\n');
    const cap = await captureBridge(c.lab, 'arp');
    c.start([conf]);
    const master = await c.vipds[0].waitLog(/\(VI_1\) Entering MASTER STATE/, 10_000, 0);
    await sleep(Math.max(0, master.t + 5600 - Date.now())); // the bursts at 0, 1 s, 3 s and 5 s
    await cap.stop();

    const garps = cap.frames.filter((f) => f.srcMac === h1.mac && isGarpFor(f, vip));
    // Bursts: frames less than 200 ms apart belong together.
    const bursts: number[][] = [];
    for (const f of garps) {
      const last = bursts.at(-1);
      if (last && f.t - last[last.length - 1] < 200) last.push(f.t);
      else bursts.push([f.t]);
    }
    const t0 = bursts[0]?.[0] ?? NaN;
    const shape = bursts.map((b) => `${b.length}@${Math.round(b[0] - t0)}`).join(' ');
    assert.deepEqual(bursts.map((b) => b.length), [3, 3, 2, 2], `bursts (count@ms): ${shape}\n${c.logText()}`);
    for (const [k, want] of [0, 1000, 3000, 5000].entries()) {
      const at = bursts[k][0] - t0;
      assert.ok(Math.abs(at - want) <= SLACK_MS, `burst ${k} at ${at.toFixed(1)} ms, expected ${want} ms: ${shape}`);
    }
    assert.ok(Math.abs(t0 - master.t) <= 100, `first burst ${(t0 - master.t).toFixed(1)} ms from the MASTER log line`);
    assert.deepEqual(await c.stopAll([vip]), [], `clean stop\n${c.logText()}`);
  } finally {
    c.destroy();
  }
});
