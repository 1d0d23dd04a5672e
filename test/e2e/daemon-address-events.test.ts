// Address events under a running daemon (host/daemon/address-events.ts): track_src_ip puts an instance in FAULT
// when its source address goes and brings it back when it returns; an interface-derived source is taken again
// from what the interface has left; a VIP removed from a master by someone else is reported and not re-added
// (keepalived neither, acassen/keepalived#534). VRRPv3 at 0.1 s, two hosts. Subnets 84 and 86.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, configText, masterDownMs } from './helpers/daemon.ts';
import { sleep, waitFor } from './helpers/wait.ts';

const ADV = 0.1;
const MARGIN_MS = 150;

async function finish(c: Cluster, vips: string[]): Promise<void> {
  assert.deepEqual(await c.stopAll(vips), [], `clean stop\n${c.logText()}`);
}

test('track_src_ip: the master\'s source address removed -> FAULT and the backup takes over; added back -> MASTER again', async () => {
  const c = Cluster.create(2, 84);
  try {
    const vip = c.vip();
    const src = c.vip(211);
    const h1 = c.lab.hosts[0];
    c.lab.exec(h1, ['ip', 'addr', 'add', `${src}/24`, 'dev', 'eth0']);
    c.start([
      configText([{ priority: 150, version: 3, advertInt: ADV, vips: [`${vip}/24`], extra: [`mcast_src_ip ${src}`, 'track_src_ip'] }]),
      configText([{ priority: 100, version: 3, advertInt: ADV, vips: [`${vip}/24`] }]),
    ]);
    await c.waitHolder(vip, 0, 10_000);
    assert.equal((await c.vipds[1].instance()).masterAddress, src, 'h1 advertises from its configured source');

    const tDel = Date.now();
    c.lab.exec(h1, ['ip', 'addr', 'del', `${src}/24`, 'dev', 'eth0']);
    await waitFor('h1 FAULT', async () => (await c.vipds[0].instance()).state === 'FAULT', 2000, 10);
    const tVip = await c.waitHolder(vip, 1, masterDownMs(ADV, 100) + 1000, { stepMs: 2 });
    // h1 resigns with priority 0 on its way to FAULT, so h2 takes over after Skew_Time, well within this bound.
    assert.ok(tVip - tDel <= masterDownMs(ADV, 100) + MARGIN_MS, `h2 holds the VIP ${tVip - tDel} ms after the delete`);
    assert.ok(c.vipds[0].findLog(/\(VI_1\) source address 10\.203\.84\.211 removed: entering FAULT until it is back \(track_src_ip\)/, tDel - 10));
    assert.ok(c.vipds[0].findLog(/Entering FAULT STATE/, tDel - 10));

    const tAdd = Date.now();
    c.lab.exec(h1, ['ip', 'addr', 'add', `${src}/24`, 'dev', 'eth0']);
    const tBack = await c.waitHolder(vip, 0, 3000, { stepMs: 2 });
    assert.ok(tBack - tAdd <= masterDownMs(ADV, 150) + MARGIN_MS, `h1 master again ${tBack - tAdd} ms after the address came back`);
    assert.ok(c.vipds[0].findLog(/\(VI_1\) source address 10\.203\.84\.211 is back/, tAdd - 10));
    await finish(c, [vip]);
  } finally {
    c.destroy();
  }
});

test('an interface-derived source is taken again from the interface; a VIP removed by hand from the master is reported, not re-added', async () => {
  const c = Cluster.create(2, 86);
  try {
    const vip = c.vip();
    const h1 = c.lab.hosts[0];
    // A second subnet on h1: when the lab's address goes, this one is the interface's first IPv4 address.
    const other = '10.203.186.1';
    c.lab.exec(h1, ['ip', 'addr', 'add', `${other}/24`, 'dev', 'eth0']);
    c.start([
      configText([{ priority: 150, version: 3, advertInt: ADV, vips: [`${vip}/32`] }]),
      configText([{ priority: 100, version: 3, advertInt: ADV, vips: [`${vip}/32`] }]),
    ]);
    await c.waitHolder(vip, 0, 10_000);
    assert.equal((await c.vipds[1].instance()).masterAddress, h1.ipv4);

    const tDel = Date.now();
    c.lab.exec(h1, ['ip', 'addr', 'del', `${h1.ipv4}/24`, 'dev', 'eth0']);
    await waitFor(`h2 sees adverts from ${other}`, async () => (await c.vipds[1].instance()).masterAddress === other, 2000, 10);
    assert.ok(c.vipds[0].findLog(new RegExp(`\\(VI_1\\) source address ${h1.ipv4.replace(/\./g, '\\.')} removed: adverts now from ${other.replace(/\./g, '\\.')}`), tDel - 10),
      c.vipds[0].logText());
    assert.deepEqual(c.holders(vip), [0], 'h1 stayed master throughout');
    assert.equal((await c.vipds[1].instance()).state, 'BACKUP');

    const tGone = Date.now();
    c.lab.exec(h1, ['ip', 'addr', 'del', `${vip}/32`, 'dev', 'eth0']);
    await c.vipds[0].waitLog(/\(VI_1\) VIP 10\.203\.86\.100 was removed from its interface by someone else while MASTER/, 2000, tGone - 10);
    await sleep(4 * ADV * 1000);
    assert.deepEqual(c.holders(vip), [], 'not re-added (as keepalived)');
    const s = await c.vipds[0].instance();
    assert.equal(s.state, 'MASTER', 'h1 is still master');
    assert.equal(s.vipsInstalled, false, 'and its status no longer claims the VIP');
    await finish(c, [vip]);
  } finally {
    c.destroy();
  }
});
