// A minimal pcap reader for the benchmarks: VRRP adverts and gratuitous ARPs with their kernel timestamps, without a
// tshark start per trial. Ethernet (DLT 1) only; microsecond pcap (tcpdump's default) only.
import { readFileSync } from 'node:fs';

export interface WireEvent {
  /** Epoch microseconds, from the capture. */
  us: number;
  kind: 'vrrp' | 'garp' | 'na';
  /** VRRP: source address; GARP/NA: the announced address. */
  addr: string;
  /** VRRP priority (undefined for announcements). */
  priority?: number;
}

const ip4 = (b: Buffer, o: number) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
function ip6(b: Buffer, o: number): string {
  const parts: string[] = [];
  for (let k = 0; k < 8; k++) parts.push(b.readUInt16BE(o + 2 * k).toString(16));
  return parts.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:::+/, '::');
}

export function readPcap(file: string): WireEvent[] {
  let b: Buffer;
  try { b = readFileSync(file); } catch { return []; }
  if (b.length < 24) return [];
  const magic = b.readUInt32LE(0);
  if (magic !== 0xa1b2c3d4) throw new Error(`${file}: not a little-endian microsecond pcap`);
  const out: WireEvent[] = [];
  for (let o = 24; o + 16 <= b.length;) {
    const us = b.readUInt32LE(o) * 1e6 + b.readUInt32LE(o + 4);
    const incl = b.readUInt32LE(o + 8);
    const f = o + 16;
    o = f + incl;
    if (o > b.length) break;
    const type = b.readUInt16BE(f + 12);
    if (type === 0x0800) {
      const ihl = (b[f + 14] & 0x0f) * 4;
      if (b[f + 14 + 9] !== 112) continue;
      out.push({ us, kind: 'vrrp', addr: ip4(b, f + 14 + 12), priority: b[f + 14 + ihl + 2] });
    } else if (type === 0x86dd) {
      const next = b[f + 14 + 6];
      if (next === 112) out.push({ us, kind: 'vrrp', addr: ip6(b, f + 14 + 8), priority: b[f + 14 + 40 + 2] });
      else if (next === 58 && b[f + 14 + 40] === 136) out.push({ us, kind: 'na', addr: ip6(b, f + 14 + 40 + 8) });
    } else if (type === 0x0806) {
      // ARP request with sender IP == target IP: a gratuitous ARP for that address.
      const a = f + 14;
      const sender = ip4(b, a + 14), target = ip4(b, a + 24);
      if (sender === target) out.push({ us, kind: 'garp', addr: sender });
    }
  }
  return out;
}
