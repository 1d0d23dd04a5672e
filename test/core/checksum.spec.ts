// The RFC 1071 Internet checksum (assembly/wire/checksum.ts) and VRRPv3's pseudo-headers, checked against
// RFC 1071's own worked example, its algebraic properties, and the spec helpers' independent implementation.
import { finish, messageChecksum, pseudo4, pseudo6, sumBytes } from '../../assembly/wire/checksum';
import { addr, ocFinish, ocSum, vrrpChecksum } from './helpers';

let seed: u32 = 0x2545f491;
function rnd(): u32 {
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return seed;
}

const buf = new StaticArray<u8>(4096);
const buf2 = new StaticArray<u8>(4096);
const B = changetype<usize>(buf);
const B2 = changetype<usize>(buf2);

function fillRandom(n: i32): void { for (let k = 0; k < n; k++) store<u8>(B + k, <u8>rnd()); }

describe('RFC 1071', () => {
  it('reproduces the worked example of §3: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2', () => {
    const ex = memory.data<u8>([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    const s = sumBytes(ex, 8, 0);
    expect(<i32>finish(s)).toBe(0x220d, 'the checksum is the complement of 0xddf2');
    expect(<i32>(~finish(s) & 0xffff)).toBe(0xddf2);
  });

  it('all-zero data checksums to 0xffff; a sum of 0xffff words folds to checksum 0', () => {
    memory.fill(B, 0, 64);
    expect(<i32>finish(sumBytes(B, 64, 0))).toBe(0xffff);
    memory.fill(B, 0xff, 4096);
    expect(<i32>finish(sumBytes(B, 4096, 0))).toBe(0, 'carries fold all the way');
  });

  it('folds carries until none is left (0x1ffff needs two folds)', () => {
    expect(<i32>finish(0x1fffe)).toBe(0);
    expect(<i32>finish(0x1ffff)).toBe(0xfffe, 'one fold would leave 0x10000 and give 0xffff');
    expect(<i32>finish(0x2fffd)).toBe(0);
    expect(<i32>finish(0x10000)).toBe(0xfffe);
  });

  it('pads an odd tail byte with zero on the right (odd lengths 1..301)', () => {
    for (let n = 1; n < 302; n += 2) {
      fillRandom(n);
      store<u8>(B + n, 0);
      expect(sumBytes(B, n, 0)).toBe(sumBytes(B, n + 1, 0), 'length ' + n.toString());
      expect(<i32>finish(sumBytes(B, n, 0))).toBe(<i32>ocFinish(ocSum(B, n, 0)), 'independent, length ' + n.toString());
    }
  });

  it('is byte-order independent (§2 B): swapping every word swaps the checksum', () => {
    for (let round = 0; round < 50; round++) {
      const n = 2 + ((<i32>rnd() % 200) & ~1);
      fillRandom(n);
      for (let k = 0; k < n; k += 2) {
        store<u8>(B2 + k, load<u8>(B + k + 1));
        store<u8>(B2 + k + 1, load<u8>(B + k));
      }
      const a = <i32>finish(sumBytes(B, n, 0));
      const b = <i32>finish(sumBytes(B2, n, 0));
      expect(b).toBe(((a & 0xff) << 8) | (a >> 8), 'length ' + n.toString());
    }
  });

  it('is incremental (§2 A/C): summing two even-split parts equals summing the whole', () => {
    for (let round = 0; round < 50; round++) {
      const n = 2 + (<i32>(rnd() % 1000));
      fillRandom(n);
      const cut = (<i32>(rnd() % <u32>n)) & ~1;
      const whole = finish(sumBytes(B, n, 0));
      const parts = finish(sumBytes(B + cut, n - cut, sumBytes(B, cut, 0)));
      expect(<i32>parts).toBe(<i32>whole, 'cut at ' + cut.toString() + ' of ' + n.toString());
    }
  });

  it('verifies to zero once the checksum is in place, for random lengths 0..2000', () => {
    for (let round = 0; round < 100; round++) {
      const n = 8 + <i32>(rnd() % 2000);
      fillRandom(n);
      const cs = messageChecksum(B, n, 0);
      store<u8>(B + 6, <u8>(cs >> 8));
      store<u8>(B + 7, <u8>cs);
      expect(<i32>finish(sumBytes(B, n, 0))).toBe(0, 'length ' + n.toString());
    }
  });
});

describe('VRRP message checksums', () => {
  it('ignore whatever the checksum field holds', () => {
    fillRandom(40);
    const a = messageChecksum(B, 40, 0);
    store<u16>(B + 6, 0x1234);
    expect(messageChecksum(B, 40, 0)).toBe(a);
    store<u16>(B + 6, 0);
    expect(messageChecksum(B, 40, 0)).toBe(<u16>finish(sumBytes(B, 40, 0)));
  });

  it('agree with the independent implementation: 500 random messages, plain and both pseudo-headers', () => {
    for (let round = 0; round < 500; round++) {
      const n = 8 + <i32>(rnd() % 1100);
      fillRandom(n + 32);
      const msg = B + 32;
      const src = B;
      const dst = B + 16;
      expect(messageChecksum(msg, n, 0)).toBe(vrrpChecksum(msg, n, 0, 4, src, dst), 'plain ' + n.toString());
      expect(messageChecksum(msg, n, pseudo4(src, dst, n))).toBe(vrrpChecksum(msg, n, 1, 4, src, dst), 'pseudo4 ' + n.toString());
      expect(messageChecksum(msg, n, pseudo6(src, dst, n))).toBe(vrrpChecksum(msg, n, 1, 6, src, dst), 'pseudo6 ' + n.toString());
    }
  });

  it('IPv4 pseudo-header: src, dst, zero, protocol 112, 16-bit length', () => {
    const s = addr('192.0.2.2');
    const d = addr('224.0.0.18');
    const sum = pseudo4(changetype<usize>(s), changetype<usize>(d), 12);
    expect(<i32>finish(sum)).toBe(<i32>ocFinish(0xc000 + 0x0202 + 0xe000 + 0x0012 + 112 + 12));
  });

  it('IPv6 pseudo-header: the upper-layer length is 32 bits (RFC 8200 §8.1)', () => {
    const s = addr('fe80::1');
    const d = addr('ff02::12');
    const ps = changetype<usize>(s);
    const pd = changetype<usize>(d);
    const expectSum = (0xfe80 + 1 + 0xff02 + 0x12 + 40 + 112);
    expect(<i32>finish(pseudo6(ps, pd, 40))).toBe(<i32>ocFinish(expectSum));
    // a length above 16 bits contributes both halves
    expect(<i32>finish(pseudo6(ps, pd, 0x10028))).toBe(<i32>ocFinish(expectSum + 1));
  });

  it('a v3/IPv4 checksum changes with either pseudo-header address (so a unicast copy needs its own)', () => {
    fillRandom(12);
    const s = changetype<usize>(addr('192.0.2.2'));
    const a = messageChecksum(B, 12, pseudo4(s, changetype<usize>(addr('192.0.2.7')), 12));
    const b = messageChecksum(B, 12, pseudo4(s, changetype<usize>(addr('192.0.2.8')), 12));
    const c = messageChecksum(B, 12, pseudo4(changetype<usize>(addr('192.0.2.3')), changetype<usize>(addr('192.0.2.7')), 12));
    expect(a == b).toBe(false);
    expect(a == c).toBe(false);
  });
});
