// Failover with real vipd processes: the master is killed (SIGKILL) or its link is cut, and the backup must take
// the VIP within Master_Down_Interval plus a small margin (measured from the kill/cut), send gratuitous ARP
// (IPv4) or unsolicited NA (IPv6) that the bridge sees, and the client's neighbour entry must follow to the new
// master's MAC. The first advert of the backup is timed against the master's last one on the bridge (kernel
// timestamps): it may be neither early nor late. Then the old master comes back and preempts. Subnets 41-46, 82, 85.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster, captureBridge, configText, isGarpFor, isNaFor, isVrrp, masterDownMs, neighMac, resolveFrom, type InstanceSpec,
} from './helpers/daemon.ts';
import { sleep, waitFor } from './helpers/wait.ts';

/** Slack for a loaded 2-core machine running two test files at once (keepalived's excess is ~1 ms; ours too, unloaded). */
const MARGIN_MS = 150;

interface Case {
  subnet: number;
  hosts: 2 | 3;
  family: 4 | 6;
  how: 'kill' | 'cut';
  version?: 2 | 3;
  advertInt?: number;
  unicast?: boolean;
  authPass?: string;
  /** Run the client's prober through the failover and check the outage. */
  probe?: boolean;
  /** `unicast_ttl`: every advert on the wire must carry it as its TTL / hop limit. */
  unicastTtl?: number;
}

const PRIOS = [150, 100, 50];

async function failover(o: Case): Promise<void> {
  const c = Cluster.create(o.hosts, o.subnet);
  try {
    const f = o.family;
    const vip = c.vip(f === 4 ? 100 : 0x100, f);
    const plen = f === 4 ? 24 : 64;
    const adv = o.advertInt ?? 0.1;
    const spec = (k: number): InstanceSpec => ({
      priority: PRIOS[k], version: o.version ?? 3, advertInt: adv, vips: [`${vip}/${plen}`], authPass: o.authPass,
      state: k === 0 ? 'MASTER' : 'BACKUP',
      extra: o.unicastTtl === undefined ? [] : [`unicast_ttl ${o.unicastTtl}`],
      unicast: o.unicast ? {
        src: c.addr(k + 1, f),
        peers: c.lab.hosts.map((_, j) => j).filter((j) => j !== k).map((j) => c.addr(j + 1, f)),
      } : undefined,
    });
    const configs = c.lab.hosts.map((_, k) => configText([spec(k)]));
    c.start(configs, o.probe);
    await c.waitHolder(vip, 0, 10_000 + masterDownMs(adv, 150) * 2); // startup, not a timing check
    const [h1, h2] = c.lab.hosts;

    // The client talks to the VIP, so it has a neighbour entry for it: h1's MAC.
    await waitFor('client neighbour entry for the VIP -> h1', () => {
      resolveFrom(c.lab, c.client, vip);
      return neighMac(c.lab, c.client, vip) === h1.mac;
    }, 5000, 200);

    const cap = await captureBridge(c.lab, f === 4 ? 'ip proto 112 or arp' : 'ip6 proto 112 or icmp6');
    const probing = o.probe ? c.probe(vip, 2500 + masterDownMs(adv, 100)) : undefined;
    await sleep(o.probe ? 1500 : 3.5 * adv * 1000); // a few of the master's adverts on the capture (and the prober warm)
    const before = await c.vipds[1].instance();
    let tEvent: number;
    if (o.how === 'kill') {
      tEvent = c.vipds[0].signal('SIGKILL');
    } else {
      tEvent = Date.now();
      c.lab.cutLink(h1, 'bridge');
    }
    const mdi = masterDownMs(adv, PRIOS[1]);
    const tVip = await c.waitHolder(vip, 1, mdi + 3000, { only: false, stepMs: 2 });
    const vipMs = tVip - tEvent;
    assert.ok(vipMs <= mdi + MARGIN_MS, `VIP on h2 ${vipMs} ms after the ${o.how}; Master_Down_Interval ${mdi} ms\n${c.logText()}`);

    // The announcements and the client's neighbour entry.
    const announced = (fr: typeof cap.frames[number]) => fr.srcMac === h2.mac && (f === 4 ? isGarpFor(fr, vip) : isNaFor(fr, vip));
    await waitFor(`${f === 4 ? 'GARP' : 'unsolicited NA'} from h2 for ${vip}`, () => cap.frames.filter(announced).length >= 5, 2000);
    await waitFor('client neighbour entry for the VIP -> h2', () => neighMac(c.lab, c.client, vip) === h2.mac, 2000);
    await sleep(adv * 1000 + 50);
    await cap.stop();

    const adverts = cap.frames.filter(isVrrp);
    if (o.unicastTtl !== undefined) {
      // tcpdump -v prints the IPv4 TTL as "ttl N" and the IPv6 hop limit as "hlim N".
      const ttlOf = (fr: typeof adverts[number]) => Number(/\b(?:ttl|hlim) (\d+)/.exec(fr.text)?.[1]);
      const wrong = adverts.filter((fr) => ttlOf(fr) !== o.unicastTtl).map((fr) => fr.text);
      assert.ok(adverts.length >= 3, 'adverts captured');
      assert.deepEqual(wrong, [], `every advert (both hosts) carries unicast_ttl ${o.unicastTtl}`);
    }
    const lastMaster = adverts.filter((fr) => fr.srcMac === h1.mac && fr.t <= tEvent + 1).at(-1);
    const firstBackup = adverts.find((fr) => fr.srcMac === h2.mac && fr.t > tEvent);
    assert.ok(lastMaster && firstBackup, `adverts of both around the ${o.how}`);
    const sinceLast = firstBackup.t - lastMaster.t;
    assert.ok(sinceLast >= mdi - 2, `h2's first advert ${sinceLast.toFixed(1)} ms after h1's last: not before Master_Down_Interval ${mdi} ms`);
    assert.ok(sinceLast <= mdi + MARGIN_MS, `h2's first advert ${sinceLast.toFixed(1)} ms after h1's last (Master_Down_Interval ${mdi} ms)`);
    const burst = cap.frames.filter(announced);
    assert.ok(burst[4].t - burst[0].t < 50, 'garp_master_repeat (5) sent at once');
    assert.ok(burst[0].t >= firstBackup.t - 50 && burst[0].t - tEvent <= mdi + MARGIN_MS, 'announced on takeover');
    if (o.hosts === 3) {
      assert.ok(!adverts.some((fr) => fr.srcMac === c.lab.hosts[2].mac), 'h3 (priority 50) never advertises');
      assert.equal((await c.vipds[2].instance()).state, 'BACKUP');
    }
    const st = await c.vipds[1].instance();
    assert.equal(st.state, 'MASTER');
    assert.equal(st.stats.become_master, before.stats.become_master + 1, 'one takeover');

    if (probing) {
      const r = await probing;
      const gaps = r.gaps.filter((g) => g.lengthMs > 5);
      assert.equal(gaps.length, 1, `one outage seen by the client: ${JSON.stringify(gaps)}`);
      assert.equal(gaps[0].before, 'h1');
      assert.equal(gaps[0].after, 'h2');
      assert.ok(gaps[0].lengthMs <= mdi + MARGIN_MS, `client outage ${gaps[0].lengthMs.toFixed(1)} ms`);
    }

    // The old master comes back and, with the higher priority, preempts.
    const since = Date.now();
    if (o.how === 'kill') {
      assert.ok(c.holders(vip).includes(0), 'a SIGKILLed daemon leaves its VIP behind');
      c.vipds[0].start();
      await c.vipds[0].waitLog(/removing VIPs left by an earlier run/, 5000, since);
    } else {
      assert.equal((await c.vipds[0].instance()).state, 'FAULT', 'h1 lost carrier: FAULT');
      c.lab.restoreLink(h1, 'bridge');
    }
    await c.waitHolder(vip, 0, 5000 + masterDownMs(adv, 150));
    assert.equal((await c.vipds[0].instance()).state, 'MASTER');
    await waitFor('h2 back to BACKUP', async () => (await c.vipds[1].instance()).state === 'BACKUP', 3000, 20);

    assert.deepEqual(await c.stopAll([vip]), [], `clean stop\n${c.logText()}`);
  } finally {
    c.destroy();
  }
}

test('v3 0.1 s, IPv4 multicast: master SIGKILLed -> backup takes over, GARP, client ARP follows; restart cleans and preempts',
  () => failover({ subnet: 41, hosts: 2, family: 4, how: 'kill' }));

test('v3 0.1 s, IPv4 multicast, three hosts: master link cut -> priority 100 (not 50) takes over, client outage bounded; restore preempts',
  () => failover({ subnet: 42, hosts: 3, family: 4, how: 'cut', probe: true }));

test('v3 0.1 s, IPv6 multicast: master SIGKILLed -> backup takes over, unsolicited NA, client neighbour follows',
  () => failover({ subnet: 43, hosts: 2, family: 6, how: 'kill' }));

test('v3 0.1 s, IPv4 unicast: master link cut -> backup takes over',
  () => failover({ subnet: 44, hosts: 2, family: 4, how: 'cut', unicast: true }));

test('v3 0.1 s, IPv6 unicast: master link cut -> backup takes over, unsolicited NA',
  () => failover({ subnet: 45, hosts: 2, family: 6, how: 'cut', unicast: true }));

test('v2 1 s with PASS authentication: master link cut -> backup takes over within 3 x 1 s + skew',
  () => failover({ subnet: 46, hosts: 2, family: 4, how: 'cut', version: 2, advertInt: 1, authPass: 'e2esecret' }));

test('v2 1 s, IPv4 unicast with unicast_ttl 7: election, master SIGKILLed -> backup takes over; every advert carries TTL 7',
  () => failover({ subnet: 82, hosts: 2, family: 4, how: 'kill', version: 2, advertInt: 1, unicast: true, unicastTtl: 7 }));

test('v3 0.1 s, IPv6 unicast with unicast_ttl 9: master link cut -> backup takes over; every advert carries hop limit 9',
  () => failover({ subnet: 85, hosts: 2, family: 6, how: 'cut', unicast: true, unicastTtl: 9 }));
