// Hostile VRRP frames, byte by byte: every field can be set wrong on purpose. Pure functions; the injector sends.
import { parseIp } from '../../../host/net/ip-address.ts';

function sum16(buf: Uint8Array, acc = 0): number {
  for (let i = 0; i + 1 < buf.length; i += 2) acc += (buf[i] << 8) | buf[i + 1];
  if (buf.length & 1) acc += buf[buf.length - 1] << 8;
  return acc;
}
const fold = (s: number) => {
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
};
const v4 = (a: string) => parseIp(a).bytes.subarray(0, 4);

export interface Advert {
  version?: number;
  type?: number;
  vrid: number;
  priority: number;
  /** v3: centiseconds; v2: seconds. */
  interval: number;
  vips: string[];
  /** Count field; defaults to vips.length (set it to lie about the length). */
  count?: number;
  /** v2 only: 0 none, 1 PASS. */
  authType?: number;
  pass?: string;
  /** Added to the correct checksum (0: valid). */
  checksumDelta?: number;
}

/** The VRRP message; `src`/`dst` feed the v3 pseudo-header. */
export function vrrpMessage(a: Advert, src: string, dst: string): Buffer {
  const version = a.version ?? 3;
  const v2 = version === 2;
  const b = Buffer.alloc(8 + 4 * a.vips.length + (v2 ? 8 : 0));
  b[0] = ((version & 0xf) << 4) | ((a.type ?? 1) & 0xf);
  b[1] = a.vrid;
  b[2] = a.priority;
  b[3] = a.count ?? a.vips.length;
  if (v2) {
    b[4] = a.authType ?? 0;
    b[5] = a.interval;
    if (a.pass !== undefined) Buffer.from(a.pass).copy(b, 8 + 4 * a.vips.length, 0, 8);
  } else {
    b.writeUInt16BE(a.interval & 0x0fff, 4);
  }
  a.vips.forEach((v, i) => v4(v).copy(b, 8 + 4 * i));
  const pseudo = v2 ? 0 : sum16(v4(src)) + sum16(v4(dst)) + 112 + b.length;
  b.writeUInt16BE((fold(sum16(b, pseudo)) + (a.checksumDelta ?? 0)) & 0xffff, 6);
  return b;
}

export interface Ip4 {
  srcMac: string;
  dstMac?: string;
  src: string;
  dst?: string;
  ttl?: number;
  protocol?: number;
  /** Added to the true total length. */
  totalLengthDelta?: number;
}

/** Ethernet + IPv4 (valid header checksum) around `payload`. */
export function ip4Frame(o: Ip4, payload: Buffer): Buffer {
  const dst = o.dst ?? '224.0.0.18';
  const f = Buffer.alloc(14 + 20 + payload.length);
  const mac = (m: string) => Buffer.from(m.replace(/:/g, ''), 'hex');
  const dmac = o.dstMac ?? (dst === '224.0.0.18' ? '01:00:5e:00:00:12' : 'ff:ff:ff:ff:ff:ff');
  mac(dmac).copy(f, 0);
  mac(o.srcMac).copy(f, 6);
  f.writeUInt16BE(0x0800, 12);
  const ip = f.subarray(14, 34);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + payload.length + (o.totalLengthDelta ?? 0), 2);
  ip[8] = o.ttl ?? 255;
  ip[9] = o.protocol ?? 112;
  v4(o.src).copy(ip, 12);
  v4(dst).copy(ip, 16);
  ip.writeUInt16BE(fold(sum16(ip)), 10);
  payload.copy(f, 34);
  return f;
}

export function advertFrame(ip: Ip4, a: Advert): Buffer {
  return ip4Frame(ip, vrrpMessage(a, ip.src, ip.dst ?? '224.0.0.18'));
}
