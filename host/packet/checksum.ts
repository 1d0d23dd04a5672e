// An RFC 1071 checksum written apart from the core, so the packet tool can say what a bad advert's checksum
// should have been, and tests can fix up a mutated advert without asking the code under test.
import { type Family, addrBytes } from '../core/addr.ts';

function sum16(b: Uint8Array, sum: number, skip = -1): number {
  for (let k = 0; k < b.length; k += 2) {
    if (k === skip) continue;
    sum += (b[k] << 8) | (k + 1 < b.length ? b[k + 1] : 0);
  }
  return sum;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** The checksum a VRRP message should carry (its own checksum field counted as zero). */
export function vrrpChecksum(msg: Uint8Array, form: 'plain' | 'pseudo', family: Family, src = '', dst = ''): number {
  let s = 0;
  if (form === 'pseudo') {
    const alen = family === 4 ? 4 : 16;
    s = sum16(addrBytes(src).subarray(0, alen), s);
    s = sum16(addrBytes(dst).subarray(0, alen), s);
    s += 112 + (msg.length & 0xffff) + Math.floor(msg.length / 0x10000);
  }
  return fold(sum16(msg, s, 6));
}

/** Writes the right checksum into msg[6..8) for `form`. */
export function fillVrrpChecksum(msg: Uint8Array, form: 'plain' | 'pseudo', family: Family, src = '', dst = ''): void {
  const c = vrrpChecksum(msg, form, family, src, dst);
  msg[6] = c >> 8;
  msg[7] = c & 0xff;
}
