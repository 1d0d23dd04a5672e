// The two fuzz targets: the engine's receive path (datagrams, with time passing, into a core whose instances run in
// every state) and the configuration loader (text through lexer, parser and cross-checks).
import * as abi from '../../../host/core/abi.ts';
import { RX_NAMES } from '../../../host/core/names.ts';
import { type Build, Core, type InstanceConfig, coreModule, ipv4Wrap } from '../../../host/core/wasm-core.ts';
import { fixedSystem, loadConfig, memoryFs } from '../../../host/config/index.ts';
import { MUTATIONS, generate } from '../../fixtures/config/generator.ts';
import type { Rng } from '../../../host/sim/prng.ts';
import type { Target } from './fuzz.ts';
import { writeFileSync } from 'node:fs';

const int = (r: Rng, n: number) => Math.floor(r.next() * n);
const pickOf = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)];

// ---------------------------------------------------------------------------------------------------------------
// Engine

export interface Datagram {
  sock: number;
  family: 4 | 6;
  ttl: number;
  bytes: Uint8Array;
  /** IPv6: source and destination (IPv4 takes them from its header). */
  src: string;
  dst: string;
  /** Time that passes before the datagram, µs. */
  dtUs: number;
  /** Recompute the VRRP checksum before sending (so mutations reach the checks after #11). */
  fix: boolean;
}

const V4 = (n: number) => `10.203.0.${n}`;
const V6 = (n: number) => `fd00:203::${n.toString(16)}`;
const b4 = { version: 3 as const, family: 4 as const, advertIntUs: 100_000, src: V4(1), fastPreempt: true };
const b6 = { version: 3 as const, family: 6 as const, advertIntUs: 100_000, src: 'fe80::1', fastPreempt: true };

/** Both versions and families, auth, unicast with TTL limits, an owner, nopreempt, a sync group, one held in FAULT. */
export const ENGINE_INSTANCES: InstanceConfig[] = [
  { ...b4, socket: 0, vrid: 1, version: 2, advertIntUs: 1e6, priority: 100, authPass: 'secret', vips: [V4(100), V4(101)] },
  { ...b4, socket: 0, vrid: 2, priority: 150, vips: [V4(102)], syncGroup: 1 },
  { ...b4, socket: 0, vrid: 3, priority: 90, vips: [V4(103), V4(104)], v3ChecksumAsV2: true, syncGroup: 1 },
  { ...b4, socket: 0, vrid: 4, priority: 100, vips: [V4(106)] },
  { ...b6, socket: 1, vrid: 1, priority: 100, vips: [V6(0x100), V6(0x101)] },
  { ...b6, socket: 1, vrid: 2, priority: 255, vips: [V6(0x102)], ownerIgnoreAdverts: true },
  { ...b6, socket: 1, vrid: 3, priority: 200, vips: [V6(0x103)], nopreempt: true, higherPrioSendAdvert: true },
  { ...b4, socket: 2, vrid: 1, priority: 120, vips: [V4(107)], peers: [{ address: V4(2), minTtl: 250, maxTtl: 255 }, { address: V4(3) }], checkUnicastSrc: true },
  { ...b4, socket: 0, vrid: 5, version: 2, advertIntUs: 1e6, priority: 254, vips: [], preemptDelayUs: 100_000, lowerPrioNoAdvert: true },
];
const FAULTED = 3;

function sum16(b: Uint8Array, from: number, to: number, acc = 0): number {
  for (let i = from; i + 1 < to; i += 2) acc += (b[i] << 8) | b[i + 1];
  if ((to - from) & 1) acc += b[to - 1] << 8;
  return acc;
}

/** Where the VRRP message sits and how long it is (IPv4: after the header, within the total length). */
function message(d: Datagram): { off: number; len: number } {
  if (d.family === 6) return { off: 0, len: d.bytes.length };
  if (d.bytes.length < 20) return { off: d.bytes.length, len: 0 };
  const off = Math.min(d.bytes.length, (d.bytes[0] & 0xf) * 4);
  const total = (d.bytes[2] << 8) | d.bytes[3];
  return { off, len: Math.max(0, Math.min(d.bytes.length, total) - off) };
}

function fixChecksum(d: Datagram): Uint8Array {
  const b = Uint8Array.from(d.bytes);
  const { off, len } = message({ ...d, bytes: b });
  if (len < 8) return b;
  b[off + 6] = 0; b[off + 7] = 0;
  let acc = 0;
  if (b[off] >> 4 === 3) {
    if (d.family === 4 && b.length >= 20) acc = sum16(b, 12, 20) + 112 + len;
    else if (d.family === 6) acc = sum16(addr6(d.src), 0, 16) + sum16(addr6(d.dst), 0, 16) + 112 + len;
  }
  acc = sum16(b, off, off + len, acc);
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  const c = ~acc & 0xffff;
  b[off + 6] = c >> 8; b[off + 7] = c & 0xff;
  return b;
}

function addr6(s: string): Uint8Array {
  const [head, tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => { const v = parseInt(g, 16) || 0; out[2 * i] = v >> 8; out[2 * i + 1] = v & 0xff; });
  return out;
}

const INTERESTING = [0, 1, 2, 3, 4, 0x7f, 0x80, 0xfe, 0xff, 0x10, 0x20, 0x21, 0x31, 0x32, 0x41, 100, 150, 255];

export function engineTarget(build: Build = 'release', resetEvery = 20_000): Target<Datagram> {
  const mod = coreModule(build);
  let core!: Core;
  let now = 0;
  let deadline = Infinity;
  let execs = 0;
  let prev = 0;
  const byVrid = new Map<string, number>();
  ENGINE_INSTANCES.forEach((c, h) => byVrid.set(`${c.socket}|${c.vrid}`, h));
  const fresh = () => {
    core = new Core(build, mod);
    now = 1_000_000;
    ENGINE_INSTANCES.forEach((c, h) => core.configure(h, c));
    ENGINE_INSTANCES.forEach((_, h) => { core.start(now, h); deadline = core.drain().deadline; });
    core.setFault(now, FAULTED, true);
    deadline = core.drain().deadline;
  };
  fresh();

  const seeds = (): Datagram[] => ENGINE_INSTANCES.flatMap((c) => {
    const peer = c.family === 4 ? V4(2) : 'fe80::2';
    const dst = c.peers ? c.src : c.family === 4 ? '224.0.0.18' : 'ff02::12';
    return [50, 100, 255].map((priority) => {
      const msg = core.encodeAdvert({ ...c, src: peer, group: dst, peers: undefined, socket: 9, priority });
      const bytes = c.family === 4 ? ipv4Wrap(msg, peer, dst, 255) : msg;
      return { sock: c.socket, family: c.family, ttl: 255, bytes, src: peer, dst, dtUs: 20_000, fix: false };
    });
  });

  const mutate = (x: Datagram, r: Rng, other: Datagram): Datagram => {
    const b = Array.from(x.bytes);
    const y: Datagram = { ...x };
    const { off } = message(x);
    const at = () => int(r, Math.max(1, b.length));
    switch (int(r, 14)) {
      case 0: if (b.length) b[at()] ^= 1 << int(r, 8); break;
      case 1: if (b.length) b[at()] = pickOf(r, INTERESTING); break;
      case 2: b.splice(at(), 0, ...Array.from({ length: 1 + int(r, 8) }, () => int(r, 256))); break;
      case 3: b.splice(at(), 1 + int(r, 8)); break;
      case 4: { const o = Array.from(other.bytes); const s = int(r, o.length + 1); b.splice(at(), 0, ...o.slice(s, s + 1 + int(r, 16))); break; }
      case 5: y.ttl = pickOf(r, [255, 254, 1, 0, 64, 250]); break;
      case 6: y.dtUs = pickOf(r, [0, 1000, 50_000, 100_000, 350_000, 400_000, 1_000_000, 3_700_000]); break;
      case 7: y.fix = !y.fix; break;
      // Field-aware: the VRRP header's own bytes.
      case 8: if (b.length > off + 1) b[off + 1] = pickOf(r, [1, 2, 3, 4, 5, 0, 255]); break; // VRID
      case 9: if (b.length > off + 2) b[off + 2] = pickOf(r, [0, 1, 50, 100, 150, 200, 254, 255]); break; // priority
      case 10: if (b.length > off + 3) b[off + 3] = int(r, 6); break; // count
      case 11: if (b.length > off) b[off] = pickOf(r, [0x21, 0x31, 0x22, 0x32, 0x41, 0x11, 0x20]); break; // version/type
      case 12: if (b.length > off + 5) { b[off + 4] = pickOf(r, [0, 1, 2, 5]); b[off + 5] = pickOf(r, [0, 1, 10, 100, 255]); } break; // interval / auth
      case 13: y.sock = x.family === 4 ? pickOf(r, [0, 2]) : 1; break;
    }
    y.bytes = Uint8Array.from(b.slice(0, abi.RX_CAP));
    return y;
  };

  const run = (d: Datagram): string[] => {
    if (++execs % resetEvery === 0) fresh();
    const f: string[] = [];
    now += d.dtUs;
    if (now >= deadline) {
      core.handleTimeout(now);
      const out = core.drain();
      deadline = out.deadline;
      for (const o of out.outputs) if (o.kind === 'state') f.push(`t:${o.from}>${o.to}:${o.reason}`);
    }
    const bytes = d.fix ? fixChecksum(d) : d.bytes;
    const { off } = message({ ...d, bytes });
    const h = byVrid.get(`${d.sock}|${bytes[off + 1]}`);
    const before = h === undefined ? 'none' : core.inspect(h).state;
    const v = core.handleDatagram(now, d.sock, d.family, d.ttl, bytes, d.family === 6 ? d.src : undefined, d.family === 6 ? d.dst : undefined);
    if (!(v in RX_NAMES)) throw new Error(`verdict ${v} is not a known verdict`);
    const out = core.drain();
    deadline = out.deadline;
    f.push(`v:${RX_NAMES[v]}`, `v:${RX_NAMES[v]}@${before}`, `e:${RX_NAMES[prev]}>${RX_NAMES[v]}`);
    prev = v;
    for (const o of out.outputs) {
      f.push(`o:${o.kind}`);
      if (o.kind === 'state') {
        if (v !== abi.RX_OK) throw new Error(`state change ${o.from}>${o.to} (${o.reason}) after a datagram with verdict ${RX_NAMES[v]}`);
        f.push(`t:${o.from}>${o.to}:${o.reason}`);
      }
      if ((o.kind === 'vip-add' || o.kind === 'vip-del') && v !== abi.RX_OK) throw new Error(`${o.kind} after verdict ${RX_NAMES[v]}`);
      if (o.kind === 'transmit') {
        const c = ENGINE_INSTANCES[o.handle];
        const dec = core.decodeAdvert(o.bytes, { family: o.family, src: o.src, dst: o.dst, ttl: 255, preferPlain: c.v3ChecksumAsV2 });
        if (!dec.valid) throw new Error(`instance ${o.handle} transmitted an advert its own decoder rejects: ${dec.reason}`);
      }
    }
    return f;
  };

  const show = (d: Datagram) => `sock ${d.sock} v${d.family} ttl ${d.ttl} dt ${d.dtUs} fix ${d.fix} ${Buffer.from(d.bytes).toString('hex')}`;
  return { name: `engine receive path (${build})`, seeds, mutate, run, show };
}

// ---------------------------------------------------------------------------------------------------------------
// Config loader

const PIECES = ['{', '}', '"', "'", '\\', '#', '!', '$', '${X}', '$X=1', '@', '@^x ', '~SEQ(i,1,1,3) ', '~LST(a,b) ', 'include x\n',
  '\n', ' ', '/', '::', '0', '-1', '255', '256', '4294967296', '0.001', '1e3', '10.0.0.1/33', 'fe80::1', 'eth0', 'eth9',
  'vrrp_instance V {\n', 'virtual_ipaddress {\n', 'track_script {\n', 'vrrp_script s {\n', 'vrrp_sync_group G {\n',
  'global_defs {\n', 'unicast_peer {\n', 'authentication {\n', 'auth_type AH\n', 'state MASTER\n', 'nopreempt\n',
  'advert_int 0.5\n', 'version 2\n', 'priority 255\n', 'virtual_router_id 0\n', 'interface lo\n', 'use_vmac\n',
  'notify_master "/bin/true"\n', 'vrrp_strict\n', 'enable_script_security\n', 'script_user nobody\n', 'dev eth1 label x\n'];

/**
 * A message's shape: quoted text, numbers, odd tokens, and any word echoed from the input that is not a known
 * keyword are folded, so that "unknown keyword 'vrrp_instanceX'" and "... 'vrrp_instanceY'" are one feature.
 */
function template(s: string, input: string, known: Set<string>): string {
  return s.replace(/'[^']*'|"[^"]*"|`[^`]*`/g, 'Q').split(/\s+/).map((t) => {
    const core = t.replace(/^[^\w]+|[^\w]+$/g, '');
    if (/[^A-Za-z_]/.test(core)) return 'W';
    return core && input.includes(core) && !known.has(core) ? 'W' : t;
  }).join(' ').slice(0, 100);
}
const KEYWORD = /^[a-z][a-z0-9_]{1,40}$/;

export function configTarget(): Target<string> {
  const sys = fixedSystem(['lo', 'eth0', 'eth1']);
  const path = '/f/k.conf';
  const seeds = () => MUTATIONS.map((m, i) => generate(1000 + i, m));
  // Keywords count as features only if the seeds or the pieces use them, not every word a mutation invents.
  const seedWords = new Set([...seeds(), ...PIECES].flatMap((t) => t.split(/\s+/)).filter((w) => KEYWORD.test(w)));
  const mutate = (s: string, r: Rng, other: string): string => {
    const lines = s.split('\n');
    const at = int(r, s.length + 1);
    switch (int(r, 8)) {
      case 0: case 1: return s.slice(0, at) + pickOf(r, PIECES) + s.slice(at);
      case 2: return s.slice(0, at) + s.slice(at + 1 + int(r, 12));
      case 3: { const k = int(r, lines.length); lines.splice(k, 0, lines[int(r, lines.length)]); return lines.join('\n'); }
      case 4: { lines.splice(int(r, lines.length), 1); return lines.join('\n'); }
      case 5: { const o = other.split('\n'); const k = int(r, o.length); lines.splice(int(r, lines.length + 1), 0, ...o.slice(k, k + 1 + int(r, 6))); return lines.join('\n'); }
      case 6: return s.replace(/\d+/, () => pickOf(r, ['0', '1', '255', '256', '-1', '65535', '4294967296', '0.01', '99999999999999999999']));
      default: return s.slice(0, at) + String.fromCharCode(int(r, 128)) + s.slice(at + 1);
    }
  };
  const run = (text: string): string[] => {
    if (process.env.VIPD_FUZZ_LAST) writeFileSync(process.env.VIPD_FUZZ_LAST, text);
    const t0 = performance.now();
    // The line cap is lowered for the fuzz so that its 2 s bound checks the work per line; the default cap
    // (250 000 lines) has its own test (test/host/config-limits.test.ts).
    const res = loadConfig(path, { fs: memoryFs({ [path]: text }), system: sys, configId: 'x', env: {}, random: () => 0.5, maxLines: 20_000 });
    const ms = performance.now() - t0;
    if (ms > 2000) throw new Error(`loader took ${ms.toFixed(0)} ms`);
    const lines = text.split('\n').length;
    const f = [`exit:${res.exitCode}`, `instances:${Math.min(3, res.config.instances.length)}`];
    for (const d of res.diagnostics) {
      if (!d.file || !Number.isInteger(d.line) || !Number.isInteger(d.col) || d.line < 0 || d.col < 0) {
        throw new Error(`diagnostic without a position: ${JSON.stringify(d)}`);
      }
      if (d.file === path && d.line > lines + 1) throw new Error(`diagnostic at line ${d.line} of a ${lines}-line file: ${d.message}`);
      f.push(`d:${d.severity}:${d.status}:${KEYWORD.test(d.keyword) && seedWords.has(d.keyword) ? d.keyword : '?'}:${template(d.message, text, seedWords)}`);
    }
    return f;
  };
  return { name: 'config loader', seeds, mutate, run, show: (s) => JSON.stringify(s) };
}
