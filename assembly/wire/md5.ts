// MD5 (RFC 1321) and HMAC-MD5 (RFC 2104), for the ICV of keepalived's IPsec AH authentication (RFC 2402 with
// HMAC-MD5-96, RFC 2403). Nothing here allocates: the state is four words the caller owns, and a key's inner and
// outer pads are hashed once, when the instance is configured (hmacKey), so a packet costs the data's blocks
// plus two for the outer hash.

// T[i] = floor(abs(sin(i + 1)) * 2^32), RFC 1321 §3.4.
const T = memory.data<u32>([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
]);

// One 64-byte block being filled, and a 16-byte digest: working space for hmac().
const BLOCK = memory.data(64);
const INNER = memory.data(16);

// @ts-ignore: decorator
@inline const A0: u32 = 0x67452301;
// @ts-ignore: decorator
@inline const B0: u32 = 0xefcdab89;
// @ts-ignore: decorator
@inline const C0: u32 = 0x98badcfe;
// @ts-ignore: decorator
@inline const D0: u32 = 0x10325476;

/** Sets the four state words at `st` to MD5's initial value. */
export function init(st: usize): void {
  store<u32>(st, A0, 0);
  store<u32>(st, B0, 4);
  store<u32>(st, C0, 8);
  store<u32>(st, D0, 12);
}

// @ts-ignore: decorator
@inline function step(a: u32, b: u32, f: u32, i: i32, x: u32, s: u32): u32 {
  return b + rotl<u32>(a + f + load<u32>(T + (<usize>i << 2)) + x, s);
}

/** Runs the compression function over one 64-byte block at `p` (words little-endian, as wasm loads them). */
export function block(st: usize, p: usize): void {
  let a = load<u32>(st, 0);
  let b = load<u32>(st, 4);
  let c = load<u32>(st, 8);
  let d = load<u32>(st, 12);
  // One loop per round, four steps per pass, so the round function and the rotations are constants: this is the
  // per-packet cost of AH (a 64-byte advert is three blocks with the HMAC's outer hash).
  for (let i = 0; i < 16; i += 4) {
    a = step(a, b, (b & c) | (~b & d), i, load<u32>(p + (<usize>i << 2)), 7);
    d = step(d, a, (a & b) | (~a & c), i + 1, load<u32>(p + (<usize>(i + 1) << 2)), 12);
    c = step(c, d, (d & a) | (~d & b), i + 2, load<u32>(p + (<usize>(i + 2) << 2)), 17);
    b = step(b, c, (c & d) | (~c & a), i + 3, load<u32>(p + (<usize>(i + 3) << 2)), 22);
  }
  for (let i = 16; i < 32; i += 4) {
    a = step(a, b, (d & b) | (~d & c), i, load<u32>(p + (<usize>((5 * i + 1) & 15) << 2)), 5);
    d = step(d, a, (c & a) | (~c & b), i + 1, load<u32>(p + (<usize>((5 * i + 6) & 15) << 2)), 9);
    c = step(c, d, (b & d) | (~b & a), i + 2, load<u32>(p + (<usize>((5 * i + 11) & 15) << 2)), 14);
    b = step(b, c, (a & c) | (~a & d), i + 3, load<u32>(p + (<usize>((5 * i + 16) & 15) << 2)), 20);
  }
  for (let i = 32; i < 48; i += 4) {
    a = step(a, b, b ^ c ^ d, i, load<u32>(p + (<usize>((3 * i + 5) & 15) << 2)), 4);
    d = step(d, a, a ^ b ^ c, i + 1, load<u32>(p + (<usize>((3 * i + 8) & 15) << 2)), 11);
    c = step(c, d, d ^ a ^ b, i + 2, load<u32>(p + (<usize>((3 * i + 11) & 15) << 2)), 16);
    b = step(b, c, c ^ d ^ a, i + 3, load<u32>(p + (<usize>((3 * i + 14) & 15) << 2)), 23);
  }
  for (let i = 48; i < 64; i += 4) {
    a = step(a, b, c ^ (b | ~d), i, load<u32>(p + (<usize>((7 * i) & 15) << 2)), 6);
    d = step(d, a, b ^ (a | ~c), i + 1, load<u32>(p + (<usize>((7 * i + 7) & 15) << 2)), 10);
    c = step(c, d, a ^ (d | ~b), i + 2, load<u32>(p + (<usize>((7 * i + 14) & 15) << 2)), 15);
    b = step(b, c, d ^ (c | ~a), i + 3, load<u32>(p + (<usize>((7 * i + 21) & 15) << 2)), 21);
  }
  store<u32>(st, load<u32>(st, 0) + a, 0);
  store<u32>(st, load<u32>(st, 4) + b, 4);
  store<u32>(st, load<u32>(st, 8) + c, 8);
  store<u32>(st, load<u32>(st, 12) + d, 12);
}

/**
 * Hashes `len` bytes at `p` onward from state `st`, which has already consumed `before` bytes (a multiple of 64),
 * and writes the 16-byte digest to `digest`. `st` is left changed.
 */
export function finish(st: usize, before: i32, p: usize, len: i32, digest: usize): void {
  let off = 0;
  while (len - off >= 64) {
    block(st, p + off);
    off += 64;
  }
  const rest = len - off;
  memory.copy(BLOCK, p + off, rest);
  store<u8>(BLOCK + rest, 0x80);
  if (rest >= 56) {
    memory.fill(BLOCK + rest + 1, 0, 63 - rest);
    block(st, BLOCK);
    memory.fill(BLOCK, 0, 56);
  } else {
    memory.fill(BLOCK + rest + 1, 0, 55 - rest);
  }
  store<u64>(BLOCK + 56, (<u64>before + <u64>len) << 3);
  block(st, BLOCK);
  memory.copy(digest, st, 16);
}

/** MD5 of `len` bytes at `p` into `digest` (16 bytes), using `st` (16 bytes) as the state. */
export function md5(st: usize, p: usize, len: i32, digest: usize): void {
  init(st);
  finish(st, 0, p, len, digest);
}

/**
 * Prepares an HMAC key of at most 64 bytes: `inner` and `outer` (16 bytes each) receive the states after the
 * key XOR ipad and key XOR opad blocks. keepalived's key is the 8-byte zero-padded auth_pass.
 */
export function hmacKey(key: usize, keyLen: i32, inner: usize, outer: usize): void {
  for (let k = 0; k < 64; k++) store<u8>(BLOCK + k, (k < keyLen ? load<u8>(key + k) : <u8>0) ^ 0x36);
  init(inner);
  block(inner, BLOCK);
  for (let k = 0; k < 64; k++) store<u8>(BLOCK + k, load<u8>(BLOCK + k) ^ (0x36 ^ 0x5c));
  init(outer);
  block(outer, BLOCK);
}

// Working copies of a key's prepared states: hmac() must not change the instance's own.
const ST = memory.data(16);

/** HMAC-MD5 of `len` bytes at `p` with a key prepared by hmacKey; the 16-byte result goes to `mac`. */
export function hmac(inner: usize, outer: usize, p: usize, len: i32, mac: usize): void {
  memory.copy(ST, inner, 16);
  finish(ST, 64, p, len, INNER);
  memory.copy(ST, outer, 16);
  finish(ST, 64, INNER, 16, mac);
}
