// A minimal pcap (libpcap 2.4) writer and Ethernet framing, so dissectors we did not write can read our adverts.
import { writeFileSync } from 'node:fs';

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;

/** Writes `frames` as one pcap file, 1 ms apart; readers number them from 1 in this order. */
export function writePcap(path: string, frames: Uint8Array[], linktype = LINKTYPE_ETHERNET): void {
  const total = 24 + frames.reduce((n, f) => n + 16 + f.length, 0);
  const b = Buffer.alloc(total);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(65535, 16); // snaplen
  b.writeUInt32LE(linktype, 20);
  let off = 24;
  frames.forEach((f, k) => {
    b.writeUInt32LE(1_700_000_000 + Math.floor(k / 1000), off);
    b.writeUInt32LE((k % 1000) * 1000, off + 4);
    b.writeUInt32LE(f.length, off + 8);
    b.writeUInt32LE(f.length, off + 12);
    b.set(f, off + 16);
    off += 16 + f.length;
  });
  writeFileSync(path, b);
}

/** An Ethernet II frame from the VRRP virtual MAC of `vrid` to the VRRP multicast MAC of the family. */
export function ethernet(ipPacket: Uint8Array, family: 4 | 6, vrid: number): Uint8Array {
  const f = new Uint8Array(14 + ipPacket.length);
  f.set(family === 4 ? [0x01, 0x00, 0x5e, 0x00, 0x00, 0x12] : [0x33, 0x33, 0x00, 0x00, 0x00, 0x12], 0);
  f.set([0x00, 0x00, 0x5e, 0x00, family === 4 ? 0x01 : 0x02, vrid & 0xff], 6);
  f[12] = family === 4 ? 0x08 : 0x86;
  f[13] = family === 4 ? 0x00 : 0xdd;
  f.set(ipPacket, 14);
  return f;
}
