// A vipd's life on a real bridge: graceful stop (SIGTERM -> priority 0 -> the backup takes over after Skew_Time),
// preempt and nopreempt when a higher priority comes back, link down -> FAULT -> back, and SIGHUP reloads (a
// changed VIP list keeps mastership; a broken config is refused). VRRPv3 at 0.1 s. Subnets 51-56.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster, captureBridge, configText, isGarpFor, isVrrp, masterDownMs, skewMs, vrrpPriority, type InstanceSpec,
} from './helpers/daemon.ts';
import { sleep, waitFor } from './helpers/wait.ts';

const MARGIN_MS = 150;
const ADV = 0.1;

function two(c: Cluster, vips: string[], more: Partial<InstanceSpec>[] = [{}, {}]): string[] {
  return [150, 100].map((p, k) => configText([{ priority: p, version: 3, advertInt: ADV, vips, ...more[k] }]));
}

async function finish(c: Cluster, vips: string[]): Promise<void> {
  assert.deepEqual(await c.stopAll(vips), [], `clean stop\n${c.logText()}`);
}

test('SIGTERM on the master: priority 0 on the wire, backup takes over within Skew_Time, the stopped host removed its VIP and exited quickly', async () => {
  const c = Cluster.create(2, 51);
  try {
    const vip = c.vip();
    c.start(two(c, [`${vip}/24`]));
    await c.waitHolder(vip, 0, 10_000);
    const cap = await captureBridge(c.lab, 'ip proto 112 or arp');
    await sleep(250);
    const tTerm = c.vipds[0].signal('SIGTERM');
    const tVip = await c.waitHolder(vip, 1, 3000, { stepMs: 2 }); // h2 only: h1 removed its VIP
    await c.vipds[0].waitExit(2000);
    const exitMs = c.vipds[0].exitedAt! - tTerm;
    await sleep(150);
    await cap.stop();

    const skew = skewMs(ADV, 100);
    assert.ok(tVip - tTerm <= skew + MARGIN_MS, `takeover ${tVip - tTerm} ms after SIGTERM; Skew_Time ${skew} ms\n${c.logText()}`);
    assert.equal(c.vipds[0].exitCode, 0, 'exit code 0');
    assert.ok(exitMs < 1000, `h1 exited ${exitMs} ms after SIGTERM`);
    const zero = cap.frames.find((f) => isVrrp(f) && f.srcMac === c.lab.hosts[0].mac && vrrpPriority(f) === 0);
    assert.ok(zero, 'h1 sent a priority 0 advert');
    const first = cap.frames.find((f) => isVrrp(f) && f.srcMac === c.lab.hosts[1].mac && f.t > zero.t);
    assert.ok(first, 'h2 advertises');
    const after0 = first.t - zero.t;
    assert.ok(after0 >= skew - 2 && after0 <= skew + MARGIN_MS, `h2's first advert ${after0.toFixed(1)} ms after priority 0 (Skew_Time ${skew} ms)`);
    assert.ok(cap.frames.some((f) => f.srcMac === c.lab.hosts[1].mac && isGarpFor(f, vip)), 'h2 sent GARP');
    assert.ok(c.vipds[1].findLog(/Backup received priority 0 advertisement/, tTerm - 10), 'h2 logs the priority 0 advert');
    assert.ok(c.vipds[0].findLog(/\(VI_1\) sent 0 priority/), 'h1 logs its resignation');
    assert.equal((await c.vipds[1].instance()).state, 'MASTER');
    await finish(c, [vip]);
  } finally {
    c.destroy();
  }
});

for (const nopreempt of [false, true]) {
  test(`${nopreempt ? 'nopreempt' : 'preempt'}: a restarted higher-priority host ${nopreempt ? 'stays BACKUP' : 'takes over again'}`, async () => {
    const c = Cluster.create(2, nopreempt ? 53 : 52);
    try {
      const vip = c.vip();
      // h1 first: with nopreempt whoever wins the start-up election keeps the VIP, and that must not depend on
      // which process got going first.
      const confs = two(c, [`${vip}/24`], [{ nopreempt }, { nopreempt }]);
      c.vipds[0].writeConfig(confs[0]);
      c.vipds[0].start();
      await c.waitHolder(vip, 0, 10_000);
      c.vipds[1].writeConfig(confs[1]);
      c.vipds[1].start();
      await c.vipds[1].waitLog(/Entering BACKUP STATE \(init\)/, 10_000, 0);
      await c.waitHolder(vip, 0, 10_000);
      await c.vipds[0].stop(3000);
      await c.waitHolder(vip, 1, 1000);
      const since = Date.now();
      c.vipds[0].start();
      await c.vipds[0].waitLog(/Entering BACKUP STATE \(init\)/, 10_000, since);
      if (nopreempt) {
        // Well past Master_Down_Interval (and any preemption) while h2's lower-priority adverts arrive.
        await sleep(4 * masterDownMs(ADV, 150));
        assert.deepEqual(c.holders(vip), [1], 'h2 keeps the VIP');
        const i1 = await c.vipds[0].instance();
        assert.equal(i1.state, 'BACKUP');
        assert.equal(i1.masterAddress, c.addr(2), 'h1 follows h2');
        assert.equal(c.vipds[0].countLog(/Entering MASTER STATE/, since), 0);
        assert.equal((await c.vipds[1].instance()).state, 'MASTER');
      } else {
        await c.waitHolder(vip, 0, 2000);
        assert.equal((await c.vipds[0].instance()).state, 'MASTER');
        await waitFor('h2 BACKUP', async () => (await c.vipds[1].instance()).state === 'BACKUP', 2000);
      }
      await finish(c, [vip]);
    } finally {
      c.destroy();
    }
  });
}

test('link down -> FAULT (VIP removed, backup takes over) -> link up -> BACKUP, then MASTER again by preemption', async () => {
  const c = Cluster.create(2, 54);
  try {
    const vip = c.vip();
    c.start(two(c, [`${vip}/24`]));
    await c.waitHolder(vip, 0, 10_000);
    const tCut = Date.now();
    c.lab.cutLink(c.lab.hosts[0], 'host');
    await waitFor('h1 FAULT', async () => (await c.vipds[0].instance()).state === 'FAULT', 2000);
    await c.waitHolder(vip, 1, masterDownMs(ADV, 100) + 2000);
    const i1 = await c.vipds[0].instance();
    assert.equal(i1.vipsInstalled, false);
    assert.ok(c.vipds[0].findLog(/Entering FAULT STATE/, tCut));
    const tUp = Date.now();
    c.lab.restoreLink(c.lab.hosts[0], 'host');
    await c.waitHolder(vip, 0, 3000);
    const master = await c.vipds[0].waitLog(/\(VI_1\) Entering MASTER STATE/, 1000, tUp);
    const backup = c.vipds[0].findLog(/\(VI_1\) Entering BACKUP STATE/, tUp);
    assert.ok(backup, `BACKUP then MASTER after the link returns\n${c.logText()}`);
    assert.ok(c.vipds[0].logs.indexOf(backup) < c.vipds[0].logs.indexOf(master), 'BACKUP first');
    // keepalived waits a full Master_Down_Interval here (anchor-figures.md); vipd preempts on the first advert it
    // hears from the lower master, one advert interval after the link is back.
    const backMs = master.t - tUp;
    assert.ok(backMs < masterDownMs(ADV, 150), `MASTER again ${backMs} ms after the link returned (Master_Down_Interval ${masterDownMs(ADV, 150).toFixed(1)} ms)`);
    assert.equal((await c.vipds[0].instance()).state, 'MASTER');
    await waitFor('h2 BACKUP', async () => (await c.vipds[1].instance()).state === 'BACKUP', 2000);
    await finish(c, [vip]);
  } finally {
    c.destroy();
  }
});

test('SIGHUP with a changed VIP list keeps mastership; a broken config is refused and the running one keeps working', async () => {
  const c = Cluster.create(2, 55);
  try {
    const [a, b, n] = [c.vip(100), c.vip(101), c.vip(102)];
    c.start(two(c, [`${a}/24`, `${b}/24`]));
    await c.waitHolder(a, 0, 10_000);
    await c.waitHolder(b, 0, 1000);
    const cap = await captureBridge(c.lab, 'arp');
    const tHup = Date.now();
    two(c, [`${a}/24`, `${n}/24`]).forEach((text, k) => c.vipds[k].writeConfig(text));
    c.vipds[0].signal('SIGHUP');
    c.vipds[1].signal('SIGHUP');
    await c.vipds[0].waitLog(/Reloaded .*1 kept, 0 added, 0 removed/, 3000, tHup);
    await c.vipds[1].waitLog(/Reloaded /, 3000, tHup);
    await c.waitHolder(n, 0, 2000);
    await waitFor(`${b} removed`, () => c.holders(b).length === 0, 2000);
    await waitFor('GARP for the new VIP', () => cap.frames.some((f) => f.srcMac === c.lab.hosts[0].mac && isGarpFor(f, n)), 2000);
    await sleep(500);
    await cap.stop();
    assert.deepEqual(c.holders(a), [0], 'the kept VIP stays on h1');
    for (const v of c.vipds) assert.equal(v.countLog(/Entering \w+ STATE/, tHup), 0, `${v.host.name}: no state change\n${c.logText()}`);
    const i1 = await c.vipds[0].instance();
    assert.equal(i1.state, 'MASTER');
    assert.deepEqual(i1.vips, [`${a}/24`, `${n}/24`]);
    assert.equal((await c.vipds[1].instance()).state, 'BACKUP');

    // A broken file: refused, the running configuration keeps working.
    const tBad = Date.now();
    c.vipds[0].writeConfig('vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 300\n  priority abc\n');
    c.vipds[0].signal('SIGHUP');
    await c.vipds[0].waitLog(/Reload refused/, 3000, tBad);
    const before = await c.vipds[0].instance();
    await sleep(500);
    const after = await c.vipds[0].instance();
    assert.equal(after.state, 'MASTER');
    assert.deepEqual(after.vips, [`${a}/24`, `${n}/24`]);
    assert.ok(after.stats.advert_sent >= before.stats.advert_sent + 3, 'still advertising');
    assert.deepEqual(c.holders(a), [0]);
    assert.deepEqual(c.holders(n), [0]);
    assert.equal(c.vipds[0].countLog(/Entering \w+ STATE/, tHup), 0);
    assert.ok(c.vipds[0].running);
    await finish(c, [a, b, n]);
  } finally {
    c.destroy();
  }
});
