// The core's AH (keepalived's auth_type AH) against node:crypto's HMAC-MD5, over a few hundred random adverts both
// ways: what the core builds carries the ICV node computes, and what node signs the core accepts. Plus the packet
// tool: `vipd packet encode --auth-ah` rebuilds adverts captured from keepalived 2.2.7, and `decode --auth-pass`
// judges their ICV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Core, type InstanceConfig } from '../../host/core/wasm-core.ts';
import * as abi from '../../host/core/abi.ts';
import { ahIcv } from '../../host/packet/ah.ts';
import { runVipd as vipd } from './helpers/cli.ts';

// Sent by keepalived 2.2.7 (Debian 12) from 10.203.92.1, priority 100, advert_int 1, auth_pass secret1: VRID 51
// multicast with VIP 10.203.92.100, VRID 52 unicast to 10.203.92.2 with VIP 10.203.92.101. test/core/ah.spec.ts
// has the same bytes.
const KA_MCAST_1 = '45c0004000010000ff3373eb0acb5c01e0000012700400000acb5c0100000001fc92abaa053c9916519e3afc213364010201119b0acb5c640000000000000000';
const KA_UCAST_1 = '45c0004000010000ff33ed300acb5c010acb5c02700400000acb5c0100000001a3664792d69ceab2d20eda6f21346401020111990acb5c650000000000000000';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s >>> 8; };
}

interface Case { cfg: InstanceConfig & { priority: number }; pw: string; unicast: boolean; peer: string }

function randomCase(rnd: () => number): Case {
  const n = rnd() % 21;
  const vips = Array.from({ length: n }, (_, k) => `10.203.${93 + (k >> 8)}.${(k & 0xff) + 1}`);
  const pwLen = 1 + (rnd() % 8);
  // Latin-1 printable, as keepalived's auth_pass (a password of 8 bytes is used whole, no terminator)
  const pw = String.fromCharCode(...Array.from({ length: pwLen }, () => 0x21 + (rnd() % 0xde)));
  const unicast = rnd() % 2 === 0;
  const src = `10.203.92.${1 + (rnd() % 200)}`;
  const peer = `10.203.92.${201 + (rnd() % 50)}`;
  const cfg = {
    socket: 0, version: 2 as const, family: 4 as const, vrid: 1 + (rnd() % 255), priority: rnd() % 256,
    advertIntUs: (1 + (rnd() % 255)) * 1e6, src, vips, authAh: pw, txTtl: unicast ? 1 + (rnd() % 255) : 255,
    peers: unicast ? [{ address: peer }] : undefined,
  };
  return { cfg, pw, unicast, peer };
}

test('400 random AH adverts built by the core carry the ICV node:crypto computes', () => {
  const core = new Core('release');
  const rnd = prng(0xa4);
  for (let k = 0; k < 400; k++) {
    const c = randomCase(rnd);
    const p = core.encodeAdvert(c.cfg);
    assert.equal(p[9], 51, 'protocol AH');
    assert.equal((p[2] << 8) | p[3], p.length, 'total length');
    assert.equal(p[8], c.cfg.txTtl, 'TTL');
    const icv = Buffer.from(p.subarray(32, 44));
    assert.deepEqual(icv, ahIcv(p, c.pw, c.unicast), `case ${k}: ${JSON.stringify(c.cfg)}`);
    // and the other TTL rule would not match: the test can tell the two apart
    if (c.cfg.txTtl !== 0) assert.notDeepEqual(icv, ahIcv(p, c.pw, !c.unicast), `case ${k}: TTL rule`);
  }
});

test('400 random AH adverts signed by node:crypto are accepted by a core backup; one changed bit is refused', () => {
  const rnd = prng(0x51);
  let flipped = 0;
  for (let k = 0; k < 400; k++) {
    const core = new Core('release');
    const c = randomCase(rnd);
    // The receiver: same VRID, addresses and password, a lower priority so the advert is followed.
    const rcv = { ...c.cfg, src: c.unicast ? c.peer : '10.203.92.250', priority: 1, peers: c.unicast ? [{ address: c.cfg.src }] : undefined };
    core.configure(0, rcv);
    core.start(0, 0);
    core.drain();
    const p = Buffer.from(core.encodeAdvert({ ...c.cfg, priority: Math.max(2, c.cfg.priority) }));
    // node picks the sequence number and signs
    p.writeUInt32BE(1 + (rnd() % 1_000_000), 28);
    p.fill(0, 32, 44);
    ahIcv(p, c.pw, c.unicast).copy(p, 32);
    assert.equal(core.handleDatagram(1000, 0, 4, p[8], p), abi.RX_OK, `case ${k}: ${JSON.stringify(c.cfg)}`);
    // the same packet again is a replay; with a bit of the advert or the IP addresses changed, a bad ICV
    assert.equal(core.handleDatagram(2000, 0, 4, p[8], p), abi.RX_AH_REPLAY);
    const q = Buffer.from(p);
    q.writeUInt32BE(q.readUInt32BE(28) + 1, 28);
    const at = [4, 5, 12, 13, 14, 15, 44 + 1, p.length - 9][rnd() % 8]; // ID, source, VRID, last VIP byte or auth data
    q[at] ^= 1 << (rnd() % 8);
    const v = core.handleDatagram(3000, 0, 4, q[8], q);
    // A changed VRID may find no instance, a changed source no peer: either way it is refused before or at the ICV.
    assert.ok(v === abi.RX_AH_BAD_ICV || v === abi.RX_UNKNOWN_VRID, `case ${k}: byte ${at} changed gave ${v}`);
    if (v === abi.RX_AH_BAD_ICV) flipped++;
    core.drain();
  }
  assert.ok(flipped > 300, `bad ICV ${flipped} times`);
});

test('packet encode --auth-ah rebuilds keepalived 2.2.7\'s adverts; decode --auth-pass checks the ICV', async () => {
  const base = ['packet', 'encode', '--version', '2', '--priority', '100', '--interval', '1', '--src', '10.203.92.1', '--auth-ah', 'secret1'];
  assert.equal((await vipd(...base, '--vrid', '51', '--dst', '224.0.0.18', '10.203.92.100')).out.trim(), KA_MCAST_1);
  assert.equal((await vipd(...base, '--vrid', '52', '--dst', '10.203.92.2', '10.203.92.101')).out.trim(), KA_UCAST_1);
  const good = await vipd('packet', 'decode', KA_UCAST_1, '--auth-pass', 'secret1');
  assert.equal(good.code, 0, good.out);
  const r = JSON.parse(good.out);
  assert.deepEqual(r.ah, { nextHeader: 112, spi: '10.203.92.1', sequence: 1, icv: 'a3664792d69ceab2d20eda6f', icvValid: true });
  assert.equal(r.authType, 2);
  const bad = await vipd('packet', 'decode', KA_MCAST_1, '--auth-pass', 'secret2');
  assert.equal(bad.code, 1);
  assert.equal(JSON.parse(bad.out).reason, 'ah-bad-icv');
  // without a password the fields are shown and the ICV is not judged
  const plain = JSON.parse((await vipd('packet', 'decode', KA_MCAST_1)).out);
  assert.equal(plain.valid, true);
  assert.equal(plain.ah.icvValid, undefined);
  const refused = await vipd(...base, '--vrid', '51', '--dst', 'ff02::12', '--src', 'fe80::1', 'fe80::33');
  assert.equal(refused.code, 2);
  assert.match(refused.err, /--auth-ah is for version 2 over IPv4 only|IPv6/);
});
