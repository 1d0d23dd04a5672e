// Gratuitous ARP and unsolicited NA: exact frame bytes (pure), then on the wire from
// host h1 to the client namespace, where tcpdump sees them and the neighbour cache follows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, type LabHost } from '../../host/lab/netns.ts';
import { withNetns } from '../../host/net/netns.ts';
import { Announcer, ipv6Forwarding } from '../../host/net/announce.ts';
import { writeGarp, writeUnsolicitedNa, icmpv6Checksum, parseMac, formatMac, GARP_LEN, NA_LEN } from '../../host/net/announce-frames.ts';
import { Netlink } from '../../host/net/netlink.ts';
import { parseIp } from '../../host/net/ip-address.ts';
import { startCapture } from './helpers/capture.ts';
import { waitFor } from './helpers/wait.ts';

const MAC = parseMac('02:cb:01:00:00:01');

test('GARP frame: broadcast ARP request, sender (MAC, VIP), target (ff:ff:ff:ff:ff:ff, VIP)', () => {
  const out = Buffer.alloc(64, 0xee);
  assert.equal(writeGarp(out, 4, MAC, parseIp('10.203.1.50').bytes), GARP_LEN);
  assert.equal(out.subarray(4, 4 + GARP_LEN).toString('hex'),
    'ffffffffffff' + '02cb01000001' + '0806' + // Ethernet
    '0001' + '0800' + '06' + '04' + '0001' + // ARP request
    '02cb01000001' + '0acb0132' + 'ffffffffffff' + '0acb0132');
  assert.equal(out[3], 0xee, 'writes nothing before off');
  assert.equal(out[4 + GARP_LEN], 0xee, 'writes nothing after the frame');
});

test('unsolicited NA frame: ff02::1, hop limit 255, O (and R) flags, target-LL option, valid checksum', () => {
  const vip = parseIp('fd00:203:1::50').bytes;
  const f = Buffer.alloc(NA_LEN);
  assert.equal(writeUnsolicitedNa(f, 0, MAC, vip, false), NA_LEN);
  assert.equal(f.subarray(0, 14).toString('hex'), '333300000001' + '02cb01000001' + '86dd');
  assert.equal(f[14] >> 4, 6);
  assert.equal(f.readUInt16BE(18), 32, 'payload length');
  assert.equal(f[20], 58, 'next header ICMPv6');
  assert.equal(f[21], 255, 'hop limit');
  assert.deepEqual(f.subarray(22, 38), vip, 'source = VIP');
  assert.equal(f.subarray(38, 54).toString('hex'), 'ff020000000000000000000000000001');
  assert.equal(f[54], 136);
  assert.equal(f[55], 0);
  assert.equal(f[58], 0x20, 'Override only');
  assert.deepEqual(f.subarray(62, 78), vip, 'target = VIP');
  assert.equal(f.subarray(78, 86).toString('hex'), '0201' + '02cb01000001');
  // Summing a message with its checksum in place gives 0 (as a receiver verifies).
  assert.equal(icmpv6Checksum(f, 22, 38, 54, 32), 0);
  // Independent check against a known value for these inputs.
  const copy = Buffer.from(f);
  copy.writeUInt16BE(0, 56);
  assert.equal(f.readUInt16BE(56), icmpv6Checksum(copy, 22, 38, 54, 32));
  const r = Buffer.alloc(NA_LEN);
  writeUnsolicitedNa(r, 0, MAC, vip, true);
  assert.equal(r[58], 0xa0, 'Router + Override');
  assert.equal(icmpv6Checksum(r, 22, 38, 54, 32), 0);
  assert.equal(formatMac(MAC), '02:cb:01:00:00:01');
  assert.throws(() => parseMac('02:cb:01:00:00'), /not a MAC/);
});

let lab: Lab;
let h1: LabHost, client: LabHost;
let ifindex = 0;
let mac: Buffer;
let announcer: Announcer;

before(async () => {
  lab = Lab.create({ hosts: 1, subnet: 2 });
  h1 = lab.hosts[0];
  client = lab.client!;
  const nl = withNetns(h1.ns, () => new Netlink());
  try {
    const link = await nl.link('eth0');
    ifindex = link.index;
    mac = link.mac!;
  } finally {
    nl.close();
  }
  announcer = withNetns(h1.ns, () => new Announcer());
  // Let an ARP/NA refresh an entry made a moment ago (the default 1 s locktime would ignore it).
  lab.exec(client, ['sysctl', '-q', '-w', 'net.ipv4.neigh.eth0.locktime=0']);
});

after(() => {
  announcer?.close();
  lab?.destroy();
});

function neigh(addr: string): string {
  return lab.exec(client, ['ip', 'neigh', 'show', addr, 'dev', 'eth0']).trim();
}

test('GARP on the wire: the client captures the exact frame and its ARP entry moves to h1', async () => {
  const vip = '10.203.2.50';
  assert.equal(mac.toString('hex'), '02cb02000001');
  lab.exec(client, ['ip', 'neigh', 'replace', vip, 'lladdr', '02:00:00:00:00:99', 'dev', 'eth0', 'nud', 'stale']);
  const cap = await startCapture(lab, client, 'arp', 1);
  announcer.garp(ifindex, mac, parseIp(vip).bytes);
  assert.equal(announcer.pending, 1);
  assert.deepEqual(announcer.flush(), { sent: 1 });
  const [frame] = await cap.frames;
  const expected = Buffer.alloc(GARP_LEN);
  writeGarp(expected, 0, mac, parseIp(vip).bytes);
  assert.deepEqual(frame.subarray(0, GARP_LEN), expected);
  assert.ok(frame.subarray(GARP_LEN).every((b) => b === 0), 'only zero padding after the ARP body');
  await waitFor('client ARP entry for the VIP to point at h1', () => neigh(vip).includes('lladdr 02:cb:02:00:00:01'));
});

test('unsolicited NA on the wire: exact frame, accepted by the client (checksum, hop limit), neighbour entry follows', async () => {
  const vip = 'fd00:203:2::50';
  lab.exec(client, ['ip', '-6', 'neigh', 'replace', vip, 'lladdr', '02:00:00:00:00:98', 'dev', 'eth0', 'nud', 'stale']);
  const cap = await startCapture(lab, client, 'icmp6 and ip6[40] == 136', 1);
  const router = withNetns(h1.ns, () => ipv6Forwarding('eth0'));
  assert.equal(router, false);
  announcer.unsolicitedNa(ifindex, mac, parseIp(vip).bytes, router);
  assert.deepEqual(announcer.flush(), { sent: 1 });
  const [frame] = await cap.frames;
  const expected = Buffer.alloc(NA_LEN);
  writeUnsolicitedNa(expected, 0, mac, parseIp(vip).bytes, false);
  assert.deepEqual(frame, expected);
  await waitFor('client neighbour entry for the IPv6 VIP to point at h1', () => neigh(vip).includes('lladdr 02:cb:02:00:00:01'));
});

test('Router flag follows the interface forwarding setting; many VIPs leave in one flush', async () => {
  lab.exec(h1, ['sysctl', '-q', '-w', 'net.ipv6.conf.eth0.forwarding=1']);
  const router = withNetns(h1.ns, () => ipv6Forwarding('eth0'));
  assert.equal(router, true);
  const cap = await startCapture(lab, client, 'icmp6 and ip6[40] == 136', 20);
  for (let i = 0; i < 20; i++) announcer.unsolicitedNa(ifindex, mac, parseIp(`fd00:203:2::1${i.toString(16).padStart(2, '0')}`).bytes, router);
  assert.deepEqual(announcer.flush(), { sent: 20 });
  const frames = await cap.frames;
  assert.equal(frames.length, 20);
  for (const f of frames) assert.equal(f[58], 0xa0, 'Router + Override');
  lab.exec(h1, ['sysctl', '-q', '-w', 'net.ipv6.conf.eth0.forwarding=0']);
});

test('a frame for a link that is down is reported, not thrown', () => {
  lab.cutLink(h1, 'host');
  try {
    announcer.garp(ifindex, mac, parseIp('10.203.2.51').bytes);
    const r = announcer.flush();
    assert.equal(r.sent, 0);
    assert.deepEqual(r.failed, [[0, 'ENETDOWN']]);
  } finally {
    lab.restoreLink(h1, 'host');
  }
});
