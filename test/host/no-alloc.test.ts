// STYLE.md §2.4: the packet path and the timer path never allocate. The core is built with rtrace hooks
// (incremental runtime, ASC_RTRACE), and the allocation count must not move across 10 000 datagrams and
// 10 000 timeouts that drive every kind of state change; a configure() between the counts must move it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rtrace } from '@assemblyscript/rtrace';
import * as abi from '../../host/core/abi.ts';
import { addrBytes } from '../../host/core/addr.ts';
import { configRecord, type RawExports } from '../../host/core/raw.ts';
import { Core, type InstanceConfig, ipv4Wrap } from '../../host/core/wasm-core.ts';

const root = new URL('../../', import.meta.url).pathname;
let dir = '';
let wasm: Uint8Array<ArrayBuffer>;

before(() => {
  // A private build, so that this file does not race other builds of build/rtrace.wasm.
  dir = mkdtempSync(join(tmpdir(), 'vipd-rtrace-'));
  const out = join(dir, 'rtrace.wasm');
  const r = spawnSync('npx', ['asc', 'assembly/index.ts', '--target', 'rtrace', '--outFile', out], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `rtrace build failed: ${r.stderr}`);
  wasm = new Uint8Array(readFileSync(out));
});
after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

interface Traced { x: RawExports & { _start(): void }; rt: Rtrace; errors: string[] }

function instantiate(): Traced {
  let memory: WebAssembly.Memory | undefined;
  const errors: string[] = [];
  const rt = new Rtrace({ getMemory: () => memory!, onerror: (e) => { errors.push(e.message); }, oninfo: () => {} });
  const imports = rt.install({
    env: { abort: (_m: number, _f: number, line: number, col: number) => { throw new Error(`core abort at ${line}:${col}`); } },
  });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(wasm), imports as WebAssembly.Imports);
  const x = inst.exports as unknown as Traced['x'];
  memory = x.memory;
  x._start();
  return { x, rt, errors };
}

const V4 = (n: number) => `10.203.0.${n}`;
const V6 = (n: number) => `fd00:203::${n.toString(16)}`;
const garp = { garpMasterDelayUs: 30_000, garpMasterRefreshUs: 70_000, garpLowerPrioDelayUs: 20_000 };
const INSTANCES: InstanceConfig[] = [
  { socket: 0, version: 2, family: 4, vrid: 1, priority: 100, advertIntUs: 1e6, src: V4(1), vips: [V4(100)], authPass: 'pw', ...garp },
  { socket: 0, version: 3, family: 4, vrid: 2, priority: 150, advertIntUs: 10_000, src: V4(1), vips: [V4(101), V4(102)], syncGroup: 1, ...garp },
  { socket: 0, version: 3, family: 4, vrid: 3, priority: 100, advertIntUs: 20_000, src: V4(1), vips: [V4(103)], syncGroup: 1, v3ChecksumAsV2: true },
  { socket: 1, version: 3, family: 6, vrid: 1, priority: 120, advertIntUs: 10_000, src: 'fe80::1', vips: [V6(0x100)], preemptDelayUs: 30_000, ...garp },
  { socket: 1, version: 3, family: 6, vrid: 2, priority: 255, advertIntUs: 10_000, src: 'fe80::1', vips: [V6(0x101)] },
  { socket: 2, version: 3, family: 4, vrid: 1, priority: 110, advertIntUs: 10_000, src: V4(1), vips: [V4(104)], peers: [{ address: V4(2) }, { address: V4(3) }], ...garp },
  // AH: the HMAC on both paths, and the whole IPv4 packet the core builds
  { socket: 3, version: 2, family: 4, vrid: 1, priority: 100, advertIntUs: 1e6, src: V4(1), vips: [V4(105)], authAh: 'ahpw', ...garp },
  { socket: 4, version: 2, family: 4, vrid: 1, priority: 90, advertIntUs: 1e6, src: V4(1), vips: [V4(106)], authAh: 'ahpw', peers: [{ address: V4(2) }, { address: V4(3) }] },
];

/** Datagrams from a peer (10.203.0.2 / fe80::2): valid with high, low and zero priority, and broken ones. */
interface Dgram { sock: number; family: 4 | 6; ttl: number; bytes: Uint8Array; addrs: Uint8Array }

function datagrams(): Dgram[] {
  const core = new Core('release');
  const out: Dgram[] = [];
  for (const c of INSTANCES) {
    const peer = c.family === 4 ? V4(2) : 'fe80::2';
    const dst = c.peers ? c.src : c.family === 4 ? '224.0.0.18' : 'ff02::12';
    const addrs = new Uint8Array(32);
    addrs.set(addrBytes(peer), 0);
    addrs.set(addrBytes(dst), 16);
    for (const prio of [254, 200, 130, 50, 1, 0]) {
      const msg = core.encodeAdvert({ ...c, src: peer, group: dst, peers: c.authAh !== undefined && c.peers ? [{ address: dst }] : undefined, socket: 9, priority: prio });
      // An AH advert comes from the core as a whole IPv4 packet (each with the next sequence number).
      const bytes = c.family === 4 && c.authAh === undefined ? ipv4Wrap(msg, peer, dst, 255) : msg;
      out.push({ sock: c.socket, family: c.family, ttl: 255, bytes, addrs });
      const badSum = bytes.slice(); badSum[bytes.length - 1] ^= 0x40;
      out.push({ sock: c.socket, family: c.family, ttl: 255, bytes: badSum, addrs });
      out.push({ sock: c.socket, family: c.family, ttl: c.family === 4 ? 255 : 64, bytes: c.family === 4 ? (() => { const b = bytes.slice(); b[8] = 64; return b; })() : bytes, addrs });
      out.push({ sock: c.socket, family: c.family, ttl: 255, bytes: bytes.subarray(0, bytes.length - 3), addrs });
      out.push({ sock: 7, family: c.family, ttl: 255, bytes, addrs }); // unknown socket
    }
  }
  return out;
}

/** Feeds and drains; counts outputs by kind. */
class Driver {
  readonly kinds = new Map<number, number>();
  deadline = Infinity;
  constructor(readonly t: Traced) {}
  private u8() { return new Uint8Array(this.t.x.memory.buffer); }
  drain(): void {
    const x = this.t.x;
    for (let guard = 0; ; guard++) {
      const k = x.pollOutput();
      if (k === abi.OUT_TIMEOUT) {
        this.deadline = new DataView(x.memory.buffer).getFloat64(x.outPtr() + 24, true);
        return;
      }
      this.kinds.set(k, (this.kinds.get(k) ?? 0) + 1);
      assert.ok(guard < 100_000);
    }
  }
  configure(h: number, c: InstanceConfig): void {
    const rec = configRecord(c);
    this.u8().set(rec, this.t.x.cfgPtr());
    assert.equal(this.t.x.configure(h, rec.length), 0);
  }
  feed(now: number, d: Dgram): number {
    const x = this.t.x;
    const u8 = this.u8();
    const rx = x.rxPtr();
    u8.set(d.addrs, rx);
    u8.set(d.bytes, rx + abi.ADDR_OFF);
    const v = x.handleDatagram(now, d.sock, d.family, d.ttl, d.bytes.length);
    this.drain();
    return v;
  }
}

function setUp(): { d: Driver; now: number } {
  const t = instantiate();
  const d = new Driver(t);
  INSTANCES.forEach((c, h) => d.configure(h, c));
  let now = 1_000_000;
  INSTANCES.forEach((_, h) => { t.x.start(now, h); d.drain(); });
  now += 1;
  return { d, now };
}

/** 10 000 datagrams and 10 000 timeouts, with tracker priority changes and faults in between. */
function workload(d: Driver, now: number, DGRAMS: Dgram[], between?: (k: number) => void): { now: number; verdicts: Map<number, number> } {
  const x = d.t.x;
  const verdicts = new Map<number, number>();
  let s = 12345;
  const rnd = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s >>> 8; };
  for (let k = 0; k < 10_000; k++) {
    now += 1 + (rnd() % 4000);
    const v = d.feed(now, DGRAMS[rnd() % DGRAMS.length]);
    verdicts.set(v, (verdicts.get(v) ?? 0) + 1);
    // Jump to the next deadline so that every timeout has work: master-down, adverts, GARP bursts, refresh.
    if (Number.isFinite(d.deadline) && d.deadline > now) now = d.deadline;
    x.handleTimeout(now, 0);
    d.drain();
    if (k % 97 === 0) { x.setPriorityAdjust(now, rnd() % INSTANCES.length, (rnd() % 120) - 60); d.drain(); }
    if (k % 211 === 0) { x.setFault(now, rnd() % INSTANCES.length, (k / 211) % 2 === 0 ? 1 : 0); d.drain(); }
    between?.(k);
  }
  for (let h = 0; h < INSTANCES.length; h++) { x.setFault(now, h, 0); d.drain(); }
  return { now, verdicts };
}

test('10 000 datagrams and 10 000 timeouts allocate nothing, while every kind of state change happens', () => {
  const { d, now } = setUp();
  const DGRAMS = datagrams();
  const rt = d.t.rt;
  const allocs = rt.allocCount, resizes = rt.resizeCount, moves = rt.moveCount, frees = rt.freeCount;
  assert.ok(allocs > 0, 'rtrace sees the allocations configure() makes (else this test proves nothing)');
  const { verdicts } = workload(d, now, DGRAMS);
  assert.equal(rt.allocCount - allocs, 0, 'allocations on the packet and timeout paths');
  assert.equal(rt.resizeCount - resizes, 0, 'reallocations');
  assert.equal(rt.moveCount - moves, 0, 'moves');
  assert.equal(rt.freeCount - frees, 0, 'frees');
  assert.deepEqual(d.t.errors, []);
  console.log(`# outputs by kind ${JSON.stringify([...d.kinds])}, verdicts ${JSON.stringify([...verdicts])}, allocs during configure ${allocs}`);
  // The workload did what it claims: accepted and rejected adverts, state changes, adverts, GARP, priority.
  assert.ok((verdicts.get(abi.RX_OK) ?? 0) > 500, `accepted ${verdicts.get(abi.RX_OK)}`);
  assert.ok((verdicts.get(abi.RX_BAD_CHECKSUM) ?? 0) > 500);
  assert.ok((verdicts.get(abi.RX_UNKNOWN_VRID) ?? 0) > 500);
  assert.ok((verdicts.get(abi.RX_AH_REPLAY) ?? 0) > 100 && (verdicts.get(abi.RX_AH_BAD_ICV) ?? 0) > 100, `AH refusals ${verdicts.get(abi.RX_AH_REPLAY)} / ${verdicts.get(abi.RX_AH_BAD_ICV)}`);
  for (const [kind, least] of [[abi.OUT_STATE, 200], [abi.OUT_TRANSMIT, 5000], [abi.OUT_ANNOUNCE, 200], [abi.OUT_VIP_ADD, 100],
    [abi.OUT_VIP_DEL, 100], [abi.OUT_PRIORITY, 50], [abi.OUT_NEW_MASTER, 100], [abi.OUT_RX_LOWER, 50]] as const) {
    assert.ok((d.kinds.get(kind) ?? 0) >= least, `output kind ${kind}: ${d.kinds.get(kind) ?? 0} < ${least}`);
  }
});

test('the same measurement fails when configure() runs between the counts', () => {
  const { d, now } = setUp();
  const DGRAMS = datagrams();
  const allocs = d.t.rt.allocCount;
  workload(d, now, DGRAMS, (k) => { if (k === 5000) d.configure(1, { ...INSTANCES[1], vips: [V4(101), V4(102), V4(109)] }); });
  assert.ok(d.t.rt.allocCount - allocs > 0, 'a reconfiguration allocates, and rtrace counted it');
});
