// Receive pacing (native/vipd_net.c): a stream of datagrams is read in batches a millisecond or two apart, not
// one wake-up per datagram, and nothing is lost to it; drain() reads a socket on demand, as the daemon does
// before acting on a takeover deadline. Real raw sockets in namespaces, frames from an injector process on the
// other host. Subnet 83.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, type LabHost } from '../../host/lab/netns.ts';
import { withNetns } from '../../host/net/netns.ts';
import { VrrpSocket } from '../../host/net/vrrp-socket.ts';
import { TxBatch } from '../../host/net/tx-batch.ts';
import { Netlink } from '../../host/net/netlink.ts';
import { parseIp } from '../../host/net/ip-address.ts';
import { advertFrame } from '../faults/helpers/frames.ts';
import { inject } from '../faults/helpers/attacker.ts';
import { advertV3 } from './helpers/vrrp-adverts.ts';
import { RxLog } from './helpers/rx-log.ts';
import { sleep, waitFor } from './helpers/wait.ts';

let lab: Lab;
let a: LabHost, b: LabHost;
const open: VrrpSocket[] = [];

async function ifindexOf(h: LabHost): Promise<number> {
  const nl = withNetns(h.ns, () => new Netlink());
  try { return (await nl.link('eth0')).index; } finally { nl.close(); }
}

/** With the daemon's receive buffer (host/daemon/runtime.ts VRRP_RCVBUF). */
function openIn(h: LabHost, ifindex: number, log: RxLog): VrrpSocket {
  const s = withNetns(h.ns, () => VrrpSocket.open({ family: 4, ifindex, multicast: true, rcvbuf: 1 << 20 }, log.handler));
  open.push(s);
  return s;
}

before(() => {
  lab = Lab.create({ hosts: 2, client: false, subnet: 83 });
  [a, b] = lab.hosts;
});

after(() => {
  for (const s of open) s.close();
  lab?.destroy();
});

test('a 20 000/s stream for 1 s: every datagram read, in paced batches (wake-ups a fraction of the datagrams)', async () => {
  const log = new RxLog();
  const s = openIn(b, await ifindexOf(b), log);
  const before = s.rxStats();
  const frame = advertFrame({ srcMac: a.mac, src: a.ipv4 }, { vrid: 51, priority: 100, interval: 100, vips: ['10.83.0.100'] });
  const r = await inject(lab, a, [frame], 20_000, 1000);
  // Bounded: a shortfall is reported by the assertions below with the figures.
  await waitFor('the stream read', () => s.rxStats().datagrams - before.datagrams >= r.sent - r.failed, 3000, 20).catch(() => {});
  const st = s.rxStats();
  const read = st.datagrams - before.datagrams;
  const wakeups = st.wakeups - before.wakeups;
  const dropped = log.packets.at(-1)?.drops ?? 0;
  const figures = `sent ${r.sent} in ${r.ms.toFixed(0)} ms; read ${read}, kernel drops ${dropped}; wake-ups ${wakeups}, pauses ${st.pauses - before.pauses}`;
  console.log(figures);
  assert.ok(r.sent >= 15_000, `the injector sent too little: ${figures}`);
  assert.equal(read, log.packets.length, 'every datagram read reached the handler');
  assert.equal(dropped, 0, `pacing lost datagrams to a full receive queue: ${figures}`);
  assert.equal(read, r.sent - r.failed, figures);
  // Unpaced, each datagram 50 µs apart was a wake-up of its own.
  assert.ok(wakeups * 5 <= read, `not paced: ${figures}`);
  assert.ok(st.pauses - before.pauses >= 100, figures);
});

test('drain(): reads what waits in the kernel now, without the event loop', async () => {
  const logA = new RxLog(), logB = new RxLog();
  const sa = openIn(a, await ifindexOf(a), logA);
  const sb = openIn(b, await ifindexOf(b), logB);
  await sleep(50);
  logB.clear();
  const batch = new TxBatch();
  for (let k = 0; k < 3; k++) {
    batch.add(advertV3(60 + k, 100, 100, ['10.83.0.100'], a.ipv4, '224.0.0.18'), parseIp('224.0.0.18').bytes, { src: parseIp(a.ipv4).bytes });
  }
  assert.deepEqual(sa.send(batch), { sent: 3 });
  // The event loop is blocked: the watcher cannot have read them; the veth delivers them meanwhile.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  assert.equal(logB.packets.length, 0);
  const drains = sb.rxStats().drains;
  assert.equal(sb.drain(), 3);
  assert.deepEqual(logB.packets.map((p) => p.bytes[20 + 1]), [60, 61, 62], 'handed over during drain(), in order');
  assert.equal(sb.rxStats().drains, drains + 1);
  assert.equal(sb.drain(), 0, 'nothing left');
  await sleep(50);
  assert.equal(logB.packets.length, 3, 'the watcher does not see them again');
});
