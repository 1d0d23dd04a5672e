// A million random and mutated datagrams into handleDatagram, with running instances of every kind so that
// packets get as far as validation and the state machine. The core must never trap; every verdict must be
// counted by exactly one counter; and a datagram that is not accepted must change no instance's state. Then the
// packet tool's decoder (decodePacket and the core's decodeAdvert export) on random and mutated bytes: no trap,
// always a verdict or a reason code.
// The seed is new on every run, so CI keeps exploring; it is in the test names and in every failure, and
// VIPD_FUZZ_SEED=<n> replays a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import * as abi from '../../host/core/abi.ts';
import { addrBytes } from '../../host/core/addr.ts';
import { RX_NAMES } from '../../host/core/names.ts';
import { rawOf } from '../../host/core/raw.ts';
import { type Build, Core, type InstanceConfig, ipv4Wrap } from '../../host/core/wasm-core.ts';
import { decodePacket, type DecodeOptions } from '../../host/packet/decode.ts';
import { PacketInputError } from '../../host/packet/errors.ts';
import { toHex } from '../../host/packet/hex.ts';
import { ipv6Wrap } from '../../host/packet/ip.ts';

const INPUTS = Number(process.env.VIPD_FUZZ_INPUTS ?? 1_000_000);
const SEED = process.env.VIPD_FUZZ_SEED !== undefined ? Number(process.env.VIPD_FUZZ_SEED) : randomInt(1, 2 ** 32);
const REPLAY = `VIPD_FUZZ_SEED=${SEED}`;

/** Runs f; a failure carries the seed that replays it. */
function withSeed(f: () => void): void {
  try {
    f();
  } catch (e) {
    if (e instanceof Error) e.message += `\n(replay: ${REPLAY} node --import tsx --test test/host/fuzz-decoder.test.ts)`;
    throw e;
  }
}

/** xorshift32 over the run's seed (a per-stream salt keeps the streams apart). */
function prng(salt: number): { rnd: () => number; below: (n: number) => number } {
  let s = ((SEED ^ salt) >>> 0) || 1;
  const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
  return { rnd, below: (n: number) => rnd() % n };
}

const V4 = (n: number) => `10.203.0.${n}`;
const V6 = (n: number) => `fd00:203::${n.toString(16)}`;
const base4 = { version: 3 as const, family: 4 as const, advertIntUs: 1e6, src: V4(1), garpMasterDelayUs: 20_000, garpMasterRefreshUs: 50_000 };
const base6 = { version: 3 as const, family: 6 as const, advertIntUs: 1e6, src: 'fe80::1' };

/** Instances the datagrams aim at: both versions and families, auth, unicast with TTL limits, FAULT, an owner, a sync group. */
const INSTANCES: InstanceConfig[] = [
  { ...base4, socket: 0, vrid: 1, version: 2, priority: 100, authPass: 'secret', vips: [V4(100), V4(101)] },
  { ...base4, socket: 0, vrid: 2, priority: 150, vips: [V4(102)], syncGroup: 1, advertIntUs: 30_000 },
  { ...base4, socket: 0, vrid: 3, priority: 90, vips: [V4(103), V4(104), V4(105)], v3ChecksumAsV2: true, skipCheckAdvAddr: true, syncGroup: 1 },
  { ...base4, socket: 0, vrid: 4, version: 2, priority: 100, vips: [V4(106)] }, // held in FAULT
  { ...base6, socket: 1, vrid: 1, priority: 100, vips: [V6(0x100), V6(0x101)], advertIntUs: 20_000 },
  { ...base6, socket: 1, vrid: 2, priority: 255, vips: [V6(0x102)], ownerIgnoreAdverts: true },
  { ...base6, socket: 1, vrid: 3, priority: 200, vips: [V6(0x103)], nopreempt: true, higherPrioSendAdvert: true },
  { ...base4, socket: 2, vrid: 1, priority: 120, vips: [V4(107)], peers: [{ address: V4(2), minTtl: 250, maxTtl: 255 }, { address: V4(3) }], checkUnicastSrc: true },
  { ...base4, socket: 0, vrid: 5, version: 2, priority: 254, vips: [], preemptDelayUs: 100_000, lowerPrioNoAdvert: true },
];

/** A valid advert a peer of instance c would send, as (datagram, family, IPv6 src/dst). */
interface Seed { sock: number; family: 4 | 6; bytes: Uint8Array; src: Uint8Array; dst: Uint8Array; msgOff: number }

function seeds(core: Core): Seed[] {
  const out: Seed[] = [];
  INSTANCES.forEach((c) => {
    const peer = c.family === 4 ? V4(2) : 'fe80::2';
    const dst = c.peers ? c.src : c.family === 4 ? '224.0.0.18' : 'ff02::12';
    // Encode with the peer as source so that pseudo-header checksums are right for what it sends to us.
    const msg = core.encodeAdvert({ ...c, src: peer, group: dst, peers: undefined, socket: 9, priority: 100 });
    const bytes = c.family === 4 ? ipv4Wrap(msg, peer, dst, 255) : msg;
    out.push({ sock: c.socket, family: c.family, bytes, src: addrBytes(peer), dst: addrBytes(dst), msgOff: c.family === 4 ? 20 : 0 });
  });
  return out;
}

// Verdict -> the counter that must account for it (instance counters S_*, or engine-wide G_* when negative-tagged).
const INSTANCE_COUNTER: Record<number, number> = {
  [abi.RX_OK]: abi.S_ADVERT_RCVD, [abi.RX_NOT_RUNNING]: abi.S_NOT_RUNNING_DROP,
  [abi.RX_INTERVAL_MISMATCH]: abi.S_ADVERT_INTERVAL_ERR, [abi.RX_OWNER_IGNORES]: abi.S_OWNER_IGNORED,
  [abi.RX_PEER_TTL_RANGE]: abi.S_PEER_TTL_DROP, [abi.RX_AH_MISMATCH]: abi.S_AH_MISMATCH,
  [abi.RX_BAD_LENGTH]: abi.S_PACKET_LEN_ERR, [abi.RX_BAD_TTL]: abi.S_IP_TTL_ERR, [abi.RX_BAD_VERSION]: abi.S_VERSION_ERR,
  [abi.RX_BAD_AUTH_TYPE]: abi.S_INVALID_AUTHTYPE, [abi.RX_AUTH_TYPE_MISMATCH]: abi.S_AUTHTYPE_MISMATCH,
  [abi.RX_AUTH_FAILURE]: abi.S_AUTH_FAILURE, [abi.RX_BAD_TYPE]: abi.S_INVALID_TYPE_RCVD,
  [abi.RX_BAD_IP_LENGTH]: abi.S_IP_LEN_ERR, [abi.RX_BAD_INTERVAL]: abi.S_INTERVAL_ZERO,
  [abi.RX_BAD_CHECKSUM]: abi.S_CHECKSUM_ERR, [abi.RX_MCAST_MISMATCH]: abi.S_MCAST_MISMATCH,
  [abi.RX_ADDR_LIST]: abi.S_ADDR_LIST_ERR, [abi.RX_UNICAST_SRC]: abi.S_UNICAST_SRC_ERR,
};
const GLOBAL_COUNTER: Record<number, number> = {
  [abi.RX_UNKNOWN_VRID]: abi.G_UNKNOWN_VRID, [abi.RX_TOO_SHORT]: abi.G_TOO_SHORT, [abi.RX_BAD_IP_HEADER]: abi.G_BAD_IP_HEADER,
  [abi.RX_BAD_PROTOCOL]: abi.G_BAD_PROTOCOL, [abi.RX_TRUNCATED]: abi.G_TRUNCATED, [abi.RX_BAD_FAMILY]: abi.G_BAD_FAMILY,
};

function fuzz(build: Build, INPUTS: number): void {
  const core = new Core(build);
  INSTANCES.forEach((c, h) => core.configure(h, c));
  let now = 1_000_000;
  INSTANCES.forEach((_, h) => { core.start(now, h); core.drain(); });
  core.setFault(now, 3, true);
  core.drain();
  INSTANCES.forEach((_, h) => core.clearStats(h));
  const x = rawOf(core);
  const SEEDS = seeds(core);

  const mem = () => new Uint8Array(x.memory.buffer);
  let u8 = mem();
  const RXA = x.rxPtr();          // addresses (IPv6)
  const RX = RXA + abi.ADDR_OFF;  // datagram
  const OUT = x.outPtr();
  const INFO = x.infoPtr();
  const outF64 = () => new DataView(x.memory.buffer).getFloat64(OUT + 24, true);

  // Fingerprint of every instance's protocol state: inspect() writes 80 bytes (state, priorities, intervals,
  // deadlines, master address) into INFO.
  const FP = 20;
  const snap = new Int32Array(INSTANCES.length * FP);
  const cur = new Int32Array(INSTANCES.length * FP);
  const fingerprint = (into: Int32Array) => {
    const info = new Int32Array(x.memory.buffer, INFO, FP);
    for (let h = 0; h < INSTANCES.length; h++) {
      x.inspect(h);
      into.set(info, h * FP);
    }
  };

  const { rnd, below } = prng(0);

  /** Recomputes the VRRP checksum in place the way an honest sender would (pseudo-header for v3 unless told). */
  const fixChecksum = (msg: number, len: number, family: 4 | 6, plain: boolean, srcAt: number, dstAt: number) => {
    let sum = 0;
    if (!plain && u8[msg] >> 4 === 3) {
      const alen = family === 4 ? 4 : 16;
      for (let k = 0; k < alen; k += 2) sum += ((u8[srcAt + k] << 8) | u8[srcAt + k + 1]) + ((u8[dstAt + k] << 8) | u8[dstAt + k + 1]);
      sum += 112 + len;
    }
    u8[msg + 6] = 0; u8[msg + 7] = 0;
    for (let k = 0; k < len; k += 2) sum += (u8[msg + k] << 8) | (k + 1 < len ? u8[msg + k + 1] : 0);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    const c = ~sum & 0xffff;
    u8[msg + 6] = c >> 8; u8[msg + 7] = c & 0xff;
  };

  const verdicts = new Map<number, number>();
  let deadline = Infinity;
  let outputsOnAccept = 0;
  let acceptedChanges = 0; // shows the fingerprint does see what adverts change
  fingerprint(snap);

  const drainAll = (): number => {
    let n = 0;
    for (;;) {
      const k = x.pollOutput();
      if (k === abi.OUT_TIMEOUT) { deadline = outF64(); return n; }
      n++;
      if (n > 100_000) throw new Error('drain does not end');
    }
  };

  for (let iter = 0; iter < INPUTS; iter++) {
    now += below(3000);
    if (now >= deadline) {
      x.handleTimeout(now, 0);
      drainAll();
      u8 = mem();
      fingerprint(snap);
    }
    const seed = SEEDS[below(SEEDS.length)];
    let family: number = seed.family;
    let sock = below(16) === 0 ? below(4) : seed.sock;
    let ttl = 255;
    let len = seed.bytes.length;
    u8.set(seed.bytes, RX);
    u8.set(seed.src, RXA);
    u8.set(seed.dst, RXA + 16);
    const msg = RX + seed.msgOff;
    const srcAt = family === 4 ? RX + 12 : RXA;
    const dstAt = family === 4 ? RX + 16 : RXA + 16;
    const mlen = len - seed.msgOff;
    const plainSum = seed.family === 4 && (u8[msg] >> 4 === 2 || (seed.sock === 0 && u8[msg + 1] === 3));
    const op = below(16);
    switch (op) {
      case 0: case 1: // a valid advert with another priority (sometimes 0: a resignation)
        u8[msg + 2] = below(4) === 0 ? 0 : below(256);
        fixChecksum(msg, mlen, seed.family, plainSum, srcAt, dstAt);
        break;
      case 2: case 3: { // bit flips anywhere
        for (let f = 1 + below(3); f > 0; f--) { const b = below(len); u8[RX + b] ^= 1 << below(8); }
        break;
      }
      case 4: case 5: { // bit flips in the message, checksum made right again so deeper checks run
        for (let f = 1 + below(2); f > 0; f--) { const b = below(mlen); u8[msg + b] ^= 1 << below(8); }
        fixChecksum(msg, mlen, seed.family, plainSum, srcAt, dstAt);
        break;
      }
      case 6: // truncation
        len = below(len);
        break;
      case 7: { // extension, sometimes with a consistent IP length and address count
        const extra = 1 + below(64);
        for (let k = 0; k < extra; k++) u8[RX + len + k] = rnd() & 0xff;
        len += extra;
        if (family === 4 && below(2) === 0) { u8[RX + 2] = len >> 8; u8[RX + 3] = len & 0xff; }
        if (below(2) === 0) u8[msg + 3] += extra >> (family === 4 ? 2 : 4);
        fixChecksum(msg, len - seed.msgOff, seed.family, plainSum, srcAt, dstAt);
        break;
      }
      case 8: case 9: { // one field of the advert set to a random value, checksum right or not
        const field = below(8);
        const v = rnd() & 0xff;
        if (field === 0) u8[msg] = (u8[msg] & 0x0f) | ((v & 7) << 4);   // version
        else if (field === 1) u8[msg] = (u8[msg] & 0xf0) | (v & 0xf);   // type
        else if (field === 2) u8[msg + 1] = v;                         // VRID
        else if (field === 3) u8[msg + 3] = v & 7;                     // count
        else if (field === 4) u8[msg + 4] = below(2) ? v : v & 3;      // v2 auth type / v3 reserved+interval
        else if (field === 5) u8[msg + 5] = below(4) ? v : 0;          // interval
        else if (field === 6 && mlen > 8) u8[msg + 8 + below(mlen - 8)] = v; // an address or auth byte
        else u8[msg + 6] = v;                                          // checksum
        if (below(4) !== 0 && field !== 7) fixChecksum(msg, mlen, seed.family, below(8) ? plainSum : !plainSum, srcAt, dstAt);
        break;
      }
      case 10: { // IP header fields / hop limit
        if (family === 6) { ttl = below(2) ? below(256) : 254; break; }
        const f = below(6);
        if (f === 0) u8[RX + 8] = below(256);                              // TTL
        else if (f === 1) u8[RX + 9] = below(2) ? 51 : below(256);         // protocol (51: AH)
        else if (f === 2) u8[RX] = 0x40 | below(16);                        // IHL
        else if (f === 3) { const t = below(len + 40); u8[RX + 2] = t >> 8; u8[RX + 3] = t & 0xff; } // total length
        else if (f === 4) u8[RX + 16] = below(2) ? 10 : 239;                // unicast / other group
        else u8[RX + 12 + below(4)] = below(256);                          // source
        // Addresses are in the v3 pseudo-header: make the sum right again half the time, or the checksum hides the rest.
        if (f >= 4 && below(2)) fixChecksum(msg, mlen, seed.family, plainSum, srcAt, dstAt);
        break;
      }
      case 11: { // AH in front of the message
        if (family === 6) break;
        const ahLen = 4 * (2 + below(5));
        u8.copyWithin(RX + 20 + ahLen, RX + 20, RX + len);
        for (let k = 0; k < ahLen; k++) u8[RX + 20 + k] = rnd() & 0xff;
        u8[RX + 21] = below(4) ? (ahLen >> 2) - 2 : below(256);
        u8[RX + 9] = 51;
        len += ahLen;
        u8[RX + 2] = len >> 8; u8[RX + 3] = len & 0xff;
        break;
      }
      case 12: { // random bytes, sometimes behind a plausible IPv4 start
        len = below(200);
        for (let k = 0; k < len; k++) u8[RX + k] = rnd() & 0xff;
        if (below(2) === 0 && len > 0) u8[RX] = 0x45;
        family = below(2) ? 4 : 6;
        ttl = below(2) ? 255 : below(256);
        break;
      }
      case 13: // host misuse: family or length out of range
        if (below(2)) family = below(2) ? 0 : 5 + below(100);
        else len = abi.RX_CAP + 1 + below(1000);
        break;
      case 14: // another socket
        sock = below(5);
        break;
      default: // untouched valid advert
        break;
    }
    let v: number;
    try {
      v = x.handleDatagram(now, sock, family, ttl, len);
    } catch (e) {
      throw new Error(`trap on input ${iter} (family ${family}, sock ${sock}, ttl ${ttl}, len ${len}): ` +
        `${toHex(u8.subarray(RX, RX + Math.min(len, 200)))}: ${(e as Error).message}`);
    }
    verdicts.set(v, (verdicts.get(v) ?? 0) + 1);
    const n = drainAll();
    u8 = mem();
    if (v === abi.RX_OK) {
      outputsOnAccept += n;
      fingerprint(cur);
      if (!cur.every((w, k) => w === snap[k])) acceptedChanges++;
      snap.set(cur);
      continue;
    }
    assert.equal(n, 0, `input ${iter}: verdict ${RX_NAMES[v]} produced ${n} outputs`);
    fingerprint(cur);
    for (let k = 0; k < cur.length; k++) {
      if (cur[k] !== snap[k]) {
        assert.fail(`input ${iter}: verdict ${RX_NAMES[v] ?? v} changed instance ${Math.floor(k / FP)} ` +
          `(word ${k % FP}: ${snap[k]} -> ${cur[k]}); datagram ${toHex(u8.subarray(RX, RX + Math.min(len, 200)))}`);
      }
    }
  }

  // Every verdict is a known code, and the counters add up to exactly what was fed.
  for (const code of verdicts.keys()) assert.ok(code in INSTANCE_COUNTER || code in GLOBAL_COUNTER, `unknown verdict ${code}`);
  const stats = INSTANCES.map((_, h) => core.stats(h));
  const g = core.globalStats();
  const sumStat = (idx: number) => stats.reduce((a, st) => a + Object.values(st)[idx], 0);
  let counted = 0;
  for (const [code, idx] of Object.entries(INSTANCE_COUNTER)) {
    let seen = verdicts.get(Number(code)) ?? 0;
    // keepalived counts an AH mismatch as authtype_mismatch too (the core keeps its own ah_mismatch beside it).
    const alsoAh = Number(code) === abi.RX_AUTH_TYPE_MISMATCH ? verdicts.get(abi.RX_AH_MISMATCH) ?? 0 : 0;
    seen += alsoAh;
    assert.equal(sumStat(idx), seen, `counter ${idx} vs verdict ${RX_NAMES[Number(code)]}`);
    counted += sumStat(idx) - alsoAh;
  }
  for (const [code, idx] of Object.entries(GLOBAL_COUNTER)) {
    const seen = verdicts.get(Number(code)) ?? 0;
    assert.equal(Object.values(g)[idx], seen, `global counter ${idx} vs verdict ${RX_NAMES[Number(code)]}`);
    counted += Object.values(g)[idx];
  }
  assert.equal(counted, INPUTS, 'counters account for every input exactly once');
  const accepted = verdicts.get(abi.RX_OK) ?? 0;
  assert.equal(sumStat(abi.S_CSUM_PLAIN) + sumStat(abi.S_CSUM_PSEUDO) + sumStat(abi.S_CSUM_OLD_UNICAST), accepted);

  // The mutations reach deep: every check fired at least once, and accepted adverts moved the state machines.
  if (INPUTS >= 100_000) {
    for (const code of [...Object.keys(INSTANCE_COUNTER), ...Object.keys(GLOBAL_COUNTER)].map(Number)) {
      assert.ok((verdicts.get(code) ?? 0) > 0, `no input reached verdict ${RX_NAMES[code]}`);
    }
    assert.ok(outputsOnAccept > 1000, `accepted adverts produced only ${outputsOnAccept} outputs`);
    assert.ok(sumStat(abi.S_BECAME_MASTER) > 10, 'instances changed state during the run');
    assert.ok(acceptedChanges > 1000, `accepted adverts changed the fingerprint only ${acceptedChanges} times`);
  }
  const table = [...verdicts.entries()].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${RX_NAMES[c]}=${n}`).join(' ');
  console.log(`# ${build}: ${INPUTS} inputs, seed ${SEED}: ${table}`);
}

console.log(`# fuzz seed ${SEED} (${REPLAY} replays this run)`);

test(`release build, ${INPUTS} random and mutated datagrams (seed ${SEED}): no trap, every verdict counted once, rejected ones change no state`, () => {
  withSeed(() => fuzz('release', INPUTS));
});

// The debug build keeps the same code without optimisation: a second chance for a trap the optimiser hid.
test(`debug build, ${Math.ceil(INPUTS / 5)} datagrams (seed ${SEED}): the same`, () => {
  withSeed(() => fuzz('debug', Math.ceil(INPUTS / 5)));
});

/**
 * `vipd packet decode` on anything: adverts of every shape (bare v2/v3 messages over IPv4 and IPv6, whole IPv4
 * packets with and without AH, whole IPv6 packets) mutated or replaced by random bytes, with random options.
 * decodePacket must return a report whose validity and reason agree, or refuse the input with a
 * PacketInputError (exit code 2); the core's decodeAdvert export, fed the same bytes with any family, TTL and
 * length, must return a known verdict. Nothing may trap.
 */
function fuzzPacketTool(inputs: number): Map<string, number> {
  const core = new Core('release');
  const x = rawOf(core);
  const { rnd, below } = prng(0x9ac4e7);
  const V4A = ['192.0.2.1', '192.0.2.2', '224.0.0.18', '10.0.0.1'];
  const V6A = ['fe80::1', 'fe80::2', 'ff02::12', '2001:db8::1'];
  const shapes: { bytes: Uint8Array; bare: 4 | 6 | 0 }[] = [];
  for (const version of [2, 3] as const) {
    for (const family of [4, 6] as const) {
      if (version === 2 && family === 6) continue;
      for (const n of [0, 1, 3]) {
        const A = family === 4 ? V4A : V6A;
        const c = { socket: 0, version, family, vrid: 1 + n, priority: 100, advertIntUs: 1e6, src: A[0], group: A[2],
          vips: Array.from({ length: n }, (_, k) => (family === 4 ? `198.51.100.${k + 1}` : `2001:db8::${k + 1}`)),
          authPass: version === 2 && n === 1 ? 'secret' : undefined, v3ChecksumAsV2: version === 3 && n === 3 };
        const msg = core.encodeAdvert(c);
        shapes.push({ bytes: msg, bare: family });
        shapes.push({ bytes: family === 4 ? ipv4Wrap(msg, A[0], A[2], 255) : ipv6Wrap(msg, A[0], A[2], 255), bare: 0 });
        if (family === 4) { // AH in front of the message (protocol 51, the AH length in 32-bit words minus 2)
          const ah = new Uint8Array(24); ah[0] = 112; ah[1] = 4;
          const p = ipv4Wrap(new Uint8Array([...ah, ...msg]), A[0], A[2], 255);
          p[9] = 51;
          shapes.push({ bytes: p, bare: 0 });
        }
      }
    }
  }
  const outcomes = new Map<string, number>();
  const note = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  for (let iter = 0; iter < inputs; iter++) {
    const shape = shapes[below(shapes.length)];
    let b = Uint8Array.from(shape.bytes);
    switch (below(8)) {
      case 0: case 1: for (let f = 1 + below(4); f > 0; f--) b[below(b.length)] ^= 1 << below(8); break; // bit flips
      case 2: b = b.subarray(0, below(b.length + 1)); break; // truncation (to nothing, sometimes)
      case 3: { // extension
        const e = new Uint8Array(b.length + 1 + below(64));
        e.set(b);
        for (let k = b.length; k < e.length; k++) e[k] = rnd() & 0xff;
        b = e;
        break;
      }
      case 4: b[below(Math.min(b.length, 48))] = rnd() & 0xff; break; // one header byte
      case 5: { // random bytes, sometimes with a plausible first nibble
        b = new Uint8Array(below(below(16) === 0 ? 5000 : 120));
        for (let k = 0; k < b.length; k++) b[k] = rnd() & 0xff;
        if (b.length && below(2)) b[0] = (below(2) ? 0x40 : 0x60) | (b[0] & 0xf);
        break;
      }
      default: break; // as encoded
    }
    const o: DecodeOptions = {};
    const bare = b.length > 0 && b[0] >> 4 !== 4 && b[0] >> 4 !== 6;
    // Options are for bare messages; on a whole packet, now and then, to check that they are refused cleanly.
    if (bare || below(16) === 0) {
      const fam = shape.bare === 6 ? (below(8) ? 6 : 4) : (below(8) ? 4 : 6);
      const A = fam === 4 ? V4A : V6A;
      if (below(3)) o.src = A[below(4)];
      if (below(3)) o.dst = A[below(4)];
      if (below(4) === 0) o.ttl = below(256);
      if (below(4) === 0) o.v3ChecksumAsV2 = true;
    }
    const what = () => `input ${iter} ${toHex(b.subarray(0, 200))}${b.length > 200 ? '...' : ''} ${JSON.stringify(o)}`;
    try {
      const r = decodePacket(core, b, o);
      assert.equal(typeof r.valid, 'boolean', what());
      if (r.valid) {
        assert.ok(r.reason === undefined && r.reasonCode === undefined, `valid with a reason: ${what()}`);
        assert.ok(r.version === 2 || r.version === 3, `valid version ${r.version}: ${what()}`);
        assert.equal(r.length, r.expectedLength, `valid with a wrong length: ${what()}`);
        assert.ok(['plain', 'pseudo-header', 'old-unicast', 'unverified'].includes(r.checksumForm!), `valid with checksum ${r.checksumForm}: ${what()}`);
        note(r.checksumForm === 'unverified' ? 'ok (checksum unverified)' : 'ok');
      } else {
        assert.ok(r.reasonCode !== undefined && r.reasonCode < 0 && RX_NAMES[r.reasonCode] === r.reason, `reason ${r.reason}/${r.reasonCode}: ${what()}`);
        // A host error is the tool's own fault: it passes a family and a length the core takes.
        assert.notEqual(r.reasonCode, abi.RX_BAD_FAMILY, `the tool misused the core: ${what()}`);
        assert.ok(r.reasonText, `no reason text for ${r.reason}: ${what()}`);
        note(r.reason!);
      }
    } catch (e) {
      if (!(e instanceof PacketInputError)) throw new Error(`${(e as Error).message}\n${what()}`, { cause: e });
      note('input-error');
    }
    // The raw export on the same bytes with any family, TTL and length (within RX, or beyond RX_CAP).
    const u8 = new Uint8Array(x.memory.buffer);
    u8.set(b.subarray(0, abi.RX_CAP), x.rxPtr() + abi.ADDR_OFF);
    for (let k = 0; k < 32; k++) u8[x.rxPtr() + k] = rnd() & 0xff;
    const family = below(8) === 0 ? below(8) : below(2) ? 4 : 6;
    const len = below(32) === 0 ? abi.RX_CAP + below(100) : Math.min(b.length, abi.RX_CAP);
    let v: number;
    try {
      v = x.decodeAdvert(family, below(256), len, below(2));
    } catch (e) {
      throw new Error(`decodeAdvert trapped (family ${family}, len ${len}): ${(e as Error).message}\n${what()}`, { cause: e });
    }
    assert.ok(v in RX_NAMES && v <= 0, `decodeAdvert returned ${v}: ${what()}`);
  }
  return outcomes;
}

test(`packet tool, ${Math.ceil(INPUTS / 5)} random and mutated inputs (seed ${SEED}): no trap, a verdict or a reason code`, () => {
  withSeed(() => {
    const outcomes = fuzzPacketTool(Math.ceil(INPUTS / 5));
    console.log(`# packet tool: ${[...outcomes.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}=${n}`).join(' ')}`);
    if (INPUTS >= 100_000) {
      // The mutations reach every instance-free check of the decoder, and valid adverts still come through.
      for (const k of ['ok', 'ok (checksum unverified)', 'input-error', 'too-short', 'bad-ip-header', 'bad-protocol', 'truncated',
        'bad-length', 'bad-ttl', 'bad-version', 'bad-auth-type', 'bad-type', 'bad-ip-length', 'bad-checksum']) {
        assert.ok((outcomes.get(k) ?? 0) > 0, `no input ended as ${k}`);
      }
    }
  });
});
