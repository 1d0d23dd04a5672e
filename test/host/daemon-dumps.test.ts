// The dump files keepalived's tooling reads: keepalived.stats must parse, with the parser the interop suite uses
// on keepalived 2.2.7's own file, to exactly keepalived's 14 counters in keepalived's order, each from the right
// counter (in keepalived's terms: keepalivedStats); vipd's extra counters live in the JSON dump only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STAT_NAMES, type Stats, keepalivedStats } from '../../host/core/names.ts';
import { jsonDump, statsText } from '../../host/daemon/dumps.ts';
import type { InstanceStatus } from '../../host/daemon/runtime.ts';
import { KEEPALIVED_STATS_FIELDS, parseStats, statsLayout } from '../interop/helpers/daemons.ts';

/** An instance whose counter k holds 100 + k, so that a counter printed in the wrong place shows. */
function instance(name: string, offset: number): InstanceStatus {
  const stats = Object.fromEntries(STAT_NAMES.map((n, k) => [n, offset + k])) as Stats;
  return {
    name, state: 'MASTER', interface: 'eth0', vrid: 51, version: 3, family: 4, basePriority: 150, effectivePriority: 150,
    advertIntCs: 100, masterAddress: '10.0.0.1', masterPriority: 150, vips: ['10.0.0.100'], vipsInstalled: true,
    lastTransition: '2026-01-01T00:00:00.000Z', stats,
  };
}

// Which vipd counter each keepalived field prints (keepalived's vrrp_stats member names, which vipd kept).
const SOURCE: Record<(typeof KEEPALIVED_STATS_FIELDS)[number], keyof Stats> = {
  'Advertisements.Received': 'advert_rcvd', 'Advertisements.Sent': 'advert_sent', 'Became master': 'become_master',
  'Released master': 'release_master', 'Packet Errors.Length': 'packet_len_err', 'Packet Errors.TTL': 'ip_ttl_err',
  'Packet Errors.Invalid Type': 'invalid_type_rcvd', 'Packet Errors.Advertisement Interval': 'advert_interval_err',
  'Packet Errors.Address List': 'addr_list_err', 'Authentication Errors.Invalid Type': 'invalid_authtype',
  'Authentication Errors.Type Mismatch': 'authtype_mismatch', 'Authentication Errors.Failure': 'auth_failure',
  'Priority Zero.Received': 'pri_zero_rcvd', 'Priority Zero.Sent': 'pri_zero_sent',
};

// keepalived 2.2.7's file for one instance, numbers as N (test/interop/stats-file.test.ts checks it against the
// real keepalived).
const KEEPALIVED_LAYOUT = [
  'VRRP Instance: NAME', '  Advertisements:', '    Received: N', '    Sent: N', '  Became master: N',
  '  Released master: N', '  Packet Errors:', '    Length: N', '    TTL: N', '    Invalid Type: N',
  '    Advertisement Interval: N', '    Address List: N', '  Authentication Errors:', '    Invalid Type: N',
  '    Type Mismatch: N', '    Failure: N', '  Priority Zero:', '    Received: N', '    Sent: N',
];

test("keepalived.stats parses to keepalived 2.2.7's 14 counters, in its order, each from the right counter", () => {
  const a = instance('VI_1', 100);
  const text = statsText([a, instance('VI_2', 500)]);
  const parsed = parseStats(text);
  assert.deepEqual(Object.keys(parsed), [...KEEPALIVED_STATS_FIELDS]);
  for (const f of KEEPALIVED_STATS_FIELDS) assert.equal(parsed[f], keepalivedStats(a.stats)[SOURCE[f]], f);
  // Line for line keepalived's layout, for every instance, and nothing else in the file.
  assert.deepEqual(statsLayout(text), [...KEEPALIVED_LAYOUT, ...KEEPALIVED_LAYOUT, '']);
  assert.equal(statsText([]), '\n');
});

test("vipd's own counters are in the JSON dump, not in keepalived's stats file", () => {
  const a = instance('VI_1', 100);
  const text = statsText([a]);
  const extras = STAT_NAMES.filter((n) => !Object.values(SOURCE).includes(n));
  assert.ok(extras.length >= 10, `${extras.length} vipd-only counters`);
  for (const n of extras) assert.ok(!text.includes(` ${a.stats[n]}\n`), `${n} (${a.stats[n]}) leaked into keepalived.stats`);
  assert.doesNotMatch(text, /vipd|Checksum|Version/);
  const json = JSON.parse(jsonDump([a])) as { stats: Stats }[];
  for (const n of STAT_NAMES) assert.equal(json[0].stats[n], keepalivedStats(a.stats)[n], n);
});
