// What the core costs: ns per received advert (decode, validation, state update; also with AH) and µs per timer
// tick with 10 000 instances at advert_int 0.01 s (v3), and per AH advert sent. Release build. Not a test: prints a Markdown table and JSON,
// and writes bench/results/core.json.
// Run: node --import tsx bench/core.bench.ts
import { cpus } from 'node:os';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import * as abi from '../host/core/abi.ts';
import { addrBytes } from '../host/core/addr.ts';
import { rawOf } from '../host/core/raw.ts';
import { Core, type InstanceConfig, ipv4Wrap, wasmPath } from '../host/core/wasm-core.ts';

const RUNS = 7;
const ADVERTS = 1_000_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ns = () => Number(process.hrtime.bigint());

interface RxCase { name: string; config: InstanceConfig; peer: string; dst: string }
const V4 = (n: number) => `10.203.0.${n}`;
const CASES: RxCase[] = [
  { name: 'v2 IPv4, 1 VIP, auth PASS', peer: V4(2), dst: '224.0.0.18',
    config: { socket: 0, version: 2, family: 4, vrid: 1, priority: 100, advertIntUs: 1e6, src: V4(1), vips: [V4(100)], authPass: 'secret' } },
  { name: 'v3 IPv4, 1 VIP', peer: V4(2), dst: '224.0.0.18',
    config: { socket: 0, version: 3, family: 4, vrid: 2, priority: 100, advertIntUs: 1e6, src: V4(1), vips: [V4(101)] } },
  { name: 'v3 IPv4, 20 VIPs', peer: V4(2), dst: '224.0.0.18',
    config: { socket: 0, version: 3, family: 4, vrid: 3, priority: 100, advertIntUs: 1e6, src: V4(1), vips: Array.from({ length: 20 }, (_, k) => V4(110 + k)) } },
  { name: 'v3 IPv6, 2 VIPs', peer: 'fe80::2', dst: 'ff02::12',
    config: { socket: 1, version: 3, family: 6, vrid: 1, priority: 100, advertIntUs: 1e6, src: 'fe80::1', vips: ['fd00:203::100', 'fd00:203::101'] } },
];

/**
 * A backup hearing its master (priority 200 > 100): every advert passes every check and restarts
 * Master_Down_Timer, and there are no outputs beyond the final timeout — the steady state of a backup.
 */
function rxBench(c: RxCase): { typedNs: number; rawNs: number } {
  const core = new Core('release');
  core.configure(0, c.config);
  let now = 1_000_000;
  core.start(now, 0);
  core.drain();
  const msg = core.encodeAdvert({ ...c.config, src: c.peer, group: c.dst, socket: 9, priority: 200 });
  const fam = c.config.family;
  const bytes = fam === 4 ? ipv4Wrap(msg, c.peer, c.dst, 255) : msg;
  const addrs = new Uint8Array(32);
  addrs.set(addrBytes(c.peer), 0);
  addrs.set(addrBytes(c.dst), 16);
  const sock = c.config.socket;
  const x = rawOf(core);

  // Typed binding, the daemon's fast path: copy the datagram in, feed, poll kinds until the timeout.
  const typed = (): number => {
    const t0 = ns();
    for (let k = 0; k < ADVERTS; k++) {
      now += 1;
      if (core.feed(now, sock, fam, 255, bytes, 0, bytes.length, addrs) !== 0) throw new Error('advert refused');
      while (core.pollKind() !== abi.OUT_TIMEOUT);
    }
    return (ns() - t0) / ADVERTS;
  };
  // Raw exports with RX filled once: what the core itself costs per advert.
  const raw = (): number => {
    const u8 = new Uint8Array(x.memory.buffer);
    u8.set(addrs, x.rxPtr());
    u8.set(bytes, x.rxPtr() + abi.ADDR_OFF);
    const len = bytes.length;
    const t0 = ns();
    for (let k = 0; k < ADVERTS; k++) {
      now += 1;
      if (x.handleDatagram(now, sock, fam, 255, len) !== 0) throw new Error('advert refused');
      while (x.pollOutput() !== abi.OUT_TIMEOUT);
    }
    return (ns() - t0) / ADVERTS;
  };
  typed(); raw(); // warm-up (JIT, tier-up of the wasm)
  const t: number[] = [], r: number[] = [];
  for (let k = 0; k < RUNS; k++) { t.push(typed()); r.push(raw()); }
  const st = core.stats(0);
  if (st.advert_rcvd < ADVERTS * (2 * RUNS + 2) || st.become_master !== 0) throw new Error('the bench did not measure what it claims');
  return { typedNs: median(t), rawNs: median(r) };
}

/**
 * keepalived's AH (auth_type AH, v2 IPv4, 1 VIP): a backup hearing its master, as rxBench, but every advert needs a
 * sequence number above the last, so the master's packets are made beforehand in chunks (by the core's own encoder,
 * which numbers them) and only feeding is timed. Typed: core.feed() copies each packet in. Raw: the packets differ
 * only in IP ID, sequence number and ICV, so those 18 bytes are copied into RX before each handleDatagram().
 */
function ahRxBench(): { typedNs: number; rawNs: number } {
  const PER_RUN = 200_000;
  const CHUNK = 10_000;
  const cfg: InstanceConfig = { socket: 0, version: 2, family: 4, vrid: 4, priority: 100, advertIntUs: 1e6, src: V4(1), vips: [V4(140)], authAh: 'secret' };
  const core = new Core('release');
  core.configure(0, cfg);
  let now = 1_000_000;
  core.start(now, 0);
  core.drain();
  const maker = new Core('release');
  const len = maker.encodeAdvert({ ...cfg, src: V4(2), socket: 9, priority: 200 }).length;
  const chunk = new Uint8Array(CHUNK * len);
  const fill = () => {
    for (let k = 0; k < CHUNK; k++) chunk.set(maker.encodeAdvert({ ...cfg, src: V4(2), socket: 9, priority: 200 }), k * len);
  };
  const x = rawOf(core);
  const one = (typed: boolean): number => {
    let spent = 0;
    for (let done = 0; done < PER_RUN; done += CHUNK) {
      fill();
      const u8 = new Uint8Array(x.memory.buffer);
      const at = x.rxPtr() + abi.ADDR_OFF;
      if (!typed) u8.set(chunk.subarray(0, len), at);
      const t0 = ns();
      for (let k = 0; k < CHUNK; k++) {
        now += 1;
        let v: number;
        if (typed) {
          v = core.feed(now, 0, 4, 255, chunk, k * len, len);
          while (core.pollKind() !== abi.OUT_TIMEOUT);
        } else {
          const o = k * len;
          u8[at + 4] = chunk[o + 4];
          u8[at + 5] = chunk[o + 5];
          for (let i = 28; i < 44; i++) u8[at + i] = chunk[o + i];
          v = x.handleDatagram(now, 0, 4, 255, len);
          while (x.pollOutput() !== abi.OUT_TIMEOUT);
        }
        if (v !== 0) throw new Error(`AH advert refused: ${v}`);
      }
      spent += ns() - t0;
    }
    return spent / PER_RUN;
  };
  one(true); one(false);
  const t: number[] = [], r: number[] = [];
  for (let k = 0; k < RUNS; k++) { t.push(one(true)); r.push(one(false)); }
  const st = core.stats(0);
  if (st.advert_rcvd !== PER_RUN * (2 * RUNS + 2) || st.auth_failure !== 0) throw new Error('the AH bench did not measure what it claims');
  return { typedNs: median(t), rawNs: median(r) };
}

/** 10 000 AH masters (v2, 1 s): what building and signing an advert costs on the timer path, µs per advert. */
function ahTxBench(): number {
  const N = 10_000;
  const core = new Core('release');
  for (let h = 0; h < N; h++) {
    core.configure(h, {
      socket: Math.floor(h / 250), version: 2, family: 4, vrid: 1 + (h % 250), priority: 255, advertIntUs: 1e6,
      src: V4(1), vips: [`10.203.${1 + Math.floor(h / 250)}.${1 + (h % 250)}`], garpMasterDelayUs: 0, authAh: 'secret',
    });
  }
  const x = rawOf(core);
  let now = 1_000_000;
  for (let h = 0; h < N; h++) {
    x.start(now + h * 50, h);
    while (x.pollOutput() !== abi.OUT_TIMEOUT);
  }
  const outT = () => new DataView(x.memory.buffer).getFloat64(x.outPtr() + 24, true);
  const run = (seconds: number) => {
    const end = now + seconds * 1e6;
    let adverts = 0;
    let deadline = x.nextDeadline();
    const t0 = ns();
    while (deadline <= end) {
      now = Math.max(deadline, now + 1000);
      x.handleTimeout(now, 0);
      for (;;) {
        const k = x.pollOutput();
        if (k === abi.OUT_TIMEOUT) break;
        if (k === abi.OUT_TRANSMIT) adverts++;
      }
      deadline = outT();
    }
    return { elapsedNs: ns() - t0, adverts };
  };
  run(2);
  const r = run(20);
  if (Math.abs(r.adverts - N * 20) > N * 0.2) throw new Error(`expected ~${N * 20} AH adverts, sent ${r.adverts}`);
  return r.elapsedNs / 1000 / r.adverts;
}

interface TickResult { mode: string; usPerInstanceTick: number; cpuMsPerSimSecond: number; adverts: number; handleTimeoutCalls: number }

/**
 * 10 000 owners (priority 255, so all MASTER) at advert_int 10 ms, started 1 µs apart: one simulated second
 * is 1 000 000 adverts. `coalesceUs` 0 wakes at every deadline (one instance per call, the worst case); 1000
 * wakes once a millisecond, as a host timer would, and drains ~10 000 adverts per wake.
 */
function tickBench(coalesceUs: number, simSeconds: number): TickResult {
  const N = 10_000;
  const core = new Core('release');
  for (let h = 0; h < N; h++) {
    core.configure(h, {
      socket: Math.floor(h / 250), version: 3, family: 4, vrid: 1 + (h % 250), priority: 255, advertIntUs: 10_000,
      src: V4(1), vips: [`10.203.${1 + Math.floor(h / 250)}.${1 + (h % 250)}`], garpMasterDelayUs: 0,
    });
  }
  const x = rawOf(core);
  let now = 1_000_000;
  for (let h = 0; h < N; h++) {
    x.start(now + h, h);
    while (x.pollOutput() !== abi.OUT_TIMEOUT);
  }
  const outT = () => new DataView(x.memory.buffer).getFloat64(x.outPtr() + 24, true);
  const run = (seconds: number) => {
    const end = now + seconds * 1e6;
    let adverts = 0, calls = 0;
    let deadline = x.nextDeadline();
    const t0 = ns();
    while (deadline <= end) {
      now = coalesceUs > 0 ? Math.max(deadline, now + coalesceUs) : deadline;
      x.handleTimeout(now, 0);
      calls++;
      for (;;) {
        const k = x.pollOutput();
        if (k === abi.OUT_TIMEOUT) break;
        if (k === abi.OUT_TRANSMIT) adverts++;
      }
      deadline = outT();
    }
    return { elapsedNs: ns() - t0, adverts, calls };
  };
  run(0.5); // warm-up, past the start-up bursts
  const r = run(simSeconds);
  const expected = N * simSeconds * 100;
  if (Math.abs(r.adverts - expected) > expected * 0.01) throw new Error(`expected ~${expected} adverts, sent ${r.adverts}`);
  return {
    mode: coalesceUs > 0 ? `wake every ${coalesceUs / 1000} ms` : 'wake at every deadline',
    usPerInstanceTick: r.elapsedNs / 1000 / r.adverts,
    cpuMsPerSimSecond: r.elapsedNs / 1e6 / simSeconds,
    adverts: r.adverts,
    handleTimeoutCalls: r.calls,
  };
}

const rx = [...CASES.map((c) => ({ case: c.name, ...rxBench(c) })), { case: 'v2 IPv4, 1 VIP, auth AH (HMAC-MD5-96)', ...ahRxBench() }];
const ticks = [tickBench(0, 2), tickBench(1000, 2)];
const ahTxUs = ahTxBench();
const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  wasmBytes: statSync(wasmPath('release')).size,
  advertsPerRun: ADVERTS,
  runs: RUNS,
  targetNsPerAdvert: 150,
  receive: rx.map((r) => ({ case: r.case, typedNs: +r.typedNs.toFixed(1), rawNs: +r.rawNs.toFixed(1) })),
  timerTick10k: ticks.map((t) => ({ ...t, usPerInstanceTick: +t.usPerInstanceTick.toFixed(3), cpuMsPerSimSecond: +t.cpuMsPerSimSecond.toFixed(1) })),
  ahMasterUsPerAdvert: +ahTxUs.toFixed(3),
};

const lines = [
  `Core benchmark — release build (${result.wasmBytes} bytes), Node ${result.node}, ${result.cpu}; median of ${RUNS} runs`,
  '',
  '| received advert (backup hearing its master) | typed binding (feed + pollKind), ns | raw exports, RX pre-filled, ns |',
  '|---|---:|---:|',
  ...result.receive.map((r) => `| ${r.case} | ${r.typedNs} | ${r.rawNs} |`),
  '',
  '| 10 000 masters, v3, advert_int 0.01 s | µs per instance per tick (handleTimeout + drain) | CPU ms per simulated second | handleTimeout calls / s |',
  '|---|---:|---:|---:|',
  ...result.timerTick10k.map((t) => `| ${t.mode} | ${t.usPerInstanceTick} | ${t.cpuMsPerSimSecond} | ${Math.round(t.handleTimeoutCalls / 2)} |`),
  '',
  `10 000 AH masters (v2, 1 s, woken every ms): ${result.ahMasterUsPerAdvert} µs per advert built, signed and drained`,
];
console.log(lines.join('\n'));
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/core.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
console.log('\n' + JSON.stringify(result));
