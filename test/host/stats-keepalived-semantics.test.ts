// The counters vipd shows under keepalived's names mean what keepalived 2.2.7's mean. Its vrrp_check_packet puts
// several causes under one counter and counts an advert as received (advert_rcvd) before its last checks; the
// core counts each cause once under its own name, and keepalivedStats (host/core/names.ts) turns that into
// keepalived's terms. Each case feeds one crafted datagram to a running BACKUP through the binding, writes
// keepalived.stats as SIGUSR2 does, and checks which of keepalived's 14 numbers moved. Read from 2.2.7's source
// (keepalived/vrrp/vrrp.c) and checked against the Debian 2.2.7 binary's code (docs/compat.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Core, type InstanceConfig, ipv4Wrap } from '../../host/core/wasm-core.ts';
import * as abi from '../../host/core/abi.ts';
import { keepalivedStats } from '../../host/core/names.ts';
import { jsonDump, statsText } from '../../host/daemon/dumps.ts';
import type { InstanceStatus } from '../../host/daemon/runtime.ts';
import { formatStatus } from '../../host/daemon/status.ts';
import { KEEPALIVED_STATS_FIELDS, parseStats } from '../interop/helpers/daemons.ts';

const SELF = '10.203.0.1';
const PEER = '10.203.0.2';
const STRANGER = '10.203.0.9';
const GROUP = '224.0.0.18';
const VIP = '10.203.0.100';
const VIP2 = '10.203.0.101';

const BASE: InstanceConfig = { socket: 0, version: 2, family: 4, vrid: 51, priority: 100, advertIntUs: 1_000_000, src: SELF, vips: [VIP] };
const MULTICAST: Partial<InstanceConfig> = {};
const UNICAST: Partial<InstanceConfig> = { peers: [{ address: PEER }] };

type Field = (typeof KEEPALIVED_STATS_FIELDS)[number];

interface Case {
  name: string;
  instance: Partial<InstanceConfig>;
  /** What the sender encodes (the instance's own settings unless given), and how the datagram travels. */
  advert?: Partial<InstanceConfig> & { priority?: number };
  from?: string; to?: string; ttl?: number;
  corrupt?: 'checksum';
  /** Bytes after the IP packet (its total length no longer says what arrived). */
  pad?: number;
  verdict: number;
  /** keepalived 2.2.7's counters that move, by one; every other one of its 14 stays. */
  moves: Field[];
}

function backup(c: Case): Core {
  const core = new Core('release');
  core.configure(0, { ...BASE, ...c.instance });
  core.start(1_000_000, 0);
  core.drain();
  assert.equal(core.inspect(0).state, 'BACKUP');
  return core;
}

function datagram(core: Core, c: Case): Uint8Array {
  const from = c.from ?? PEER;
  const to = c.to ?? (c.instance.peers ? SELF : GROUP);
  const msg = core.encodeAdvert({ ...BASE, ...c.instance, peers: undefined, priority: 200, ...c.advert, src: from, group: to });
  if (c.corrupt === 'checksum') msg[6] ^= 1;
  const ip = ipv4Wrap(msg, from, to, c.ttl ?? 255);
  if (!c.pad) return ip;
  const padded = new Uint8Array(ip.length + c.pad);
  padded.set(ip);
  return padded;
}

function status(core: Core): InstanceStatus {
  return {
    name: 'VI_1', state: 'BACKUP', interface: 'eth0', vrid: 51, version: 2, family: 4, basePriority: 100,
    effectivePriority: 100, advertIntCs: 100, masterAddress: null, masterPriority: null, vips: [VIP],
    vipsInstalled: false, lastTransition: '2026-01-01T00:00:00.000Z', stats: core.stats(0),
  };
}

/** keepalived.stats as SIGUSR2 writes it, parsed as the interop suite parses keepalived's own. */
function dumped(core: Core): Record<string, number> {
  return parseStats(statsText([status(core)]));
}

const CASES: Case[] = [
  { name: 'a valid advert', instance: MULTICAST, verdict: abi.RX_OK, moves: ['Advertisements.Received'] },
  // "Expected multicast packet but received unicast packet" and the reverse: addr_list_err.
  { name: 'unicast to a multicast instance', instance: MULTICAST, to: SELF, verdict: abi.RX_MCAST_MISMATCH, moves: ['Packet Errors.Address List'] },
  { name: 'multicast to a unicast instance', instance: UNICAST, to: GROUP, verdict: abi.RX_MCAST_MISMATCH, moves: ['Packet Errors.Address List'] },
  // "ip_tot_len mismatch against received length" (and 2.2.7's own length check first): packet_len_err.
  { name: 'IP total length shorter than what arrived', instance: MULTICAST, pad: 20, verdict: abi.RX_BAD_IP_LENGTH, moves: ['Packet Errors.Length'] },
  { name: 'multicast TTL 64', instance: MULTICAST, ttl: 64, verdict: abi.RX_BAD_TTL, moves: ['Packet Errors.TTL'] },
  // "TTL/HL %d not in range": ip_ttl_err, after advert_rcvd.
  {
    name: "a unicast peer's TTL below its min_ttl", instance: { peers: [{ address: PEER, minTtl: 250 }], checkUnicastSrc: true }, ttl: 64,
    verdict: abi.RX_PEER_TTL_RANGE, moves: ['Packet Errors.TTL', 'Advertisements.Received'],
  },
  // The address count is checked early (before the IP length and the checksum, not received); the addresses
  // themselves after advert_rcvd.
  { name: 'one address too many', instance: MULTICAST, advert: { vips: [VIP, VIP2] }, verdict: abi.RX_ADDR_LIST, moves: ['Packet Errors.Address List'] },
  {
    name: 'one address too many and a bad checksum', instance: MULTICAST, advert: { vips: [VIP, VIP2] }, corrupt: 'checksum',
    verdict: abi.RX_ADDR_LIST, moves: ['Packet Errors.Address List'],
  },
  {
    name: 'another address, the right count', instance: MULTICAST, advert: { vips: [VIP2] }, verdict: abi.RX_ADDR_LIST,
    moves: ['Packet Errors.Address List', 'Advertisements.Received'],
  },
  // "unicast source address ... not a unicast peer": no counter, but received.
  {
    name: 'a unicast source that is no peer', instance: { ...UNICAST, checkUnicastSrc: true }, from: STRANGER,
    verdict: abi.RX_UNICAST_SRC, moves: ['Advertisements.Received'],
  },
  // Counted only for SNMP in 2.2.7 (chk_err, vers_err): nothing in the stats file.
  { name: 'a bad checksum', instance: MULTICAST, corrupt: 'checksum', verdict: abi.RX_BAD_CHECKSUM, moves: [] },
  { name: 'VRRP version 3 at a v2 instance', instance: MULTICAST, advert: { version: 3 }, verdict: abi.RX_BAD_VERSION, moves: [] },
  // The dispatcher finds the instance by VRID; an unknown one reaches none.
  { name: 'another VRID', instance: MULTICAST, advert: { vrid: 52 }, verdict: abi.RX_UNKNOWN_VRID, moves: [] },
  // The one difference left: 2.2.7 drops it without counting (its advert_interval_err never moves); vipd counts
  // it there (docs/compat.md).
  {
    name: 'a v2 advert_int mismatch (vipd counts it, 2.2.7 does not)', instance: MULTICAST, advert: { advertIntUs: 2_000_000 },
    verdict: abi.RX_INTERVAL_MISMATCH, moves: ['Packet Errors.Advertisement Interval'],
  },
];

for (const c of CASES) {
  test(`${c.name}: ${c.moves.length ? c.moves.join(', ') : "none of keepalived's counters"}`, () => {
    const core = backup(c);
    const before = dumped(core);
    assert.equal(core.handleDatagram(2_000_000, 0, 4, c.ttl ?? 255, datagram(core, c)), c.verdict);
    core.drain();
    const after = dumped(core);
    const moved: Partial<Record<Field, number>> = {};
    for (const f of KEEPALIVED_STATS_FIELDS) if (after[f] !== before[f]) moved[f] = after[f] - before[f];
    assert.deepEqual(moved, Object.fromEntries(c.moves.map((f) => [f, 1])));
    // The JSON dump says the same under keepalived's member names.
    const json = (JSON.parse(jsonDump([status(core)])) as { stats: Record<string, number> }[])[0].stats;
    assert.equal(json.advert_rcvd, after['Advertisements.Received']);
    assert.equal(json.addr_list_err, after['Packet Errors.Address List']);
    assert.equal(json.packet_len_err, after['Packet Errors.Length']);
    assert.equal(json.ip_ttl_err, after['Packet Errors.TTL']);
    assert.equal(json.advert_accepted, c.verdict === abi.RX_OK ? 1 : 0, 'what the core accepted stays beside it');
  });
}

test("vipd's finer counters stay beside keepalived's, and converting twice changes nothing", () => {
  const c = CASES.find((k) => k.verdict === abi.RX_MCAST_MISMATCH)!;
  const core = backup(c);
  core.handleDatagram(2_000_000, 0, 4, 255, datagram(core, c));
  const s = keepalivedStats(core.stats(0));
  assert.equal(s.mcast_mismatch, 1);
  assert.equal(s.addr_list_err, 1);
  assert.deepEqual(keepalivedStats(s), s);
});

test('vipd status: RX is keepalived\'s advert_rcvd, ERRORS counts each refusal once', () => {
  const c = CASES.find((k) => k.verdict === abi.RX_PEER_TTL_RANGE)!;
  const core = backup(c);
  core.handleDatagram(2_000_000, 0, 4, c.ttl!, datagram(core, c));
  const u = CASES.find((k) => k.name === 'multicast to a unicast instance')!;
  core.handleDatagram(2_000_000, 0, 4, 255, datagram(core, { ...u, instance: c.instance }));
  const report = (stats: InstanceStatus['stats']) => formatStatus({
    pid: 1, configFile: 'keepalived.conf', startedAt: '2026-01-01T00:00:00.000Z', instances: [{ ...status(core), stats }],
    engine: { too_short: 0, bad_ip_header: 0, bad_protocol: 0, truncated: 0, unknown_vrid: 0, bad_family: 0, truncated_reads: 0, kernel_drops: 0 },
    timer: {} as never,
  });
  const row = (text: string) => text.split('\n')[2].trim().split(/\s+/);
  // raw core stats (an older daemon) and converted ones (this one) print the same: RX 1 (the peer-TTL refusal),
  // ERRORS 2 (ip_ttl_err and addr_list_err, not again as peer_ttl_drop and mcast_mismatch)
  for (const stats of [core.stats(0), keepalivedStats(core.stats(0))]) assert.deepEqual(row(report(stats)).slice(-3), ['1', '0', '2']);
});
