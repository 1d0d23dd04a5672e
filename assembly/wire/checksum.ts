// RFC 1071 Internet checksum, and the pseudo-headers VRRPv3 puts in front of the message.

/** Adds the 16-bit big-endian words of [ptr, ptr+len) to sum (an odd tail byte is padded with zero). */
export function sumBytes(ptr: usize, len: i32, sum: u32): u32 {
  let i = 0;
  for (; i + 1 < len; i += 2) {
    sum += (<u32>load<u8>(ptr + i) << 8) | <u32>load<u8>(ptr + i + 1);
  }
  if (i < len) sum += <u32>load<u8>(ptr + i) << 8;
  return sum;
}

/** Folds the carries and complements: the value that goes in the checksum field. */
export function finish(sum: u32): u16 {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return <u16>(~sum & 0xffff);
}

/** Sum of the IPv4 pseudo-header (src, dst, zero, protocol 112, length). */
export function pseudo4(src: usize, dst: usize, len: i32): u32 {
  let s = sumBytes(src, 4, 0);
  s = sumBytes(dst, 4, s);
  return s + 112 + <u32>len;
}

/** Sum of the IPv6 pseudo-header (src, dst, 32-bit length, three zero bytes, next header 112). */
export function pseudo6(src: usize, dst: usize, len: i32): u32 {
  let s = sumBytes(src, 16, 0);
  s = sumBytes(dst, 16, s);
  return s + (<u32>len >> 16) + (<u32>len & 0xffff) + 112;
}

/** The checksum of a message whose checksum field is at msg+6, computed as if that field were zero. */
export function messageChecksum(msg: usize, len: i32, initial: u32): u16 {
  let s = sumBytes(msg, 6, initial);
  s = sumBytes(msg + 8, len - 8, s);
  return finish(s);
}
