// IP headers around a VRRP message, for input given as whole packets and for `encode --ip`.
import { addrBytes, formatAddr } from '../core/addr.ts';
import { ipv4Wrap } from '../core/wasm-core.ts';
import { PacketInputError } from './errors.ts';

export { ipv4Wrap };

/** A 40-byte IPv6 header (next header 112, hop limit `hopLimit`) in front of `msg`. */
export function ipv6Wrap(msg: Uint8Array, src: string, dst: string, hopLimit = 255): Uint8Array {
  const p = new Uint8Array(40 + msg.length);
  p[0] = 0x60;
  p[4] = msg.length >> 8; p[5] = msg.length & 0xff;
  p[6] = 112;
  p[7] = hopLimit;
  p.set(addrBytes(src), 8);
  p.set(addrBytes(dst), 24);
  p.set(msg, 40);
  return p;
}

export interface Ipv6Parts { payload: Uint8Array; src: string; dst: string; hopLimit: number }

/**
 * Splits a whole IPv6 packet. VRRP never travels with extension headers, so anything but next header 112 is
 * refused rather than walked.
 */
export function splitIpv6(p: Uint8Array): Ipv6Parts {
  if (p.length < 40) throw new PacketInputError(`IPv6 packet of ${p.length} bytes is shorter than its 40-byte header`);
  if (p[6] !== 112) throw new PacketInputError(`IPv6 next header is ${p[6]}, not 112 (VRRP)`);
  const plen = (p[4] << 8) | p[5];
  if (40 + plen > p.length) throw new PacketInputError(`IPv6 payload length ${plen} is beyond the ${p.length - 40} bytes given`);
  return { payload: p.subarray(40, 40 + plen), src: formatAddr(p, 8, 6), dst: formatAddr(p, 24, 6), hopLimit: p[7] };
}
