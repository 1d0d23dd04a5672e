// IPsec AH authentication (auth_type AH, VRRPv2 over IPv4), keepalived-behaviour.md §10.2 check 6.
// The MD5 and HMAC-MD5 code is graded by RFC 1321 and RFC 2202 vectors; the AH packet layout and ICV by adverts
// captured from keepalived 2.2.7 (Debian) on a veth pair: the core must accept them and build them byte for byte.
// test/host/ah-crosscheck.test.ts compares the HMAC with node:crypto over random packets.
import * as abi from '../../assembly/abi';
import * as core from '../../assembly/index';
import { hmac, hmacKey, md5 } from '../../assembly/wire/md5';
import {
  Out, Router, expectState, feedRaw, next, nextTx, reset, router, runUntil, skip, stat,
} from './helpers';

function snap(h: i32 = -1): f64[] {
  const s: f64[] = [];
  for (let k = 0; k < abi.N_STATS; k++) s.push(h < 0 ? stat(k) : stat(k, h));
  return s;
}

// ---------------------------------------------------------------------------------------------------------
// Hex helpers

function hex(p: usize, n: i32): string {
  let s = '';
  for (let k = 0; k < n; k++) {
    const b = <i32>load<u8>(p + k);
    s += (b < 16 ? '0' : '') + b.toString(16);
  }
  return s;
}

function unhex(s: string, p: usize): i32 {
  const n = s.length >> 1;
  for (let k = 0; k < n; k++) store<u8>(p + k, <u8>I32.parseInt(s.substr(2 * k, 2), 16));
  return n;
}

function bytesOf(s: string): StaticArray<u8> {
  const out = new StaticArray<u8>(s.length);
  for (let k = 0; k < s.length; k++) out[k] = <u8>s.charCodeAt(k);
  return out;
}

function repeat(b: u8, n: i32): StaticArray<u8> {
  const out = new StaticArray<u8>(n);
  for (let k = 0; k < n; k++) out[k] = b;
  return out;
}

const ST = new StaticArray<u8>(16);
const DIGEST = new StaticArray<u8>(16);
const INNER = new StaticArray<u8>(16);
const OUTER = new StaticArray<u8>(16);

function md5Hex(data: StaticArray<u8>): string {
  md5(changetype<usize>(ST), changetype<usize>(data), data.length, changetype<usize>(DIGEST));
  return hex(changetype<usize>(DIGEST), 16);
}

function hmacHex(key: StaticArray<u8>, data: StaticArray<u8>): string {
  hmacKey(changetype<usize>(key), key.length, changetype<usize>(INNER), changetype<usize>(OUTER));
  hmac(changetype<usize>(INNER), changetype<usize>(OUTER), changetype<usize>(data), data.length, changetype<usize>(DIGEST));
  return hex(changetype<usize>(DIGEST), 16);
}

describe('MD5 (RFC 1321 §A.5 test suite, and the padding edges)', () => {
  it('digests the RFC test suite', () => {
    expect(md5Hex(bytesOf(''))).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(md5Hex(bytesOf('a'))).toBe('0cc175b9c0f1b6a831c399e269772661');
    expect(md5Hex(bytesOf('abc'))).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(md5Hex(bytesOf('message digest'))).toBe('f96b697d7cb7938d525a2f31aaf161d0');
    expect(md5Hex(bytesOf('abcdefghijklmnopqrstuvwxyz'))).toBe('c3fcd3d76192e4007dfb496cca67e13b');
    expect(md5Hex(bytesOf('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'))).toBe('d174ab98d277d9f5a5611c2c9f419d9f');
    expect(md5Hex(bytesOf('12345678901234567890123456789012345678901234567890123456789012345678901234567890'))).toBe('57edf4a22be3c955ac49da2e2107b67a');
  });

  it('pads right at 55, 56, 64 and 119 bytes (one block, two blocks, a full block, the second block full)', () => {
    expect(md5Hex(repeat(0x78, 55))).toBe('04364420e25c512fd958a70738aa8f72');
    expect(md5Hex(repeat(0x78, 56))).toBe('668a72d5ba17f08e62dabcafad6db14b');
    expect(md5Hex(repeat(0x78, 64))).toBe('c1bb4f81d892b2d57947682aeb252456');
    expect(md5Hex(repeat(0x78, 119))).toBe('ab347a5f68c8a443cfcddc633f12c24f');
  });
});

describe('HMAC-MD5 (RFC 2202 test cases 1-5)', () => {
  it('matches every case with a key of at most one block', () => {
    expect(hmacHex(repeat(0x0b, 16), bytesOf('Hi There'))).toBe('9294727a3638bb1c13f48ef8158bfc9d');
    expect(hmacHex(bytesOf('Jefe'), bytesOf('what do ya want for nothing?'))).toBe('750c783e6ab0b503eaa86e310a5db738');
    expect(hmacHex(repeat(0xaa, 16), repeat(0xdd, 50))).toBe('56be34521d144c88dbb8c733f0e8b3f6');
    const k4 = new StaticArray<u8>(25);
    for (let k = 0; k < 25; k++) k4[k] = <u8>(k + 1);
    expect(hmacHex(k4, repeat(0xcd, 50))).toBe('697eaf0aca3a3aea3a75164746ffaa79');
    expect(hmacHex(repeat(0x0c, 16), bytesOf('Test With Truncation'))).toBe('56461ef2342edc00f9bab995690efd4c');
  });
});

// ---------------------------------------------------------------------------------------------------------
// Adverts keepalived 2.2.7 sent: 10.203.92.1, VRID 51 (multicast, VIP 10.203.92.100) and VRID 52 (unicast to
// 10.203.92.2, VIP 10.203.92.101), priority 100, advert_int 1, auth_pass secret1. IP ID and sequence 1, then 2.
const KA_MCAST_1 = '45c0004000010000ff3373eb0acb5c01e0000012700400000acb5c0100000001fc92abaa053c9916519e3afc213364010201119b0acb5c640000000000000000';
const KA_MCAST_2 = '45c0004000020000ff3373ea0acb5c01e0000012700400000acb5c0100000002117d5064ca4510d241647297213364010201119b0acb5c640000000000000000';
const KA_UCAST_1 = '45c0004000010000ff33ed300acb5c010acb5c02700400000acb5c0100000001a3664792d69ceab2d20eda6f21346401020111990acb5c650000000000000000';
const KA_UCAST_2 = '45c0004000020000ff33ed2f0acb5c010acb5c02700400000acb5c01000000021b0694aa9ceee663b6d511f021346401020111990acb5c650000000000000000';

const T0: f64 = 1000000;

/** A v2 AH router as keepalived's capture was configured (priority 100, 1 s), with the password set. */
function ahRouter(src: string, vrid: i32, vip: string, pw: string = 'secret1'): Router {
  const r = router().id(vrid).from(src).addrs([vip]).ah();
  r.authPass = pw;
  return r;
}

/** The receiving side of KA_MCAST_*: a started backup at 10.203.92.2 with keepalived's VRID, VIP and password. */
function mcastBackup(): Router {
  const r = ahRouter('10.203.92.2', 51, '10.203.92.100').up(0);
  skip();
  return r;
}

function rxIp(): usize { return core.rxPtr() + abi.ADDR_OFF; }

/** Feeds a hex IPv4 packet on the current router's socket with the TTL of its header. */
function feedHex(t: f64, s: string, sock: i32): i32 {
  const n = unhex(s, rxIp());
  return feedRaw(t, sock, 4, <i32>load<u8>(rxIp() + 8), n);
}

function txHex(o: Out): string { return hex(changetype<usize>(o.bytes), o.bytes.length); }

/** The AH sequence number and IP ID of a transmitted AH packet. */
function txSeq(o: Out): u32 { return bswap<u32>(load<u32>(changetype<usize>(o.bytes) + 28)); }
function txId(o: Out): i32 { return (<i32>o.bytes[4] << 8) | <i32>o.bytes[5]; }

/**
 * Re-signs the AH packet in RX (n bytes): SPI, sequence and a fresh ICV with password pw, as a keepalived sender
 * would (TTL zeroed in the ICV for unicast). Lets a spec change a field and still present a valid ICV.
 */
function resign(n: i32, pw: string, seq: u32, unicast: bool, spiFromSrc: bool = true): void {
  const p = rxIp();
  const ah = p + 20;
  if (spiFromSrc) memory.copy(ah + 4, p + 12, 4);
  store<u32>(ah + 8, bswap<u32>(seq));
  const copy = new StaticArray<u8>(n);
  const c = changetype<usize>(copy);
  memory.copy(c, p, n);
  store<u8>(c + 1, 0);
  store<u16>(c + 6, 0);
  store<u16>(c + 10, 0);
  if (unicast) store<u8>(c + 8, 0);
  memory.fill(c + 32, 0, 12);
  const key = new StaticArray<u8>(8);
  for (let k = 0; k < pw.length && k < 8; k++) key[k] = <u8>pw.charCodeAt(k);
  hmacKey(changetype<usize>(key), 8, changetype<usize>(INNER), changetype<usize>(OUTER));
  hmac(changetype<usize>(INNER), changetype<usize>(OUTER), c, n, changetype<usize>(DIGEST));
  memory.copy(ah + 12, changetype<usize>(DIGEST), 12);
}

/** Fixes the VRRP checksum of the v2 message in an AH packet in RX after a spec changed the message. */
function fixVrrpChecksum(n: i32): void {
  const m = rxIp() + 44;
  const len = n - 44;
  store<u16>(m + 6, 0);
  let s: u32 = 0;
  for (let k = 0; k < len; k += 2) s += (<u32>load<u8>(m + k) << 8) | <u32>load<u8>(m + k + 1);
  while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
  const cs = <u16>(~s & 0xffff);
  store<u8>(m + 6, <u8>(cs >> 8));
  store<u8>(m + 7, <u8>cs);
}

describe('AH adverts keepalived 2.2.7 sent', () => {
  beforeEach(() => { reset(); });

  it('are built byte for byte: multicast, ID and sequence 1 then 2 (the TTL is in the ICV)', () => {
    ahRouter('10.203.92.1', 51, '10.203.92.100').up(0);
    expectState(abi.STATE_INIT, abi.STATE_BACKUP, abi.WHY_STARTUP);
    runUntil(3609375);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN);
    const first = next(abi.OUT_TRANSMIT, 'first advert');
    expect(txHex(first)).toBe(KA_MCAST_1);
    skip();
    runUntil(4609375);
    expect(txHex(next(abi.OUT_TRANSMIT, 'second advert'))).toBe(KA_MCAST_2);
  });

  it('are built byte for byte: unicast (the TTL is left out of the ICV)', () => {
    ahRouter('10.203.92.1', 52, '10.203.92.101').peer('10.203.92.2').up(0);
    skip();
    runUntil(3609375);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN);
    expect(txHex(next(abi.OUT_TRANSMIT, 'first advert'))).toBe(KA_UCAST_1);
    skip();
    runUntil(4609375);
    expect(txHex(next(abi.OUT_TRANSMIT, 'second advert'))).toBe(KA_UCAST_2);
  });

  it('are accepted in order, and a replayed one is refused (auth_failure, ah_replay)', () => {
    const r = mcastBackup();
    expect(feedHex(T0, KA_MCAST_1, r.socket)).toBe(abi.RX_OK);
    expect(feedHex(T0 + 1000000, KA_MCAST_2, r.socket)).toBe(abi.RX_OK);
    const s = snap();
    expect(feedHex(T0 + 1500000, KA_MCAST_1, r.socket)).toBe(abi.RX_AH_REPLAY);
    expect(feedHex(T0 + 1600000, KA_MCAST_2, r.socket)).toBe(abi.RX_AH_REPLAY, 'the same number again is a replay too');
    expect(stat(abi.S_AUTH_FAILURE) - s[abi.S_AUTH_FAILURE]).toBe(2);
    expect(stat(abi.S_AH_REPLAY) - s[abi.S_AH_REPLAY]).toBe(2);
    expect(stat(abi.S_ADVERT_RCVD) - s[abi.S_ADVERT_RCVD]).toBe(0);
  });

  it('unicast: accepted with any TTL (not covered), refused with another password', () => {
    const r = ahRouter('10.203.92.2', 52, '10.203.92.101').peer('10.203.92.1').up(0);
    skip();
    unhex(KA_UCAST_1, rxIp());
    store<u8>(rxIp() + 8, 61);
    expect(feedRaw(T0, r.socket, 4, 61, 64)).toBe(abi.RX_OK);
    const w = ahRouter('10.203.92.2', 52, '10.203.92.101', 'secret2').peer('10.203.92.1').up(0);
    skip();
    const s = snap(w.handle);
    expect(feedHex(T0, KA_UCAST_1, w.socket)).toBe(abi.RX_AH_BAD_ICV);
    expect(stat(abi.S_AH_ICV_ERR, w.handle) - s[abi.S_AH_ICV_ERR]).toBe(1);
    expect(stat(abi.S_AUTH_FAILURE, w.handle) - s[abi.S_AUTH_FAILURE]).toBe(1);
  });

  it('multicast: the TOS, fragment field and header checksum may change on the way; the ID may not', () => {
    const r = mcastBackup();
    unhex(KA_MCAST_1, rxIp());
    store<u8>(rxIp() + 1, 0);        // TOS
    store<u16>(rxIp() + 10, 0x1234); // header checksum
    store<u8>(rxIp() + 6, 0x40);     // DF set
    expect(feedRaw(T0, r.socket, 4, 255, 64)).toBe(abi.RX_OK);
    unhex(KA_MCAST_2, rxIp());
    store<u8>(rxIp() + 5, 9);        // IP ID
    expect(feedRaw(T0 + 1000000, r.socket, 4, 255, 64)).toBe(abi.RX_AH_BAD_ICV);
  });
});

describe('AH receive checks (§10.2 #6), in keepalived order', () => {
  beforeEach(() => { reset(); });

  it('a priority changed on the way (checksum fixed) fails the ICV, and does not move the sequence counter', () => {
    const r = mcastBackup();
    const n = unhex(KA_MCAST_2, rxIp());
    store<u8>(rxIp() + 44 + 2, 200);
    fixVrrpChecksum(n);
    expect(feedRaw(T0, r.socket, 4, 255, n)).toBe(abi.RX_AH_BAD_ICV);
    // seq 1 is still new: the forged seq-2 packet did not raise the counter
    expect(feedHex(T0 + 100000, KA_MCAST_1, r.socket)).toBe(abi.RX_OK);
  });

  it('a valid ICV with an SPI other than the source is refused (ah_spi_err)', () => {
    const r = mcastBackup();
    const n = unhex(KA_MCAST_1, rxIp());
    store<u32>(rxIp() + 24, 0x01020304);
    resign(n, 'secret1', 5, false, false);
    const s = snap();
    expect(feedRaw(T0, r.socket, 4, 255, n)).toBe(abi.RX_AH_BAD_SPI);
    expect(stat(abi.S_AH_SPI_ERR) - s[abi.S_AH_SPI_ERR]).toBe(1);
    expect(stat(abi.S_AUTH_FAILURE) - s[abi.S_AUTH_FAILURE]).toBe(1);
  });

  it('an AH header for another protocol is ignored, not an error (ah_other_drop)', () => {
    const r = mcastBackup();
    const n = unhex(KA_MCAST_1, rxIp());
    store<u8>(rxIp() + 20, 6);
    const s = snap();
    expect(feedRaw(T0, r.socket, 4, 255, n)).toBe(abi.RX_AH_NOT_VRRP);
    expect(stat(abi.S_AH_OTHER_DROP) - s[abi.S_AH_OTHER_DROP]).toBe(1);
    expect(stat(abi.S_AUTH_FAILURE) - s[abi.S_AUTH_FAILURE]).toBe(0);
  });

  it('the auth type byte is checked before the AH header (2.2.7: authtype_mismatch)', () => {
    const r = mcastBackup();
    const n = unhex(KA_MCAST_1, rxIp());
    store<u8>(rxIp() + 44 + 4, 1);
    fixVrrpChecksum(n);
    expect(feedRaw(T0, r.socket, 4, 255, n)).toBe(abi.RX_AUTH_TYPE_MISMATCH);
  });

  it('an AH packet one byte short of its header is too short, not a crash', () => {
    const r = mcastBackup();
    unhex(KA_MCAST_1, rxIp());
    store<u8>(rxIp() + 3, 20 + 23); // total length ends inside the AH header
    expect(feedRaw(T0, r.socket, 4, 255, 43)).toBe(abi.RX_TOO_SHORT);
  });

  it('sequence numbers compare unsigned: 0x80000000 follows 0x7fffffff', () => {
    const r = mcastBackup();
    let n = unhex(KA_MCAST_1, rxIp());
    resign(n, 'secret1', 0x7fffffff, false);
    expect(feedRaw(T0, r.socket, 4, 255, n)).toBe(abi.RX_OK);
    n = unhex(KA_MCAST_1, rxIp());
    resign(n, 'secret1', 0x80000000, false);
    expect(feedRaw(T0 + 1000000, r.socket, 4, 255, n)).toBe(abi.RX_OK);
  });
});

describe('AH transmit and the shared sequence counter', () => {
  beforeEach(() => { reset(); });

  it('each advert takes the next ID and sequence number; copies to further unicast peers keep them', () => {
    ahRouter('10.203.92.1', 52, '10.203.92.101').peer('10.203.92.2').peer('10.203.92.3').prio(255).up(0);
    expectState(abi.STATE_INIT, abi.STATE_MASTER, abi.WHY_OWNER);
    const a = next(abi.OUT_TRANSMIT, 'to peer 0');
    const b = next(abi.OUT_TRANSMIT, 'to peer 1');
    expect(txSeq(a)).toBe(1);
    expect(txSeq(b)).toBe(1);
    expect(txId(a)).toBe(1);
    expect(txId(b)).toBe(1);
    expect(a.bytes[19]).toBe(2, 'destination of the first copy');
    expect(b.bytes[19]).toBe(3, 'destination of the second copy');
    expect(hex(changetype<usize>(a.bytes) + 32, 12) != hex(changetype<usize>(b.bytes) + 32, 12)).toBe(true, 'the ICV covers the destination');
    skip();
    runUntil(1000000);
    const c = next(abi.OUT_TRANSMIT, 'next advert');
    expect(txSeq(c)).toBe(2);
    expect(txId(c)).toBe(2);
  });

  it('the advert is a valid IPv4 packet: header checksum, length, TOS 0xc0, TTL from the configuration', () => {
    const r = ahRouter('10.203.92.1', 52, '10.203.92.101').peer('10.203.92.2').prio(255);
    r.txTtl = 64;
    r.up(0);
    const o = nextTx();
    const p = changetype<usize>(o.bytes);
    expect(o.bytes.length).toBe(20 + 24 + 20);
    expect((<i32>o.bytes[2] << 8) | <i32>o.bytes[3]).toBe(64, 'total length');
    expect(<i32>o.bytes[1]).toBe(0xc0);
    expect(<i32>o.bytes[8]).toBe(64, 'unicast_ttl');
    let s: u32 = 0;
    for (let k = 0; k < 20; k += 2) s += (<u32>load<u8>(p + k) << 8) | <u32>load<u8>(p + k + 1);
    while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
    expect(s).toBe(0xffff, 'IPv4 header checksum');
  });

  it('a master takes a lower router\'s sequence number + 1 before answering it (keepalived\'s "Syncing seq_num")', () => {
    const m = ahRouter('10.203.92.2', 51, '10.203.92.100').prio(255).up(0);
    skip();
    const n = unhex(KA_MCAST_1, rxIp());
    resign(n, 'secret1', 1000, false);
    memory.copy(rxIp() + 12, changetype<usize>(addrBytes(10, 203, 92, 1)), 4);
    resign(n, 'secret1', 1000, false);
    expect(feedRaw(T0, m.socket, 4, 255, n)).toBe(abi.RX_OK);
    const answer = nextTx();
    expect(txSeq(answer)).toBe(1002);
  });

  it('two cores speak to each other: a master\'s adverts keep a backup, a wrong password does not', () => {
    const a = ahRouter('10.203.92.1', 52, '10.203.92.101').peer('10.203.92.2').prio(200).up(0);
    skip();
    runUntil(3300000);
    const b = ahRouter('10.203.92.2', 52, '10.203.92.101').peer('10.203.92.1').up(3300000);
    const bad = ahRouter('10.203.92.2', 52, '10.203.92.101', 'other').peer('10.203.92.1').up(3300000);
    skip();
    // a became master at 3.21875 s and advertises every second from there; bad's timer runs out at 6.909 s
    for (let k = 0; k < 5; k++) {
      const t: f64 = 4218750 + <f64>k * 1000000;
      runUntil(t);
      const o = nextTx(a.handle);
      memory.copy(rxIp(), changetype<usize>(o.bytes), o.bytes.length);
      store<u8>(rxIp() + 8, 64); // routed unicast: the TTL fell, which the ICV allows
      expect(feedRaw(t, b.socket, 4, 64, o.bytes.length)).toBe(abi.RX_OK, 'good password');
      memory.copy(rxIp(), changetype<usize>(o.bytes), o.bytes.length);
      expect(feedRaw(t, bad.socket, 4, 255, o.bytes.length)).toBe(abi.RX_AH_BAD_ICV, 'bad password');
      skip();
    }
    expect(core.inspect(b.handle)).toBe(0);
    expect(load<i32>(core.infoPtr())).toBe(abi.STATE_BACKUP, 'the right password keeps the backup');
    expect(core.inspect(bad.handle)).toBe(0);
    expect(load<i32>(core.infoPtr())).toBe(abi.STATE_MASTER, 'the wrong one hears nothing and takes over');
  });

  it('F_AH_SEQ_SKIP: a new master jumps 16 numbers past the last one it heard (without it, the next one)', () => {
    for (let skipOn = 0; skipOn < 2; skipOn++) {
      const r = ahRouter('10.203.92.2', 51, '10.203.92.100');
      if (skipOn) r.flag(abi.F_AH_SEQ_SKIP);
      r.up(0);
      skip();
      const n = unhex(KA_MCAST_1, rxIp());
      resign(n, 'secret1', 11, false);
      expect(feedRaw(T0, r.socket, 4, 255, n)).toBe(abi.RX_OK);
      // the master falls silent: Master_Down_Interval later this router takes over
      runUntil(T0 + 3609375);
      expect(txSeq(nextTx(r.handle))).toBe(skipOn ? 11 + 16 + 1 : 12);
      reset();
    }
  });

  it('configure refuses AH with VRRPv3 or IPv6 (CFG_BAD_AUTH), and an auth type above 2', () => {
    expect(router().ah().v3().configure()).toBe(abi.CFG_BAD_AUTH);
    expect(router().v6().ah().configure()).toBe(abi.CFG_BAD_AUTH);
    const r = router();
    r.authType = 3;
    expect(r.configure()).toBe(abi.CFG_BAD_AUTH);
  });
});

function addrBytes(a: u8, b: u8, c: u8, d: u8): StaticArray<u8> {
  const out = new StaticArray<u8>(4);
  out[0] = a; out[1] = b; out[2] = c; out[3] = d;
  return out;
}
