// The lifecycle of daemon-lifecycle.test.ts (VRRPv3, IPv4 multicast there) in the other forms a user runs: VRRPv3
// over IPv6 multicast, VRRPv3 IPv4 unicast, VRRPv2 at 1 s with PASS authentication. One test per form walks the
// whole life: election; SIGHUP with a changed VIP list (no state change, the new VIP announced, the removed one
// gone); SIGTERM on the master, SIGINT in the unicast form (priority 0 on the wire, the backup takes over after
// Skew_Time, the stopped host leaves nothing); a restart that preempts; then the same restart with nopreempt,
// which must not. And a reload that changes only the version. Subnets 58, 59, 60 and 91.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster, captureBridge, configText, isGarpFor, isNaFor, isVrrp, masterDownMs, skewMs, vrrpPriority, type InstanceSpec,
} from './helpers/daemon.ts';
import { sleep, waitFor } from './helpers/wait.ts';

interface Form {
  name: string;
  subnet: number;
  family: 4 | 6;
  version: 2 | 3;
  advertInt: number;
  unicast?: boolean;
  authPass?: string;
  /** The stop signal: keepalived treats SIGINT as SIGTERM, and so does vipd. */
  stop: 'SIGTERM' | 'SIGINT';
}

const FORMS: Form[] = [
  { name: 'v3 0.1 s, IPv6 multicast', subnet: 58, family: 6, version: 3, advertInt: 0.1, stop: 'SIGTERM' },
  { name: 'v3 0.1 s, IPv4 unicast', subnet: 59, family: 4, version: 3, advertInt: 0.1, unicast: true, stop: 'SIGINT' },
  { name: 'v2 1 s, PASS authentication', subnet: 60, family: 4, version: 2, advertInt: 1, authPass: 'vipd-e2e', stop: 'SIGTERM' },
];

/**
 * Slack over the protocol's own times: half an interval plus 30 ms for a loaded 2-core machine (the event that
 * starts a timing is seen by polling, every 2 ms, and a daemon may wake a little late). At 0.1 s that is 80 ms.
 */
const margin = (f: Form) => f.advertInt * 500 + 30;

for (const f of FORMS) {
  test(`${f.name}: reload keeps mastership, ${f.stop} hands over after Skew_Time, restart preempts, with nopreempt it does not`, async () => {
    const c = Cluster.create(2, f.subnet);
    try {
      const plen = f.family === 4 ? 24 : 64;
      const [a, b, n] = [0x100, 0x101, 0x102].map((k) => c.vip(f.family === 4 ? k - 0x100 + 100 : k, f.family));
      const [h1, h2] = c.lab.hosts;
      const spec = (k: number, vips: string[], nopreempt = false): InstanceSpec => ({
        priority: [150, 100][k], version: f.version, advertInt: f.advertInt, authPass: f.authPass, nopreempt,
        vips: vips.map((v) => `${v}/${plen}`),
        unicast: f.unicast ? { src: c.addr(k + 1, f.family), peers: [c.addr(2 - k, f.family)] } : undefined,
      });
      const write = (vips: string[], nopreempt = false) => [0, 1].forEach((k) => c.vipds[k].writeConfig(configText([spec(k, vips, nopreempt)])));
      const announces = (fr: { srcMac: string; text: string }, mac: string, vip: string) =>
        fr.srcMac === mac && (f.family === 4 ? isGarpFor(fr as never, vip) : isNaFor(fr as never, vip));
      const adv = f.advertInt * 1000;
      // IPv6 multicast adverts come from the link-local address (RFC 5798 5.1.2.1).
      const advertSource = (k: number) => (f.family === 6 && !f.unicast ? c.lab.linkLocal(c.lab.hosts[k]) : c.addr(k + 1, f.family));

      // Election: h1 (150) first, so the start-up does not depend on which process got going first.
      write([a, b]);
      c.vipds[0].start();
      await c.waitHolder(a, 0, 10_000 + 2 * masterDownMs(f.advertInt, 150));
      c.vipds[1].start();
      await c.vipds[1].waitLog(/Entering BACKUP STATE \(init\)/, 10_000, 0);
      // The status socket opens just after the first state lines are logged: a refused connection is retried.
      await waitFor('h2 follows h1', async () => (await c.vipds[1].instance().catch(() => undefined))?.masterAddress === advertSource(0), 3 * adv + 2000, 10);
      assert.deepEqual(c.holders(b), [0]);

      // 1. SIGHUP on both with B replaced by N: no state change anywhere, N added and announced, B removed.
      const cap = await captureBridge(c.lab, f.family === 4 ? 'ip proto 112 or arp' : 'ip6 proto 112 or icmp6');
      const tHup = Date.now();
      write([a, n]);
      c.vipds[0].signal('SIGHUP');
      c.vipds[1].signal('SIGHUP');
      await c.vipds[0].waitLog(/Reloaded .*1 kept, 0 added, 0 removed/, 3000, tHup);
      await c.vipds[1].waitLog(/Reloaded /, 3000, tHup);
      await c.waitHolder(n, 0, 2000);
      await waitFor(`${b} removed`, () => c.holders(b).length === 0, 2000);
      await waitFor('the new VIP announced', () => cap.frames.some((fr) => announces(fr, h1.mac, n)), 2000);
      assert.deepEqual(c.holders(a), [0], 'the kept VIP stays on h1');
      await sleep(2 * adv);
      for (const v of c.vipds) assert.equal(v.countLog(/Entering \w+ STATE/, tHup), 0, `${v.host.name}: no state change on reload\n${c.logText()}`);
      const reloaded = await c.vipds[0].instance();
      assert.equal(reloaded.state, 'MASTER');
      assert.deepEqual(reloaded.vips, [`${a}/${plen}`, `${n}/${plen}`]);

      // 2. SIGTERM (SIGINT) on the master: priority 0, h2 takes over after its Skew_Time, h1 leaves nothing, exit 0.
      const tTerm = c.vipds[0].signal(f.stop);
      const tVip = await c.waitHolder(a, 1, 3000 + adv, { stepMs: 2 });
      await c.vipds[0].waitExit(2000);
      await sleep(150);
      await cap.stop();
      const skew = skewMs(f.advertInt, 100);
      assert.ok(tVip - tTerm <= skew + margin(f), `takeover ${tVip - tTerm} ms after ${f.stop}; Skew_Time ${skew} ms\n${c.logText()}`);
      assert.equal(c.vipds[0].exitCode, 0);
      assert.ok(c.vipds[0].exitedAt! - tTerm < 1000, `h1 exited ${c.vipds[0].exitedAt! - tTerm} ms after ${f.stop}`);
      assert.deepEqual(c.holders(n), [1], 'every VIP moved, none left on h1');
      const zero = cap.frames.find((fr) => isVrrp(fr) && fr.srcMac === h1.mac && vrrpPriority(fr) === 0);
      assert.ok(zero, 'h1 sent a priority 0 advert');
      if (f.authPass !== undefined) assert.match(zero.text, new RegExp(`auth "${f.authPass}`), 'the priority 0 advert carries the password');
      const first = cap.frames.find((fr) => isVrrp(fr) && fr.srcMac === h2.mac && fr.t > zero.t);
      assert.ok(first, 'h2 advertises');
      const after0 = first.t - zero.t;
      assert.ok(after0 >= skew - 2 && after0 <= skew + margin(f), `h2's first advert ${after0.toFixed(1)} ms after priority 0 (Skew_Time ${skew} ms)`);
      assert.ok(cap.frames.some((fr) => announces(fr, h2.mac, a)), 'h2 announced the VIP');
      assert.ok(c.vipds[1].findLog(/Backup received priority 0 advertisement/, tTerm - 10), 'h2 logs the priority 0 advert');

      // 3. Restart (preempt, the default): h1 takes the VIPs back; h2 goes back to BACKUP.
      const tRestart = Date.now();
      c.vipds[0].start();
      await c.vipds[0].waitLog(/Entering BACKUP STATE \(init\)/, 10_000, tRestart);
      await c.waitHolder(a, 0, 3 * adv + 3000);
      await c.waitHolder(n, 0, 1000);
      await waitFor('h2 BACKUP', async () => (await c.vipds[1].instance()).state === 'BACKUP', 3 * adv + 2000, 10);

      // 4. The same with nopreempt on both: h1 stops, h2 takes over, h1 restarts and stays BACKUP behind h2.
      write([a, n], true);
      const tNp = Date.now();
      c.vipds[1].signal('SIGHUP');
      await c.vipds[1].waitLog(/Reloaded /, 3000, tNp);
      await c.vipds[0].stop(3000);
      await c.waitHolder(a, 1, 3000 + adv);
      const tBack = Date.now();
      c.vipds[0].start();
      await c.vipds[0].waitLog(/Entering BACKUP STATE \(init\)/, 10_000, tBack);
      await sleep(4 * masterDownMs(f.advertInt, 150)); // well past Master_Down_Interval and any preemption
      assert.deepEqual(c.holders(a), [1], 'h2 keeps the VIP');
      const i1 = await c.vipds[0].instance();
      assert.equal(i1.state, 'BACKUP');
      assert.equal(i1.masterAddress, advertSource(1), 'h1 follows h2');
      assert.equal(c.vipds[0].countLog(/Entering MASTER STATE/, tBack), 0, 'h1 never became master');

      assert.deepEqual(await c.stopAll([a, b, n]), [], `clean stop\n${c.logText()}`);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${c.logText()}`, { cause: e });
    } finally {
      c.destroy();
    }
  });
}

test('a reload from version 2 to version 3 keeps the instance and its state (keepalived matches by VRID, family, interface)', async () => {
  const c = Cluster.create(1, 91);
  try {
    const vip = c.vip();
    const conf = (version: 2 | 3) => configText([{ priority: 150, version, advertInt: 1, vips: [`${vip}/24`] }]);
    c.start([conf(2)]);
    await c.waitHolder(vip, 0, 10_000);
    const cap = await captureBridge(c.lab, 'ip proto 112');
    const tHup = Date.now();
    c.vipds[0].writeConfig(conf(3));
    c.vipds[0].signal('SIGHUP');
    await c.vipds[0].waitLog(/Reloaded .*: 1 kept, 0 added, 0 removed/, 3000, tHup);
    await waitFor('a VRRPv3 advert', () => cap.frames.some((fr) => fr.t > tHup && /VRRPv3/.test(fr.text)), 2500, 20);
    await cap.stop();
    assert.equal(c.vipds[0].countLog(/Entering \w+ STATE|removed by reload/, tHup), 0, `no state change\n${c.logText()}`);
    assert.ok(!cap.frames.some((fr) => isVrrp(fr) && vrrpPriority(fr) === 0), 'no resignation on the wire');
    assert.deepEqual(c.holders(vip), [0]);
    assert.equal((await c.vipds[0].instance()).state, 'MASTER');
    assert.deepEqual(await c.stopAll([vip]), [], `clean stop\n${c.logText()}`);
  } finally {
    c.destroy();
  }
});
