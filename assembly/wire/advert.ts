// VRRP advertisement layout (RFC 3768 §5 for version 2, RFC 5798/9568 §5 for version 3).
// Only this folder reads or writes packet bytes.
import { messageChecksum, pseudo4, pseudo6 } from './checksum';

// @ts-ignore: decorator
@inline export const HDR_LEN: i32 = 8;      // version/type .. checksum
// @ts-ignore: decorator
@inline export const AUTH_LEN: i32 = 8;     // v2 authentication data (keepalived puts the PASS password here)
// @ts-ignore: decorator
@inline export const TYPE_ADVERT: i32 = 1;
// @ts-ignore: decorator
@inline export const PROTO_VRRP: i32 = 112;
// @ts-ignore: decorator
@inline export const PROTO_AH: i32 = 51;

// @ts-ignore: decorator
@inline export function be16(p: usize): i32 {
  return (<i32>load<u8>(p) << 8) | <i32>load<u8>(p + 1);
}
// @ts-ignore: decorator
@inline export function putBe16(p: usize, v: i32): void {
  store<u8>(p, <u8>(v >> 8));
  store<u8>(p + 1, <u8>v);
}

// @ts-ignore: decorator
@inline export function version(msg: usize): i32 { return load<u8>(msg) >> 4; }
// @ts-ignore: decorator
@inline export function msgType(msg: usize): i32 { return load<u8>(msg) & 0xf; }
// @ts-ignore: decorator
@inline export function vrid(msg: usize): i32 { return load<u8>(msg, 1); }
// @ts-ignore: decorator
@inline export function priority(msg: usize): i32 { return load<u8>(msg, 2); }
// @ts-ignore: decorator
@inline export function count(msg: usize): i32 { return load<u8>(msg, 3); }
/** v2: auth type byte. */
// @ts-ignore: decorator
@inline export function authType(msg: usize): i32 { return load<u8>(msg, 4); }
/** v2: interval in whole seconds. */
// @ts-ignore: decorator
@inline export function intervalV2(msg: usize): i32 { return load<u8>(msg, 5); }
/** v3: the 12-bit Max Advert Interval in centiseconds (the 4 reserved bits are ignored on receive). */
// @ts-ignore: decorator
@inline export function intervalV3(msg: usize): i32 { return be16(msg + 4) & 0x0fff; }
// @ts-ignore: decorator
@inline export function checksumField(msg: usize): i32 { return be16(msg + 6); }
// @ts-ignore: decorator
@inline export function addrs(msg: usize): usize { return msg + HDR_LEN; }

/** Length of an advert of this version carrying n addresses of alen bytes. */
// @ts-ignore: decorator
@inline export function advertLen(ver: i32, n: i32, alen: i32): i32 {
  return HDR_LEN + n * alen + (ver == 2 ? AUTH_LEN : 0);
}

/**
 * Writes an advert at msg and returns its length. Addresses are copied from addrSrc (n x alen bytes, wire order);
 * auth is 8 bytes (v2 only; may be 0 for zeros). The checksum is left zero: call fillChecksum.
 */
export function emit(msg: usize, ver: i32, vr: i32, prio: i32, n: i32, alen: i32, addrSrc: usize,
                     interval: i32, authT: i32, auth: usize): i32 {
  store<u8>(msg, <u8>((ver << 4) | TYPE_ADVERT));
  store<u8>(msg, <u8>vr, 1);
  store<u8>(msg, <u8>prio, 2);
  store<u8>(msg, <u8>n, 3);
  if (ver == 2) {
    store<u8>(msg, <u8>authT, 4);
    store<u8>(msg, <u8>interval, 5);
  } else {
    putBe16(msg + 4, interval & 0x0fff);
  }
  store<u16>(msg + 6, 0);
  memory.copy(msg + HDR_LEN, addrSrc, <usize>(n * alen));
  const len = advertLen(ver, n, alen);
  if (ver == 2) {
    const ap = msg + HDR_LEN + n * alen;
    if (auth != 0) memory.copy(ap, auth, AUTH_LEN);
    else store<u64>(ap, 0);
  }
  return len;
}

/**
 * The checksum this message should carry. v2 and plain v3 cover the message only; v3 over IPv4 covers the IPv4
 * pseudo-header unless plain is set; v3 over IPv6 always covers the IPv6 pseudo-header.
 */
export function computeChecksum(msg: usize, len: i32, family: i32, plain: bool, src: usize, dst: usize): u16 {
  if (version(msg) == 2 || (family == 4 && plain)) return messageChecksum(msg, len, 0);
  if (family == 4) return messageChecksum(msg, len, pseudo4(src, dst, len));
  return messageChecksum(msg, len, pseudo6(src, dst, len));
}

export function fillChecksum(msg: usize, len: i32, family: i32, plain: bool, src: usize, dst: usize): void {
  putBe16(msg + 6, computeChecksum(msg, len, family, plain, src, dst));
}
