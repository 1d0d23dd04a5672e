// Transcript helpers for the core's as-pect specs. A spec configures a virtual router, feeds adverts and time,
// and reads back every output the core drains, in order:
//
//   router().prio(100).up(0);                         // configure + start at t = 0 µs
//   expectState(INIT, BACKUP, WHY_STARTUP);
//   feed(1_000_000, adv().prio(120));                 // an advert from 192.0.2.2 at t = 1 s
//   expectNewMaster(120, '192.0.2.2');
//   expectNothing(4_609_999);                         // nothing until just before Master_Down_Interval
//   expectState(BACKUP, MASTER, WHY_MASTER_DOWN, 4_610_000);
//
// Everything goes through the engine's own export surface (assembly/index.ts) and its static regions, as the
// host does. The checksums here are an independent RFC 1071 implementation, so a spec that checks a transmit's
// checksum does not grade the core with its own code. Times are whole microseconds (f64, as the exports take).
import * as core from '../../assembly/index';
import * as abi from '../../assembly/abi';

// ---------------------------------------------------------------------------------------------------------
// Addresses

/** Parses dotted IPv4 or RFC 4291 IPv6 text into 16 bytes (IPv4 in the first 4). */
export function addr(s: string): StaticArray<u8> {
  const out = new StaticArray<u8>(16);
  if (s.indexOf(':') < 0) {
    const parts = s.split('.');
    assert(parts.length == 4, 'bad IPv4 address ' + s);
    for (let k = 0; k < 4; k++) out[k] = <u8>I32.parseInt(parts[k], 10);
    return out;
  }
  const groups = new StaticArray<i32>(8);
  const dbl = s.indexOf('::');
  let head: string[] = [];
  let tail: string[] = [];
  if (dbl >= 0) {
    const h = s.substring(0, dbl);
    const t = s.substring(dbl + 2);
    if (h.length > 0) head = h.split(':');
    if (t.length > 0) tail = t.split(':');
  } else {
    head = s.split(':');
    assert(head.length == 8, 'bad IPv6 address ' + s);
  }
  for (let k = 0; k < head.length; k++) groups[k] = I32.parseInt(head[k], 16);
  for (let k = 0; k < tail.length; k++) groups[8 - tail.length + k] = I32.parseInt(tail[k], 16);
  for (let k = 0; k < 8; k++) {
    out[2 * k] = <u8>(groups[k] >> 8);
    out[2 * k + 1] = <u8>groups[k];
  }
  return out;
}

export function isV6(s: string): bool { return s.indexOf(':') >= 0; }

function sameBytes(a: usize, b: usize, n: i32): bool {
  for (let k = 0; k < n; k++) if (load<u8>(a + k) != load<u8>(b + k)) return false;
  return true;
}

/** Formats alen bytes at p as text (IPv4 dotted; IPv6 as eight hex groups, no compression). */
export function fmt(p: usize, alen: i32): string {
  let s = '';
  if (alen == 4) {
    for (let k = 0; k < 4; k++) s += (k ? '.' : '') + load<u8>(p + k).toString();
    return s;
  }
  for (let k = 0; k < 8; k++) {
    const g = (<i32>load<u8>(p + 2 * k) << 8) | <i32>load<u8>(p + 2 * k + 1);
    s += (k ? ':' : '') + g.toString(16);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------------------
// An independent RFC 1071 checksum (carries folded as they happen, unlike the core's deferred fold)

/** One's-complement sum of the big-endian 16-bit words at [p, p+len), odd tail padded with zero. */
export function ocSum(p: usize, len: i32, sum: u32): u32 {
  for (let k = 0; k < len; k += 2) {
    const hi = <u32>load<u8>(p + k);
    const lo = k + 1 < len ? <u32>load<u8>(p + k + 1) : 0;
    sum += (hi << 8) | lo;
    if (sum > 0xffff) sum = (sum & 0xffff) + 1;
  }
  return sum;
}

export function ocFinish(sum: u32): u16 {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return <u16>(~sum & 0xffff);
}

/** The checksum a VRRP message at msg (len bytes, checksum field ignored) should carry. */
export function vrrpChecksum(msg: usize, len: i32, pseudo: i32, family: i32, src: usize, dst: usize): u16 {
  // pseudo: 0 message only, 1 with the pseudo-header of (src, dst)
  const copy = new StaticArray<u8>(len);
  memory.copy(changetype<usize>(copy), msg, len);
  store<u16>(changetype<usize>(copy) + 6, 0);
  let s: u32 = 0;
  if (pseudo) {
    const ph = new StaticArray<u8>(40);
    const p = changetype<usize>(ph);
    if (family == 4) {
      memory.copy(p, src, 4);
      memory.copy(p + 4, dst, 4);
      store<u8>(p + 9, 112);
      store<u8>(p + 10, <u8>(len >> 8));
      store<u8>(p + 11, <u8>len);
      s = ocSum(p, 12, 0);
    } else {
      memory.copy(p, src, 16);
      memory.copy(p + 16, dst, 16);
      store<u8>(p + 34, <u8>(len >> 8));
      store<u8>(p + 35, <u8>len);
      store<u8>(p + 39, 112);
      s = ocSum(p, 40, 0);
    }
  }
  return ocFinish(ocSum(changetype<usize>(copy), len, s));
}

// ---------------------------------------------------------------------------------------------------------
// Virtual router configuration (the CFG region)

let nextSocket: i32 = 1;
let nextHandle: i32 = 0;
const handles: i32[] = [];

export class Router {
  handle: i32 = -1;
  socket: i32 = 0;
  version: i32 = 2;
  family: i32 = 4;
  vrid: i32 = 51;
  priority: i32 = 100;
  advertUs: u32 = 1000000;
  flags: u32 = 0;
  preemptDelayUs: u32 = 0;
  downAdverts: i32 = 3;
  garpRepeat: i32 = 5;
  garpLowerRepeat: i32 = 5;
  garpRefreshRepeat: i32 = 1;
  garpDelayUs: u32 = 5000000;
  garpLowerDelayUs: u32 = 5000000;
  garpRefreshUs: u32 = 0;
  authType: i32 = 0;
  authPass: string = '';
  txTtl: i32 = 0;             // CFG_TX_TTL: the AH header's TTL (0: 255)
  src: string = '192.0.2.1';
  group: string = '224.0.0.18';
  vips: string[] = ['192.0.2.100'];
  peers: string[] = [];
  peerMin: i32[] = [];
  peerMax: i32[] = [];

  v3(): Router { this.version = 3; return this; }
  ver2(): Router { this.version = 2; return this; }
  v6(): Router {
    this.version = 3;
    this.family = 6;
    this.src = 'fe80::1';
    this.group = 'ff02::12';
    this.vips = ['fe80::33', '2001:db8::100'];
    return this;
  }
  id(v: i32): Router { this.vrid = v; return this; }
  down(adverts: i32): Router { this.downAdverts = adverts; return this; }
  prio(p: i32): Router { this.priority = p; return this; }
  interval(us: u32): Router { this.advertUs = us; return this; }
  flag(f: u32): Router { this.flags |= f; return this; }
  nopreempt(): Router { return this.flag(abi.F_NOPREEMPT); }
  preemptDelay(us: u32): Router { this.preemptDelayUs = us; return this; }
  from(s: string): Router { this.src = s; return this; }
  to(g: string): Router { this.group = g; return this; }
  addrs(v: string[]): Router { this.vips = v; return this; }
  pass(pw: string): Router { this.authType = 1; this.authPass = pw; return this; }
  ah(): Router { this.authType = 2; return this; }
  sock(s: i32): Router { this.socket = s; return this; }
  garp(repeat: i32, delayUs: u32): Router { this.garpRepeat = repeat; this.garpDelayUs = delayUs; return this; }
  garpLower(repeat: i32, delayUs: u32): Router { this.garpLowerRepeat = repeat; this.garpLowerDelayUs = delayUs; return this; }
  refresh(everyUs: u32, repeat: i32): Router { this.garpRefreshUs = everyUs; this.garpRefreshRepeat = repeat; return this; }
  peer(a: string, minTtl: i32 = 0, maxTtl: i32 = 0): Router {
    this.peers.push(a);
    this.peerMin.push(minTtl);
    this.peerMax.push(maxTtl);
    this.flags |= abi.F_UNICAST;
    if (minTtl != 0 || maxTtl != 0) this.flags |= abi.F_PEER_TTL_LIMITS;
    return this;
  }

  /** Writes the record into CFG and returns its length. */
  write(): i32 {
    const c = core.cfgPtr();
    memory.fill(c, 0, abi.CFG_ADDRS + (this.vips.length + this.peers.length) * abi.CFG_PEER_SIZE + 64);
    store<u8>(c + abi.CFG_VERSION, <u8>this.version);
    store<u8>(c + abi.CFG_FAMILY, <u8>this.family);
    store<u8>(c + abi.CFG_VRID, <u8>this.vrid);
    store<u8>(c + abi.CFG_PRIORITY, <u8>this.priority);
    store<u32>(c + abi.CFG_ADVERT_US, this.advertUs);
    store<u32>(c + abi.CFG_FLAGS, this.flags);
    store<u32>(c + abi.CFG_PREEMPT_DELAY_US, this.preemptDelayUs);
    store<u8>(c + abi.CFG_DOWN_ADVERTS, <u8>this.downAdverts);
    store<u8>(c + abi.CFG_GARP_REPEAT, <u8>this.garpRepeat);
    store<u8>(c + abi.CFG_GARP_LOWER_REPEAT, <u8>this.garpLowerRepeat);
    store<u8>(c + abi.CFG_GARP_REFRESH_REPEAT, <u8>this.garpRefreshRepeat);
    store<u32>(c + abi.CFG_GARP_DELAY_US, this.garpDelayUs);
    store<u32>(c + abi.CFG_GARP_LOWER_DELAY_US, this.garpLowerDelayUs);
    store<u32>(c + abi.CFG_GARP_REFRESH_US, this.garpRefreshUs);
    store<i32>(c + abi.CFG_SOCKET, this.socket);
    store<u16>(c + abi.CFG_NADDR, <u16>this.vips.length);
    store<u16>(c + abi.CFG_NPEERS, <u16>this.peers.length);
    store<u8>(c + abi.CFG_AUTH_TYPE, <u8>this.authType);
    store<u8>(c + abi.CFG_TX_TTL, <u8>this.txTtl);
    for (let k = 0; k < this.authPass.length && k < 8; k++) store<u8>(c + abi.CFG_AUTH_PASS + k, <u8>this.authPass.charCodeAt(k));
    memory.copy(c + abi.CFG_SRC, changetype<usize>(addr(this.src)), 16);
    memory.copy(c + abi.CFG_GROUP, changetype<usize>(addr(this.group)), 16);
    for (let k = 0; k < this.vips.length; k++) {
      memory.copy(c + abi.CFG_ADDRS + k * 16, changetype<usize>(addr(this.vips[k])), 16);
    }
    const p = c + abi.CFG_ADDRS + this.vips.length * 16;
    for (let k = 0; k < this.peers.length; k++) {
      const e = p + k * abi.CFG_PEER_SIZE;
      memory.copy(e, changetype<usize>(addr(this.peers[k])), 16);
      store<u8>(e + 16, <u8>this.peerMin[k]);
      store<u8>(e + 17, <u8>this.peerMax[k]);
    }
    return abi.CFG_ADDRS + this.vips.length * 16 + this.peers.length * abi.CFG_PEER_SIZE;
  }

  /** configure() under a fresh handle; returns the CFG_* result. The router becomes `cur`. */
  configure(): i32 {
    if (this.handle < 0) this.handle = nextHandle++;
    const r = core.configure(this.handle, this.write());
    if (r == abi.CFG_OK && !handles.includes(this.handle)) handles.push(this.handle);
    cur = this;
    return r;
  }

  /** configure() (which must succeed) and start() at t. */
  up(t: f64): Router {
    const r = this.configure();
    expect(r).toBe(abi.CFG_OK, 'configure');
    start(t, this.handle);
    return this;
  }
}

/** A router with the defaults: v2, VRID 51, priority 100, 1 s, 192.0.2.1 -> 224.0.0.18, VIP 192.0.2.100. */
export function router(): Router {
  // as-pect 8.1.0 reports a test as passed even when its beforeEach trapped, so a reset() that did not finish
  // is caught here, in the test body.
  expect(resetting).toBe(false, 'reset() did not complete (a trap in beforeEach, which as-pect does not report)');
  const r = new Router();
  r.socket = nextSocket++;
  cur = r;
  return r;
}

/** The router the last router()/configure() named; adv() and the expectations default to it. */
export let cur: Router = new Router();

// ---------------------------------------------------------------------------------------------------------
// Adverts written into RX

// @ts-ignore: decorator
@inline export const CS_AUTO: i32 = 0;       // what a keepalived peer sends by default for this version/family
// @ts-ignore: decorator
@inline export const CS_PLAIN: i32 = 1;      // message only
// @ts-ignore: decorator
@inline export const CS_PSEUDO: i32 = 2;     // with the pseudo-header of the packet's own addresses
// @ts-ignore: decorator
@inline export const CS_OLD_UNICAST: i32 = 3; // pseudo-header naming 224.0.0.18 (keepalived <= 1.3.6 unicast)
// @ts-ignore: decorator
@inline export const CS_BAD: i32 = 4;        // the right checksum with bits flipped
// @ts-ignore: decorator
@inline export const CS_VALUE: i32 = 5;      // a literal value

export class Advert {
  sock: i32 = 0;
  family: i32 = 4;
  version: i32 = 2;
  type: i32 = 1;
  vrid: i32 = 51;
  priority: i32 = 100;
  vips: string[] = [];
  countField: i32 = -1;       // -1: the number of vips
  intervalField: i32 = 1;     // v2 seconds, v3 centiseconds
  reservedBits: i32 = 0;      // v3: the 4 bits above the interval
  authType: i32 = 0;
  authPass: string = '';
  csMode: i32 = CS_AUTO;
  csValue: i32 = 0;
  ttl: i32 = 255;
  src: string = '192.0.2.2';
  dst: string = '224.0.0.18';
  proto: i32 = 112;
  withAh: bool = false;
  ipVersion: i32 = 4;
  ihl: i32 = 5;
  totLenDelta: i32 = 0;       // added to the IPv4 total length field
  padding: i32 = 0;           // bytes after the datagram (Ethernet padding, or junk)
  lenOverride: i32 = -1;      // the received length, overriding everything

  prio(p: i32): Advert { this.priority = p; return this; }
  id(v: i32): Advert { this.vrid = v; return this; }
  ver(v: i32): Advert { this.version = v; return this; }
  kind(t: i32): Advert { this.type = t; return this; }
  from(s: string): Advert { this.src = s; return this; }
  to(d: string): Advert { this.dst = d; return this; }
  hops(t: i32): Advert { this.ttl = t; return this; }
  addrs(v: string[]): Advert { this.vips = v; return this; }
  count(n: i32): Advert { this.countField = n; return this; }
  interval(v: i32): Advert { this.intervalField = v; return this; }
  reserved(bits: i32): Advert { this.reservedBits = bits; return this; }
  auth(t: i32, pw: string = ''): Advert { this.authType = t; this.authPass = pw; return this; }
  checksum(mode: i32, value: i32 = 0): Advert { this.csMode = mode; this.csValue = value; return this; }
  protocol(p: i32): Advert { this.proto = p; return this; }
  ah(): Advert { this.withAh = true; return this; }
  ipver(v: i32): Advert { this.ipVersion = v; return this; }
  hdrLen(ihl: i32): Advert { this.ihl = ihl; return this; }
  totLen(delta: i32): Advert { this.totLenDelta = delta; return this; }
  pad(n: i32): Advert { this.padding = n; return this; }
  len(n: i32): Advert { this.lenOverride = n; return this; }
  onSocket(s: i32): Advert { this.sock = s; return this; }

  msgLen(): i32 {
    const alen = this.family == 4 ? 4 : 16;
    return 8 + this.vips.length * alen + (this.version == 2 ? 8 : 0);
  }

  /** Writes the datagram into RX as the host would receive it; returns the received length. */
  build(): i32 {
    const rx = core.rxPtr();
    memory.fill(rx, 0, abi.ADDR_OFF + 512);
    const alen = this.family == 4 ? 4 : 16;
    const src = addr(this.src);
    const dst = addr(this.dst);
    const ml = this.msgLen();
    let ipHdr = 0;
    let ahLen = 0;
    if (this.family == 4) {
      ipHdr = this.ihl * 4;
      if (ipHdr < 20) ipHdr = 20;
      ahLen = this.withAh ? 24 : 0;
    }
    const msg = rx + abi.ADDR_OFF + ipHdr + ahLen;
    store<u8>(msg, <u8>((this.version << 4) | (this.type & 0xf)));
    store<u8>(msg + 1, <u8>this.vrid);
    store<u8>(msg + 2, <u8>this.priority);
    store<u8>(msg + 3, <u8>(this.countField >= 0 ? this.countField : this.vips.length));
    if (this.version == 2) {
      store<u8>(msg + 4, <u8>this.authType);
      store<u8>(msg + 5, <u8>this.intervalField);
    } else {
      const v = (this.reservedBits << 12) | (this.intervalField & 0xfff);
      store<u8>(msg + 4, <u8>(v >> 8));
      store<u8>(msg + 5, <u8>v);
    }
    for (let k = 0; k < this.vips.length; k++) {
      memory.copy(msg + 8 + k * alen, changetype<usize>(addr(this.vips[k])), alen);
    }
    if (this.version == 2) {
      for (let k = 0; k < this.authPass.length && k < 8; k++) {
        store<u8>(msg + 8 + this.vips.length * alen + k, <u8>this.authPass.charCodeAt(k));
      }
    }
    let cs: i32 = 0;
    const s = changetype<usize>(src);
    const d = changetype<usize>(dst);
    const mode = this.csMode;
    if (mode == CS_VALUE) cs = this.csValue;
    else if (mode == CS_PLAIN || (mode == CS_AUTO && this.version == 2 && this.family == 4)) {
      cs = vrrpChecksum(msg, ml, 0, this.family, s, d);
    } else if (mode == CS_OLD_UNICAST) {
      cs = vrrpChecksum(msg, ml, 1, this.family, s, changetype<usize>(addr('224.0.0.18')));
    } else {
      cs = vrrpChecksum(msg, ml, 1, this.family, s, d);
      if (mode == CS_BAD) cs ^= 0x5a5a;
    }
    store<u8>(msg + 6, <u8>(cs >> 8));
    store<u8>(msg + 7, <u8>cs);

    if (this.family == 6) {
      memory.copy(rx, s, 16);
      memory.copy(rx + 16, d, 16);
      return this.lenOverride >= 0 ? this.lenOverride : ml + this.padding;
    }
    const ip = rx + abi.ADDR_OFF;
    const tot = ipHdr + ahLen + ml + this.totLenDelta;
    store<u8>(ip, <u8>((this.ipVersion << 4) | (this.ihl & 0xf)));
    store<u8>(ip + 1, 0xc0);
    store<u8>(ip + 2, <u8>(tot >> 8));
    store<u8>(ip + 3, <u8>tot);
    store<u8>(ip + 5, 1);
    store<u8>(ip + 8, <u8>this.ttl);
    store<u8>(ip + 9, <u8>(this.withAh ? 51 : this.proto));
    memory.copy(ip + 12, s, 4);
    memory.copy(ip + 16, d, 4);
    const hc = ocFinish(ocSum(ip, ipHdr, 0));
    store<u8>(ip + 10, <u8>(hc >> 8));
    store<u8>(ip + 11, <u8>hc);
    if (this.withAh) {
      const ah = ip + ipHdr;
      store<u8>(ah, <u8>this.proto);
      store<u8>(ah + 1, <u8>((ahLen >> 2) - 2));
      store<u32>(ah + 4, 0x01000000); // SPI
      store<u32>(ah + 8, 0x01000000); // sequence
    }
    return this.lenOverride >= 0 ? this.lenOverride : ipHdr + ahLen + ml + this.padding;
  }
}

/** An advert a keepalived peer (192.0.2.2, or fe80::2) would send for the current router. */
export function adv(): Advert {
  const a = new Advert();
  const r = cur;
  a.sock = r.socket;
  a.family = r.family;
  a.version = r.version;
  a.vrid = r.vrid;
  a.vips = r.vips.slice(0);
  a.intervalField = r.version == 2 ? roundV2(r.advertUs) : roundV3(r.advertUs);
  a.authType = r.authType;
  a.authPass = r.authPass;
  if (r.family == 6) a.src = 'fe80::2';
  a.dst = r.peers.length > 0 ? r.src : r.group;
  if (r.authType == 2) a.withAh = true;
  return a;
}

function roundV2(us: u32): i32 {
  const s = <i32>((<u64>us + 500000) / 1000000);
  return s < 1 ? 1 : s;
}

function roundV3(us: u32): i32 {
  const cs = <i32>((<u64>us + 5000) / 10000);
  return cs < 1 ? 1 : cs > 4095 ? 4095 : cs;
}

// ---------------------------------------------------------------------------------------------------------
// The transcript: every output drained, in order, with the time of the input that produced it

export class Out {
  kind: i32 = 0;
  handle: i32 = 0;
  a: i32 = 0;
  b: i32 = 0;
  c: i32 = 0;
  d: i32 = 0;
  at: f64 = 0;
  src: StaticArray<u8> = new StaticArray<u8>(16);
  dst: StaticArray<u8> = new StaticArray<u8>(16);
  extra: StaticArray<u8> = new StaticArray<u8>(16); // OUT+32: RX_LOWER sender, NEW_MASTER address
  bytes: StaticArray<u8> = new StaticArray<u8>(0);
}

let log: Out[] = [];
let head: i32 = 0;
/** Time of the last input. */
export let now: f64 = 0;
/** The deadline the last drain ended with (Infinity: none). */
export let deadline: f64 = Infinity;
/** The most recent transmit taken by expectTx. */
export let lastTx: Out = new Out();
/** The verdict of the last feed(). */
export let verdict: i32 = 0;
/** Largest number of records the ring held while draining (see output.spec.ts). */
export let drained: i32 = 0;

export function drain(): void {
  for (let guard = 0; ; guard++) {
    assert(guard < 10000000, 'pollOutput never returned OUT_TIMEOUT');
    const k = core.pollOutput();
    const o = core.outPtr();
    if (k == abi.OUT_TIMEOUT) {
      deadline = load<f64>(o + 24);
      return;
    }
    const r = new Out();
    r.kind = k;
    r.handle = load<i32>(o + 4);
    r.a = load<i32>(o + 8);
    r.b = load<i32>(o + 12);
    r.c = load<i32>(o + 16);
    r.d = load<i32>(o + 20);
    r.at = now;
    memory.copy(changetype<usize>(r.extra), o + 32, 16);
    if (k == abi.OUT_TRANSMIT) {
      const tx = core.txPtr();
      memory.copy(changetype<usize>(r.src), tx, 16);
      memory.copy(changetype<usize>(r.dst), tx + 16, 16);
      r.bytes = new StaticArray<u8>(r.a);
      memory.copy(changetype<usize>(r.bytes), tx + abi.ADDR_OFF, r.a);
    }
    log.push(r);
    drained++;
  }
}

/** Runs every deadline up to and including t, then sets the clock to t. */
export function runUntil(t: f64): void {
  for (let guard = 0; deadline <= t; guard++) {
    assert(guard < 1000000, 'timers never settle');
    now = deadline;
    core.handleTimeout(deadline, 0);
    drain();
  }
  if (t > now) now = t;
}

/** Deadlines strictly before t happen first, as they would on a real host. */
function before(t: f64): void {
  runUntil(t - 1);
  now = t;
}

export function start(t: f64, h: i32 = cur.handle): void { before(t); core.start(t, h); drain(); }
export function shutdown(t: f64, h: i32 = cur.handle): void { before(t); core.shutdown(t, h); drain(); }
export function fault(t: f64, on: bool, h: i32 = cur.handle): void { before(t); core.setFault(t, h, on); drain(); }
export function adjust(t: f64, delta: i32, h: i32 = cur.handle): void { before(t); core.setPriorityAdjust(t, h, delta); drain(); }

/** Receives `a` at t on its socket; returns the verdict (also in `verdict`). */
export function feed(t: f64, a: Advert): i32 {
  before(t);
  const len = a.build();
  verdict = core.handleDatagram(t, a.sock, a.family, a.ttl, len);
  drain();
  return verdict;
}

/** Feeds raw bytes (IPv4 with header) of length len already placed in RX. */
export function feedRaw(t: f64, sock: i32, family: i32, ttl: i32, len: i32): i32 {
  before(t);
  verdict = core.handleDatagram(t, sock, family, ttl, len);
  drain();
  return verdict;
}

/** Forgets every router the helpers configured and everything drained; call in beforeEach. */
let resetting = false;

export function reset(): void {
  resetting = true;
  for (let k = 0; k < handles.length; k++) {
    core.shutdown(now, handles[k]);
    core.remove(handles[k]);
    drain(); // the contract: drain after every input
  }
  handles.length = 0;
  drain();
  log = [];
  head = 0;
  now = 0;
  deadline = Infinity;
  drained = 0;
  resetting = false;
  cur = router();
}

export function pending(): i32 { return log.length - head; }

/** The next unread output; fails the spec if there is none or it has another kind. */
export function next(kind: i32, what: string): Out {
  expect(pending() > 0).toBe(true, 'expected ' + what + ' but nothing more was output (t=' + now.toString() + ')');
  const r = log[head++];
  expect(r.kind).toBe(kind, 'expected ' + what + ', got output kind ' + r.kind.toString());
  return r;
}

/** The next transmit (of `handle`, or of any instance), passing over every other output before it. */
export function nextTx(handle: i32 = -1): Out {
  while (pending() > 0) {
    const r = log[head++];
    if (r.kind == abi.OUT_TRANSMIT && (handle < 0 || r.handle == handle)) return r;
  }
  expect(false).toBe(true, 'expected a transmit but nothing more was output (t=' + now.toString() + ')');
  return new Out();
}

/** Drops unread outputs (for specs that only care about what follows). */
export function skip(): void { head = log.length; }

/** Drops unread outputs up to and including the next one of `kind`. */
export function skipPast(kind: i32): Out {
  while (pending() > 0) {
    const r = log[head++];
    if (r.kind == kind) return r;
  }
  expect(false).toBe(true, 'no output of kind ' + kind.toString());
  return new Out();
}

export function expectState(from: i32, to: i32, why: i32, t: f64 = -1, h: i32 = -1): void {
  if (t >= 0 && pending() == 0) runUntil(t);
  const r = next(abi.OUT_STATE, 'state ' + from.toString() + '->' + to.toString());
  expect(r.a).toBe(from, 'state change from');
  expect(r.b).toBe(to, 'state change to');
  expect(r.c).toBe(why, 'state change reason');
  if (t >= 0) expect(r.at).toBe(t, 'state change time');
  expect(r.handle).toBe(h >= 0 ? h : cur.handle, 'state change handle');
}

/** What a transmit should hold; unset fields are not checked. The checksum is always checked. */
export class Tx {
  priority: i32 = -1;
  dest: string = '';
  peerIndex: i32 = -2;
  plainCs: bool = false;
  vipCount: i32 = -1;
  intervalField: i32 = -1;
  handle: i32 = -1;
  prio(p: i32): Tx { this.priority = p; return this; }
  to(d: string): Tx { this.dest = d; return this; }
  peer(k: i32): Tx { this.peerIndex = k; return this; }
  plain(): Tx { this.plainCs = true; return this; }
  count(n: i32): Tx { this.vipCount = n; return this; }
  interval(v: i32): Tx { this.intervalField = v; return this; }
  of(h: i32): Tx { this.handle = h; return this; }
}

export function tx(): Tx { return new Tx(); }

/** The next output is an advert sent at t (the clock is run to t first if nothing is pending). */
export function expectTx(t: f64, want: Tx = new Tx()): Out {
  if (pending() == 0) runUntil(t);
  const r = next(abi.OUT_TRANSMIT, 'transmit at ' + t.toString());
  lastTx = r;
  expect(r.at).toBe(t, 'transmit time');
  expect(r.handle).toBe(want.handle >= 0 ? want.handle : cur.handle, 'transmit handle');
  const m = changetype<usize>(r.bytes);
  const family = r.b;
  const alen = family == 4 ? 4 : 16;
  expect(r.bytes.length >= 8).toBe(true, 'transmit length');
  const ver = <i32>load<u8>(m) >> 4;
  expect(<i32>load<u8>(m) & 0xf).toBe(1, 'type advert');
  expect(r.bytes.length).toBe(8 + <i32>load<u8>(m + 3) * alen + (ver == 2 ? 8 : 0), 'length for count');
  if (want.priority >= 0) expect(<i32>load<u8>(m + 2)).toBe(want.priority, 'advert priority');
  if (want.vipCount >= 0) expect(<i32>load<u8>(m + 3)).toBe(want.vipCount, 'advert count');
  if (want.intervalField >= 0) {
    const iv = ver == 2 ? <i32>load<u8>(m + 5) : ((<i32>load<u8>(m + 4) << 8) | <i32>load<u8>(m + 5)) & 0xfff;
    expect(iv).toBe(want.intervalField, 'advert interval');
  }
  if (want.dest.length > 0) {
    expect(fmt(changetype<usize>(r.dst), alen)).toBe(fmt(changetype<usize>(addr(want.dest)), alen), 'destination');
  }
  if (want.peerIndex != -2) expect(r.d).toBe(want.peerIndex, 'peer index');
  const pseudo = ver == 3 && !(family == 4 && want.plainCs) ? 1 : 0;
  const cs = vrrpChecksum(m, r.bytes.length, pseudo, family, changetype<usize>(r.src), changetype<usize>(r.dst));
  const got = (<i32>load<u8>(m + 6) << 8) | <i32>load<u8>(m + 7);
  expect(got).toBe(<i32>cs, 'checksum (' + (pseudo ? 'pseudo-header' : 'message only') + ')');
  return r;
}

export function expectVipAdd(h: i32 = -1): void {
  const r = next(abi.OUT_VIP_ADD, 'VIP add');
  expect(r.handle).toBe(h >= 0 ? h : cur.handle, 'VIP add handle');
}

export function expectVipDel(h: i32 = -1): void {
  const r = next(abi.OUT_VIP_DEL, 'VIP del');
  expect(r.handle).toBe(h >= 0 ? h : cur.handle, 'VIP del handle');
}

export function expectAnnounce(rounds: i32, cause: i32, t: f64 = -1): void {
  if (t >= 0 && pending() == 0) runUntil(t);
  const r = next(abi.OUT_ANNOUNCE, 'announce');
  expect(r.a).toBe(rounds, 'announce rounds');
  expect(r.b).toBe(cause, 'announce cause');
  if (t >= 0) expect(r.at).toBe(t, 'announce time');
  expect(r.handle).toBe(cur.handle, 'announce handle');
}

export function expectPriority(from: i32, to: i32): void {
  const r = next(abi.OUT_PRIORITY, 'priority change');
  expect(r.a).toBe(from, 'old priority');
  expect(r.b).toBe(to, 'new priority');
}

export function expectRxLower(prio: i32, from: string): void {
  const r = next(abi.OUT_RX_LOWER, 'rx-lower');
  expect(r.a).toBe(prio, 'rx-lower priority');
  const alen = isV6(from) ? 16 : 4;
  expect(fmt(changetype<usize>(r.extra), alen)).toBe(fmt(changetype<usize>(addr(from)), alen), 'rx-lower sender');
}

export function expectNewMaster(prio: i32, address: string): void {
  const r = next(abi.OUT_NEW_MASTER, 'new master');
  expect(r.a).toBe(prio, 'new master priority');
  const alen = isV6(address) ? 16 : 4;
  expect(fmt(changetype<usize>(r.extra), alen)).toBe(fmt(changetype<usize>(addr(address)), alen), 'new master address');
}

/** Nothing unread now, and nothing happens up to and including t. */
export function expectNothing(t: f64): void {
  expectIdle();
  runUntil(t);
  if (pending() > 0) {
    const r = log[head];
    expect(pending()).toBe(0, 'unexpected output kind ' + r.kind.toString() + ' at ' + r.at.toString());
  }
}

/** No unread output. */
export function expectIdle(): void {
  if (pending() > 0) {
    const r = log[head];
    expect(pending()).toBe(0, 'unexpected output kind ' + r.kind.toString() + ' at ' + r.at.toString());
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reading state and counters

export function stat(k: i32, h: i32 = cur.handle): f64 {
  expect(core.stats(h)).toBe(0, 'stats of handle');
  return load<f64>(core.infoPtr() + (k << 3));
}

export function gstat(k: i32): f64 {
  core.globalStats();
  return load<f64>(core.infoPtr() + (k << 3));
}

export class Info {
  state: i32 = 0;
  eff: i32 = 0;
  base: i32 = 0;
  masterPrio: i32 = 0;
  ownCs: i32 = 0;
  masterCs: i32 = 0;
  nextAt: f64 = 0;
  masterDownAt: f64 = 0;
  mdiUs: f64 = 0;
  masterAddr: StaticArray<u8> = new StaticArray<u8>(16);
}

export function info(h: i32 = cur.handle): Info {
  expect(core.inspect(h)).toBe(0, 'inspect');
  const p = core.infoPtr();
  const i = new Info();
  i.state = load<i32>(p);
  i.eff = load<i32>(p + 4);
  i.base = load<i32>(p + 8);
  i.masterPrio = load<i32>(p + 12);
  i.ownCs = load<i32>(p + 16);
  i.masterCs = load<i32>(p + 20);
  i.nextAt = load<f64>(p + 32);
  i.masterDownAt = load<f64>(p + 40);
  i.mdiUs = load<f64>(p + 48);
  memory.copy(changetype<usize>(i.masterAddr), p + abi.INFO_MASTER_ADDR, 16);
  return i;
}

export function stateOf(h: i32 = cur.handle): i32 { return info(h).state; }

/** Takes a started backup (cur) to MASTER by letting its Master_Down_Timer run out; returns that time. */
export function becomeMaster(): f64 {
  const t = info().masterDownAt;
  runUntil(t);
  skip();
  expect(stateOf()).toBe(abi.STATE_MASTER, 'became master');
  return t;
}

/**
 * Puts a message with its addresses into RX as received: IPv4 gets a 20-byte header (TTL `ttl`), IPv6 the
 * addresses in RX[0,32). Returns the received length.
 */
export function wrap(family: i32, src: usize, dst: usize, msg: usize, len: i32, ttl: i32 = 255): i32 {
  const rx = core.rxPtr();
  if (family == 6) {
    memory.copy(rx, src, 16);
    memory.copy(rx + 16, dst, 16);
    memory.copy(rx + abi.ADDR_OFF, msg, len);
    return len;
  }
  const ip = rx + abi.ADDR_OFF;
  memory.fill(ip, 0, 20);
  const tot = 20 + len;
  store<u8>(ip, 0x45);
  store<u8>(ip + 2, <u8>(tot >> 8));
  store<u8>(ip + 3, <u8>tot);
  store<u8>(ip + 8, <u8>ttl);
  store<u8>(ip + 9, 112);
  memory.copy(ip + 12, src, 4);
  memory.copy(ip + 16, dst, 4);
  memory.copy(ip + 20, msg, len);
  return tot;
}

/** Puts a drained transmit back into RX as another node would receive it. */
export function wrapOut(o: Out, ttl: i32 = 255): i32 {
  return wrap(o.b, changetype<usize>(o.src), changetype<usize>(o.dst), changetype<usize>(o.bytes), o.bytes.length, ttl);
}

/** A host that wakes up at t (perhaps late): one handleTimeout(t), without running earlier deadlines on time. */
export function wake(t: f64): void {
  now = t;
  core.handleTimeout(t, 0);
  drain();
}

/** The next unread output, left unread. */
export function peek(): Out {
  expect(pending() > 0).toBe(true, 'peek: nothing unread');
  return log[head];
}
