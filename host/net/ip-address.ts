// IP addresses as 16-byte buffers (IPv4 in the first 4 bytes): the form the addon's
// records and the core's rx/tx regions use. Parsing happens on cold paths only.
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export interface IpAddress {
  readonly family: Family;
  /** 16 bytes; IPv4 uses bytes 0..3 and leaves the rest zero. */
  readonly bytes: Buffer;
}

export const VRRP_GROUP_V4 = '224.0.0.18';
export const VRRP_GROUP_V6 = 'ff02::12';

export function parseIp(text: string): IpAddress {
  const bytes = Buffer.alloc(16);
  if (isIPv4(text)) {
    text.split('.').forEach((part, i) => { bytes[i] = Number(part); });
    return { family: 4, bytes };
  }
  const zoneless = text.split('%')[0];
  if (!isIPv6(zoneless)) throw new Error(`not an IP address: ${text}`);
  let groups = zoneless;
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(groups);
  if (v4tail) {
    const v4 = parseIp(v4tail[1]).bytes;
    groups = groups.slice(0, -v4tail[1].length) + `${v4.readUInt16BE(0).toString(16)}:${v4.readUInt16BE(2).toString(16)}`;
  }
  const [head, tail] = groups.includes('::') ? groups.split('::') : [groups, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const words = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  words.forEach((w, i) => bytes.writeUInt16BE(parseInt(w, 16), i * 2));
  return { family: 6, bytes };
}

/** Text form of the address at `buf[off..]`: dotted quad, or RFC 5952 compressed IPv6. */
export function formatIp(family: Family, buf: Uint8Array, off = 0): string {
  if (family === 4) return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((buf[off + 2 * i] << 8) | buf[off + 2 * i + 1]);
  // Longest run of two or more zero words becomes '::' (first one wins a tie).
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(w);
  return `${hex(w.slice(0, best))}::${hex(w.slice(best + bestLen))}`;
}

export function familyOf(text: string): Family {
  return parseIp(text).family;
}
