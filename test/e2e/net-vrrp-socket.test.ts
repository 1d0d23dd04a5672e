// VRRP sockets on real namespaces: two hosts on a bridge exchange real VRRPv2/v3
// adverts, multicast and unicast, IPv4 and IPv6, through host/net/vrrp-socket.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, type LabHost } from '../../host/lab/netns.ts';
import { withNetns } from '../../host/net/netns.ts';
import { VrrpSocket } from '../../host/net/vrrp-socket.ts';
import { TxBatch } from '../../host/net/tx-batch.ts';
import { Netlink } from '../../host/net/netlink.ts';
import { parseIp, formatIp } from '../../host/net/ip-address.ts';
import { advertV2, advertV3 } from './helpers/vrrp-adverts.ts';
import { RxLog } from './helpers/rx-log.ts';
import { waitFor, sleep } from './helpers/wait.ts';

let lab: Lab;
let a: LabHost, b: LabHost;
let ifA = 0, ifB = 0;
let llA = '';
const open: VrrpSocket[] = [];

function openIn(h: LabHost, opts: Parameters<typeof VrrpSocket.open>[0], log: RxLog): VrrpSocket {
  const s = withNetns(h.ns, () => VrrpSocket.open(opts, log.handler));
  open.push(s);
  return s;
}

async function ifindexOf(h: LabHost): Promise<number> {
  const nl = withNetns(h.ns, () => new Netlink());
  try { return (await nl.link('eth0')).index; } finally { nl.close(); }
}

before(async () => {
  lab = Lab.create({ hosts: 2, client: false });
  [a, b] = lab.hosts;
  ifA = await ifindexOf(a);
  ifB = await ifindexOf(b);
  llA = lab.linkLocal(a);
});

after(() => {
  for (const s of open) s.close();
  lab?.destroy();
});

test('ip-address: parse and format round trip, RFC 5952 compression', () => {
  for (const t of ['10.203.1.2', '224.0.0.18', 'ff02::12', 'fe80::cb:1ff:fe00:1', '::', '::1', 'fd00:203:1::2', '2001:db8:0:1:1:1:1:1', '1:0:0:2::3']) {
    const ip = parseIp(t);
    assert.equal(formatIp(ip.family, ip.bytes), t);
  }
  assert.equal(formatIp(6, parseIp('2001:0db8:0000:0000:0001:0000:0000:0001').bytes), '2001:db8::1:0:0:1');
  assert.equal(formatIp(6, parseIp('::ffff:10.203.1.2').bytes), '::ffff:acb:102');
  assert.throws(() => parseIp('10.203.1'), /not an IP address/);
});

test('IPv4 multicast VRRPv2 and v3: receiver sees the whole IP packet, TTL 255, source, group, ifindex; no loopback', async () => {
  const logA = new RxLog(), logB = new RxLog();
  const sa = openIn(a, { family: 4, ifindex: ifA, multicast: true }, logA);
  openIn(b, { family: 4, ifindex: ifB, multicast: true }, logB);
  const v2 = advertV2(51, 150, 1, ['10.203.1.100', '10.203.1.101']);
  const v3 = advertV3(52, 120, 100, ['10.203.1.102'], a.ipv4, '224.0.0.18');
  const batch = new TxBatch();
  batch.add(v2, parseIp('224.0.0.18').bytes, { src: parseIp(a.ipv4).bytes });
  batch.add(v3, parseIp('224.0.0.18').bytes, { src: parseIp(a.ipv4).bytes });
  assert.deepEqual(sa.send(batch), { sent: 2 });
  await waitFor('two adverts at B', () => logB.packets.length >= 2);
  for (const [i, payload] of [v2, v3].entries()) {
    const p = logB.packets[i];
    const ihl = (p.bytes[0] & 0x0f) * 4;
    assert.equal(p.bytes[0] >> 4, 4, 'IPv4 header delivered');
    assert.equal(p.bytes[9], 112, 'protocol 112');
    assert.equal(p.bytes[1], 0xc0, 'TOS 0xC0 as keepalived');
    assert.equal(p.bytes[8], 255);
    assert.deepEqual(p.bytes.subarray(ihl), payload);
    assert.equal(p.ttl, 255);
    assert.equal(p.src, a.ipv4);
    assert.equal(p.dst, '224.0.0.18');
    assert.equal(p.ifindex, ifB);
    assert.equal(p.truncated, false);
  }
  await sleep(150);
  assert.equal(logB.packets.length, 2);
  assert.equal(logA.packets.length, 0, 'multicast loop is off: A does not hear itself');
});

test('IPv6 multicast VRRPv3 from the link-local source: payload only, hop limit 255, ff02::12, ifindex; no loopback', async () => {
  const logA = new RxLog(), logB = new RxLog();
  const sa = openIn(a, { family: 6, ifindex: ifA, multicast: true }, logA);
  openIn(b, { family: 6, ifindex: ifB, multicast: true }, logB);
  const v3 = advertV3(61, 200, 100, ['fe80::61', 'fd00:203:1::61'], llA, 'ff02::12');
  const batch = new TxBatch();
  batch.add(v3, parseIp('ff02::12').bytes, { src: parseIp(llA).bytes, ifindex: ifA });
  assert.deepEqual(sa.send(batch), { sent: 1 });
  const p = await waitFor('advert at B', () => logB.packets[0]);
  assert.deepEqual(p.bytes, v3);
  assert.equal(p.ttl, 255);
  assert.equal(p.src, llA);
  assert.equal(p.dst, 'ff02::12');
  assert.equal(p.ifindex, ifB);
  await sleep(150);
  assert.equal(logA.packets.length, 0, 'multicast loop is off');
});

test('unicast IPv4 and IPv6 with TTL / hop limit 254 arrive with 254 at a socket bound to the peer address', async () => {
  const logB4 = new RxLog(), logB6 = new RxLog(), logB4mc = new RxLog();
  const sa4 = openIn(a, { family: 4, ifindex: ifA, bindAddress: a.ipv4 }, new RxLog());
  const sa6 = openIn(a, { family: 6, ifindex: ifA, bindAddress: a.ipv6 }, new RxLog());
  openIn(b, { family: 4, ifindex: ifB, bindAddress: b.ipv4 }, logB4);
  openIn(b, { family: 6, ifindex: ifB, bindAddress: b.ipv6 }, logB6);
  // Raw sockets see every protocol-112 packet for the host; what a socket that joined
  // no group must not see is group traffic (IP_MULTICAST_ALL is off).
  openIn(b, { family: 4, ifindex: ifB }, logB4mc);

  const v2 = advertV2(71, 100, 1, ['10.203.1.171']);
  const b4 = new TxBatch();
  b4.add(v2, parseIp(b.ipv4).bytes, { src: parseIp(a.ipv4).bytes, ttl: 254 });
  assert.deepEqual(sa4.send(b4), { sent: 1 });
  const v3 = advertV3(72, 100, 100, ['fd00:203:1::172'], a.ipv6, b.ipv6);
  const b6 = new TxBatch();
  b6.add(v3, parseIp(b.ipv6).bytes, { src: parseIp(a.ipv6).bytes, ttl: 254 });
  assert.deepEqual(sa6.send(b6), { sent: 1 });

  const p4 = await waitFor('unicast v4', () => logB4.packets[0]);
  assert.equal(p4.ttl, 254);
  assert.equal(p4.bytes[8], 254);
  assert.equal(p4.src, a.ipv4);
  assert.equal(p4.dst, b.ipv4);
  assert.equal(p4.ifindex, ifB);
  assert.deepEqual(p4.bytes.subarray(20), v2);
  const p6 = await waitFor('unicast v6', () => logB6.packets[0]);
  assert.equal(p6.ttl, 254);
  assert.equal(p6.src, a.ipv6);
  assert.equal(p6.dst, b.ipv6);
  assert.equal(p6.ifindex, ifB);
  assert.deepEqual(p6.bytes, v3);

  // Multicast now: the non-member socket must stay silent (IP_MULTICAST_ALL off).
  const mc = new TxBatch();
  mc.add(advertV2(73, 100, 1, ['10.203.1.173']), parseIp('224.0.0.18').bytes);
  openIn(b, { family: 4, ifindex: ifB, multicast: true }, new RxLog());
  sa4.send(mc);
  await sleep(150);
  assert.ok(logB4mc.packets.every((p) => p.dst !== '224.0.0.18'), 'non-member socket saw group traffic');
});

test('a batch of 200 datagrams goes out in one send() and all arrive in order; a refused one is reported and skipped', async () => {
  const logB = new RxLog();
  const sa = openIn(a, { family: 4, ifindex: ifA, multicast: true }, new RxLog());
  openIn(b, { family: 4, ifindex: ifB, multicast: true, batch: 16 }, logB);
  const batch = new TxBatch(256, 256 * 1024);
  const group = parseIp('224.0.0.18').bytes;
  for (let i = 0; i < 200; i++) {
    if (i === 100) batch.add(Buffer.alloc(70_000), group); // larger than any IPv4 datagram: EMSGSIZE
    batch.add(advertV2(1 + (i % 255), 100, 1, [`10.203.1.${i % 250}`]), group);
  }
  const report = sa.send(batch);
  assert.equal(report.sent, 200);
  assert.deepEqual(report.failed, [[100, 'EMSGSIZE']]);
  await waitFor('200 adverts', () => logB.packets.length >= 200, 5000);
  const vrids = logB.packets.map((p) => p.bytes[21]);
  assert.deepEqual(vrids, Array.from({ length: 200 }, (_, i) => 1 + (i % 255)));
});

test('an overflowing receive queue: the next datagram queued carries the kernel drop count (SO_RXQ_OVFL)', async () => {
  const logB = new RxLog();
  const sa = openIn(a, { family: 4, ifindex: ifA, multicast: true }, new RxLog());
  // 4 KiB (the kernel doubles it) holds a handful of adverts; 200 sent in one call cannot all be queued before
  // the receiver's event loop gets a turn.
  openIn(b, { family: 4, ifindex: ifB, multicast: true, rcvbuf: 4096 }, logB);
  const group = parseIp('224.0.0.18').bytes;
  const batch = new TxBatch(256, 256 * 1024);
  for (let i = 0; i < 200; i++) batch.add(advertV2(1 + i, 100, 1, []), group);
  assert.equal(sa.send(batch).sent, 200);
  await sleep(200);
  const queued = logB.packets.length;
  assert.ok(queued > 0 && queued < 200, `${queued} of 200 queued`);
  batch.clear();
  batch.add(advertV2(250, 100, 1, []), group);
  sa.send(batch);
  await waitFor('the datagram after the overflow', () => logB.packets.length > queued, 2000);
  const last = logB.packets[logB.packets.length - 1];
  assert.equal(last.bytes[21], 250);
  assert.equal(last.drops, 200 - queued, 'every datagram not delivered was counted as dropped');
});

test('closing a socket stops delivery and frees the fd', async () => {
  const logB = new RxLog();
  const sa = openIn(a, { family: 4, ifindex: ifA, multicast: true }, new RxLog());
  const sb = openIn(b, { family: 4, ifindex: ifB, multicast: true }, logB);
  sb.close();
  sb.close(); // idempotent
  const batch = new TxBatch();
  batch.add(advertV2(9, 100, 1, []), parseIp('224.0.0.18').bytes);
  sa.send(batch);
  await sleep(150);
  assert.equal(logB.packets.length, 0);
});
