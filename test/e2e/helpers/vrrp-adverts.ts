// Minimal VRRP advert builders for socket tests (the real encoder is the core's).
// RFC 3768 (v2) and RFC 5798 (v3) layouts with valid checksums, so tshark and
// keepalived would accept them.
import { parseIp } from '../../../host/net/ip-address.ts';

function sum16(buf: Uint8Array, start = 0, end = buf.length, acc = 0): number {
  for (let i = start; i + 1 < end; i += 2) acc += (buf[i] << 8) | buf[i + 1];
  if ((end - start) & 1) acc += buf[end - 1] << 8;
  return acc;
}
const fold = (s: number) => {
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
};

/** VRRPv2, IPv4 only, no authentication. */
export function advertV2(vrid: number, priority: number, advertSec: number, vips: string[]): Buffer {
  const b = Buffer.alloc(8 + 4 * vips.length + 8);
  b[0] = 0x21; b[1] = vrid; b[2] = priority; b[3] = vips.length; b[4] = 0; b[5] = advertSec;
  vips.forEach((v, i) => parseIp(v).bytes.copy(b, 8 + 4 * i, 0, 4));
  b.writeUInt16BE(fold(sum16(b)), 6);
  return b;
}

/** VRRPv3 for either family; the checksum covers the pseudo-header of (src, dst). */
export function advertV3(vrid: number, priority: number, advertCs: number, vips: string[], src: string, dst: string): Buffer {
  const s = parseIp(src), d = parseIp(dst);
  const alen = s.family === 4 ? 4 : 16;
  const b = Buffer.alloc(8 + alen * vips.length);
  b[0] = 0x31; b[1] = vrid; b[2] = priority; b[3] = vips.length;
  b.writeUInt16BE(advertCs & 0x0fff, 4);
  vips.forEach((v, i) => parseIp(v).bytes.copy(b, 8 + alen * i, 0, alen));
  let acc = sum16(s.bytes, 0, alen) + sum16(d.bytes, 0, alen) + 112 + b.length;
  acc = sum16(b, 0, b.length, acc);
  b.writeUInt16BE(fold(acc), 6);
  return b;
}
