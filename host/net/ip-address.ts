// IP addresses as 16-byte buffers (IPv4 in the first 4 bytes): the form the addon's records and the core's
// rx/tx regions use. Parsing happens on cold paths only. The text <-> bytes conversions are host/core/addr.ts's,
// shared with the core's binding.
import { type Family, formatAddr, writeAddr } from '../core/addr.ts';

export type { Family };

export interface IpAddress {
  readonly family: Family;
  /** 16 bytes; IPv4 uses bytes 0..3 and leaves the rest zero. */
  readonly bytes: Buffer;
}

export const VRRP_GROUP_V4 = '224.0.0.18';
export const VRRP_GROUP_V6 = 'ff02::12';

export function parseIp(text: string): IpAddress {
  const bytes = Buffer.alloc(16);
  const family = writeAddr(text, bytes);
  return { family, bytes };
}

/** Text form of the address at `buf[off..]`: dotted quad, or RFC 5952 compressed IPv6. */
export function formatIp(family: Family, buf: Uint8Array, off = 0): string {
  return formatAddr(buf, off, family);
}

export function familyOf(text: string): Family {
  return parseIp(text).family;
}
