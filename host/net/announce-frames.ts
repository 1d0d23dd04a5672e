// Ethernet frames that tell a LAN where a virtual IP now lives, byte for byte as
// keepalived sends them. Pure: callers pass the output buffer and get the length back.
//
// GARP: ARP *request* (not reply), broadcast destination, sender = (MAC, VIP),
// target = (ff:ff:ff:ff:ff:ff, VIP); 42 bytes, no padding (the NIC pads short frames).
// Unsolicited NA (RFC 4861 4.4): to ff02::1 / 33:33:00:00:00:01 from the VIP itself,
// hop limit 255, Override set, Router set when the interface forwards, one
// Target Link-Layer Address option; 86 bytes.

export const GARP_LEN = 42;
export const NA_LEN = 86;

const ETH_P_ARP = 0x0806;
const ETH_P_IPV6 = 0x86dd;
const ICMPV6 = 58;
const ND_NEIGHBOR_ADVERT = 136;
const NA_FLAG_ROUTER = 0x80;
const NA_FLAG_OVERRIDE = 0x20;
const ND_OPT_TARGET_LL = 2;
const NA_PAYLOAD = 32; // ICMPv6 header 4 + flags 4 + target 16 + option 8

export function parseMac(text: string): Buffer {
  const parts = text.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw new Error(`not a MAC address: ${text}`);
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

export function formatMac(mac: Uint8Array, off = 0): string {
  return Array.from(mac.subarray(off, off + 6), (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Write a gratuitous ARP for `vip` (4 bytes) from `mac` at out[off..]; returns GARP_LEN. */
export function writeGarp(out: Uint8Array, off: number, mac: Uint8Array, vip: Uint8Array): number {
  const f = Buffer.from(out.buffer, out.byteOffset + off, GARP_LEN);
  f.fill(0xff, 0, 6);
  f.set(mac.subarray(0, 6), 6);
  f.writeUInt16BE(ETH_P_ARP, 12);
  f.writeUInt16BE(1, 14); // hardware: Ethernet
  f.writeUInt16BE(0x0800, 16); // protocol: IPv4
  f[18] = 6;
  f[19] = 4;
  f.writeUInt16BE(1, 20); // op: request
  f.set(mac.subarray(0, 6), 22);
  f.set(vip.subarray(0, 4), 28);
  f.fill(0xff, 32, 38);
  f.set(vip.subarray(0, 4), 38);
  return GARP_LEN;
}

/** Write an unsolicited Neighbour Advertisement for `vip` (16 bytes) at out[off..]; returns NA_LEN. */
export function writeUnsolicitedNa(out: Uint8Array, off: number, mac: Uint8Array, vip: Uint8Array, router: boolean): number {
  const f = Buffer.from(out.buffer, out.byteOffset + off, NA_LEN);
  f.fill(0);
  f[0] = 0x33; f[1] = 0x33; f[5] = 0x01;
  f.set(mac.subarray(0, 6), 6);
  f.writeUInt16BE(ETH_P_IPV6, 12);
  // IPv6 header at 14
  f[14] = 0x60;
  f.writeUInt16BE(NA_PAYLOAD, 18);
  f[20] = ICMPV6;
  f[21] = 255;
  f.set(vip.subarray(0, 16), 22);
  f[38] = 0xff; f[39] = 0x02; f[53] = 0x01; // ff02::1
  // ICMPv6 at 54
  f[54] = ND_NEIGHBOR_ADVERT;
  f[58] = NA_FLAG_OVERRIDE | (router ? NA_FLAG_ROUTER : 0);
  f.set(vip.subarray(0, 16), 62);
  f[78] = ND_OPT_TARGET_LL;
  f[79] = 1; // in units of 8 bytes
  f.set(mac.subarray(0, 6), 80);
  f.writeUInt16BE(icmpv6Checksum(f, 22, 38, 54, NA_PAYLOAD), 56);
  return NA_LEN;
}

/**
 * RFC 4443 checksum over the IPv6 pseudo-header (src, dst, upper-layer length, next
 * header 58) and the ICMPv6 message at buf[msg, msg+len) whose checksum field is zero.
 */
export function icmpv6Checksum(buf: Uint8Array, src: number, dst: number, msg: number, len: number): number {
  let sum = 0;
  for (let i = 0; i < 16; i += 2) sum += (buf[src + i] << 8) | buf[src + i + 1];
  for (let i = 0; i < 16; i += 2) sum += (buf[dst + i] << 8) | buf[dst + i + 1];
  sum += (len >>> 16) + (len & 0xffff) + ICMPV6;
  for (let i = 0; i + 1 < len; i += 2) sum += (buf[msg + i] << 8) | buf[msg + i + 1];
  if (len & 1) sum += buf[msg + len - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
