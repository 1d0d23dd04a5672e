// The daemon's receive path on the JavaScript side allocates nothing per datagram (the core's side is
// no-alloc.test.ts). A 100 000/s flood through a path that allocated even one boxed float per datagram is a
// garbage collection every few milliseconds, and each collection (with its helper threads) competes with the
// adverts for the CPU. Here: the socket's batch loop (deliverBatch), the daemon's per-datagram step (feedDatagram:
// core.feed + Driver.settle) and the verdict check, as host/daemon/runtime.ts runs them, over 640 000 datagrams —
// invalid ones (checksum) at a master, the flood test's kind, and the master's own adverts at a backup, the path
// every backup runs all day. No garbage collection may happen meanwhile. (Sending allocates a little per advert
// sent — views of the core's transmit buffer —, which is per advert interval, not per datagram received.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PerformanceObserver } from 'node:perf_hooks';
import { Core, ipv4Wrap } from '../../host/core/wasm-core.ts';
import { Driver } from '../../host/daemon/driver.ts';
import { feedDatagram } from '../../host/daemon/rx-datagram.ts';
import { REC } from '../../host/net/native.ts';
import { RxPacket, deliverBatch } from '../../host/net/vrrp-socket.ts';

const BATCH = 64;
const SLOT = 128;
const cfg = { socket: 0, version: 3 as const, family: 4 as const, vrid: 51, priority: 150, advertIntUs: 100_000, src: '10.203.0.1', vips: ['10.203.0.100'] };

/** corrupt: bad-checksum lower-priority adverts at a master; else priority-200 adverts (a better master) at a backup. */
function setup(corrupt: boolean) {
  // A clock of our own: the master's advert timer never fires, so every output comes from the datagrams.
  let clockUs = 1_000_000;
  const core = new Core('release');
  core.configure(0, cfg);
  let sent = 0;
  const driver = new Driver(core, { transmit() { sent++; }, event() {} }, () => clockUs, { arm() {}, disarm() {} });
  driver.step((now) => core.start(now, 0));
  if (corrupt) driver.step((now) => core.handleTimeout(now + 10_000_000, 0)); // -> MASTER
  const d = Buffer.from(ipv4Wrap(core.encodeAdvert({ ...cfg, priority: corrupt ? 100 : 200, src: '10.203.0.2' }), '10.203.0.2', '224.0.0.18', 255));
  if (corrupt) d[20 + 6] ^= 1;
  const data = Buffer.alloc(BATCH * SLOT);
  const meta = Buffer.alloc(BATCH * REC.SIZE);
  for (let i = 0; i < BATCH; i++) {
    d.copy(data, i * SLOT);
    meta.writeUInt32LE(i * SLOT, i * REC.SIZE + REC.OFF);
    meta.writeUInt32LE(d.length, i * REC.SIZE + REC.LEN);
    meta.writeInt32LE(255, i * REC.SIZE + REC.TTL);
    meta.writeDoubleLE(0, i * REC.SIZE + REC.RXTIME); // no kernel stamp: the read time stands in
  }
  const view = new RxPacket(4, data, meta);
  const verdicts = { bad: 0, good: 0 };
  const onPacket = (p: RxPacket) => {
    const r = feedDatagram(core, driver, 0, 4, p);
    if (r < 0) verdicts.bad++; else verdicts.good++;
  };
  const run = (batches: number) => {
    for (let k = 0; k < batches; k++) {
      clockUs += 10; // the datagrams arrive over time; the advert timer stays far away
      deliverBatch(view, BATCH, clockUs, onPacket);
    }
  };
  return { run, verdicts, sent: () => sent, state: () => core.inspect(0).state };
}

async function collections(body: () => void): Promise<number> {
  let n = 0;
  const obs = new PerformanceObserver((l) => { n += l.getEntries().length; });
  obs.observe({ entryTypes: ['gc'] });
  body();
  await new Promise((r) => setTimeout(r, 50)); // entries are delivered asynchronously
  obs.disconnect();
  return n;
}

for (const kind of ['invalid (bad checksum) adverts at a master', "a better master's adverts at a backup"] as const) {
  test(`640 000 datagrams through the receive path, ${kind}: no garbage collection`, async () => {
    const corrupt = kind.startsWith('invalid');
    const s = setup(corrupt);
    const want = corrupt ? 'MASTER' : 'BACKUP';
    s.run(1);
    assert.equal(s.state(), want);
    s.run(2000); // warm-up: until the optimising compiler has the path, a float may still be boxed
    const before = { ...s.verdicts };
    const sent0 = s.sent();
    // Up to three windows of 640 000: on a busy machine the optimising compiler may finish after the warm-up, and
    // the first window then sees the unoptimised code's boxed floats. A real allocation per datagram shows in every
    // window (one formatted address per datagram: 23 collections per window).
    const counts: number[] = [];
    for (let w = 0; w < 3 && (counts.length === 0 || counts.at(-1)! > 0); w++) counts.push(await collections(() => s.run(10_000)));
    const n = counts.at(-1)!;
    const fed = s.verdicts.bad + s.verdicts.good - before.bad - before.good;
    assert.equal(fed, 640_000 * counts.length);
    if (corrupt) assert.equal(s.verdicts.good - before.good, 0, 'every corrupted datagram refused');
    else assert.equal(s.verdicts.bad - before.bad, 0, "every master's advert accepted");
    assert.equal(s.sent() - sent0, 0, 'nothing sent: neither path answers');
    assert.equal(s.state(), want);
    assert.equal(n, 0, `garbage collections per window of 640 000 datagrams: ${counts.join(', ')}`);
  });
}
