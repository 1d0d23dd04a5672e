// keepalived's IPsec AH authentication for VRRPv2 over IPv4 (auth_type AH): an AH header (RFC 2402) between the
// IPv4 header and the advert, whose ICV is HMAC-MD5-96 keyed with the 8-byte zero-padded auth_pass. There is no
// SA negotiation: the SPI is the sender's IPv4 address and the sequence number only ever grows.
//
// The ICV covers the IPv4 header with its mutable fields zeroed (TOS, flags/fragment offset, header checksum, and
// the TTL for unicast adverts only: keepalived lets a unicast TTL change on the way, not a multicast one), the AH
// header with the ICV zeroed, and the advert. The IP ID is covered, which is why vipd writes the IPv4 header itself
// for AH (IP_HDRINCL): a kernel-chosen ID would not match the ICV. Checked against captures of keepalived 2.2.7
// (test/core/ah.spec.ts).
import { hmac } from './md5';
import { PROTO_AH, PROTO_VRRP, putBe16 } from './advert';
import { finish as csumFinish, sumBytes } from './checksum';

// @ts-ignore: decorator
@inline export const IP_LEN: i32 = 20;
// @ts-ignore: decorator
@inline export const AH_LEN: i32 = 24;   // next header, payload length, reserved, SPI, sequence, 12-byte ICV
// @ts-ignore: decorator
@inline export const ICV_LEN: i32 = 12;
// @ts-ignore: decorator
@inline export const AH_PLEN: u8 = 4;     // AH length in 32-bit words minus 2
// @ts-ignore: decorator
@inline export const TOS: u8 = 0xc0;      // internetwork control, as keepalived writes it

const MAC = memory.data(16);
const SAVED_ICV = memory.data(16);

// @ts-ignore: decorator
@inline function putBe32(p: usize, v: u32): void { store<u32>(p, bswap<u32>(v)); }
// @ts-ignore: decorator
@inline export function be32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }

/**
 * Writes the IPv4 and AH headers in front of the advert already at pkt + IP_LEN + AH_LEN (msgLen bytes), computes
 * the ICV and the header checksum, and returns the packet's length. `src` and `dst` are 4-byte addresses.
 */
export function build(pkt: usize, msgLen: i32, id: i32, seq: u32, ttl: i32, src: usize, dst: usize,
                      unicast: bool, inner: usize, outer: usize): i32 {
  const total = IP_LEN + AH_LEN + msgLen;
  store<u8>(pkt, 0x45);
  store<u8>(pkt, 0, 1);                     // TOS: zero while the ICV is computed
  putBe16(pkt + 2, total);
  putBe16(pkt + 4, id);
  store<u16>(pkt + 6, 0);                   // flags and fragment offset: DF clear, as keepalived
  store<u8>(pkt, unicast ? 0 : <u8>ttl, 8);
  store<u8>(pkt, PROTO_AH, 9);
  store<u16>(pkt + 10, 0);
  memory.copy(pkt + 12, src, 4);
  memory.copy(pkt + 16, dst, 4);
  const ah = pkt + IP_LEN;
  store<u8>(ah, PROTO_VRRP);
  store<u8>(ah, AH_PLEN, 1);
  store<u16>(ah + 2, 0);
  memory.copy(ah + 4, src, 4);              // SPI: the sender's address
  putBe32(ah + 8, seq);
  memory.fill(ah + 12, 0, ICV_LEN);
  hmac(inner, outer, pkt, total, MAC);
  memory.copy(ah + 12, MAC, ICV_LEN);
  store<u8>(pkt, TOS, 1);
  store<u8>(pkt, <u8>ttl, 8);
  // The kernel fills the checksum in for IP_HDRINCL too; it is set here so the bytes are a valid packet as they
  // stand (the simulator, the packet tool, a capture of TX).
  putBe16(pkt + 10, csumFinish(sumBytes(pkt, IP_LEN, 0))); // the field is still zero here
  return total;
}

/** The sequence number of the AH header at `ah`. */
// @ts-ignore: decorator
@inline export function seqOf(ah: usize): u32 { return be32(ah + 8); }

/**
 * Whether the ICV of the packet at `pkt` (IPv4 header of `ihl` bytes, AH header right after it, `total` bytes in
 * all) is right for the prepared key. The packet's mutable fields are zeroed for the computation and restored.
 */
export function icvValid(pkt: usize, ihl: i32, total: i32, unicast: bool, inner: usize, outer: usize): bool {
  const ah = pkt + ihl;
  const tos = load<u8>(pkt, 1);
  const frag = load<u16>(pkt + 6);
  const ttl = load<u8>(pkt, 8);
  const csum = load<u16>(pkt + 10);
  memory.copy(SAVED_ICV, ah + 12, ICV_LEN);
  store<u8>(pkt, 0, 1);
  store<u16>(pkt + 6, 0);
  if (unicast) store<u8>(pkt, 0, 8);
  store<u16>(pkt + 10, 0);
  memory.fill(ah + 12, 0, ICV_LEN);
  hmac(inner, outer, pkt, total, MAC);
  store<u8>(pkt, tos, 1);
  store<u16>(pkt + 6, frag);
  store<u8>(pkt, ttl, 8);
  store<u16>(pkt + 10, csum);
  memory.copy(ah + 12, SAVED_ICV, ICV_LEN);
  // Every byte is compared whatever the first difference: the time taken says nothing about the right ICV.
  let diff: u32 = 0;
  for (let k = 0; k < ICV_LEN; k++) diff |= <u32>(load<u8>(MAC + k) ^ load<u8>(SAVED_ICV + k));
  return diff == 0;
}
