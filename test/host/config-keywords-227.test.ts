// Keyword coverage against keepalived 2.2.7 (issue #3): keywords 2.2.7 accepts that vipd parses without acting on
// (a warning at their line, never silence), keywords that belong to another level, and the value checks 2.2.7
// makes. Each case carries the exit code measured with the Debian 2.2.7 `keepalived -t`; the test checks vipd against
// it always, and against a live keepalived in a throw-away namespace when one is installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixedSystem, loadConfig, memoryFs, type Diagnostic } from '../../host/config/index.ts';
import { IFACES, keepalivedTest, makeNetns, pool, requireKeepalived } from '../fixtures/config/keepalived-runner.ts';

const SYS = fixedSystem(['lo', ...IFACES]);

/** A valid instance; `extra` lines go inside it. */
const inst = (extra = '', name = 'V', vrid = 1) =>
  `vrrp_instance ${name} {\n interface eth0\n virtual_router_id ${vrid}\n priority 100\n virtual_ipaddress {\n  10.0.0.${vrid}\n }\n${extra}}\n`;
const gd = (line: string) => `global_defs {\n ${line}\n}\n${inst()}`;
const top = (line: string) => `${line}\n${inst()}`;
const inInst = (lines: string) => inst(` ${lines}\n`);

interface Case { name: string; text: string; code: number }

/** [name, config, keepalived 2.2.7's -t exit code (measured)]. */
const CASES: Case[] = ([
  // Top-level keywords of 2.2.7 (vipd used to call them unknown) and their value checks.
  ['top net_namespace', top('net_namespace_ipvs foo\nnamespace_with_ipsets\nuse_pid_dir\nlinkbeat_use_polling\ninstance foo\nchild_wait_time 5'), 0],
  ['top net_namespace missing name', top('net_namespace'), 5],
  ['top instance missing name', top('instance'), 5],
  ['top child_wait_time missing', top('child_wait_time'), 2],
  ['top child_wait_time negative', top('child_wait_time -1'), 5],
  // ... and inside global_defs, where 2.2.7 does not know them.
  ['global_defs net_namespace', gd('net_namespace foo'), 5],
  ['global_defs use_pid_dir', gd('use_pid_dir'), 5],
  ['global_defs child_wait_time', gd('child_wait_time 5'), 5],
  ['global_defs vrrp_ipsets (not in the Debian build)', gd('vrrp_ipsets a b'), 5],
  ['global_defs vrrp_delay_after_boot', gd('vrrp_delay_after_boot 5'), 5],
  // global_defs keywords of 2.2.7 vipd did not know.
  ['vrrp_rlimit_rtime', gd('vrrp_rlimit_rtime 4294967295'), 0],
  ['vrrp_rlimit_rtime 0', gd('vrrp_rlimit_rtime 0'), 5],
  ['startup_script_timeout', gd('startup_script_timeout 10'), 0],
  ['shutdown_script_timeout 1001', gd('shutdown_script_timeout 1001'), 5],
  ['nftables_ipvs', gd('nftables_ipvs'), 0],
  ['nftables_ipvs_priority -5', gd('nftables_ipvs_priority -5'), 0],
  ['nftables_ipvs_start_fwmark 0', gd('nftables_ipvs_start_fwmark 0'), 5],
  ['lvs_process_name', gd('lvs_process_name lvs'), 0],
  ['lvs_process_name missing', gd('lvs_process_name'), 2],
  ['lvs_flush_onstop', gd('lvs_flush_onstop'), 0],
  ['lvs_flush_on_stop ALL', gd('lvs_flush_on_stop ALL'), 5],
  ['checker_rlimit_rtime', gd('checker_rlimit_rtime 100'), 0],
  // Value checks of accepted global_defs keywords.
  ['max_auto_priority 200', gd('max_auto_priority 200'), 5],
  ['max_auto_priority -1', gd('max_auto_priority -1'), 0],
  ['umask abc', gd('umask abc'), 5],
  ['umask 07777', gd('umask 07777'), 5],
  ['umask IWGRP|IWOTH', gd('umask IWGRP|IWOTH'), 0],
  ['umask missing', gd('umask'), 2],
  ['vrrp_rx_bufs_policy FOO', gd('vrrp_rx_bufs_policy FOO'), 5],
  ['vrrp_rx_bufs_policy MTU', gd('vrrp_rx_bufs_policy MTU'), 0],
  ['vrrp_rx_bufs_policy MTU ADVERT', gd('vrrp_rx_bufs_policy MTU ADVERT'), 5],
  ['vrrp_garp_extra_if 0', gd('vrrp_garp_extra_if 0'), 5],
  ['vrrp_garp_extra_if all', gd('vrrp_garp_extra_if all'), 5],
  ['vrrp_garp_extra_if 5 all', gd('vrrp_garp_extra_if 5 all'), 0],
  ['vrrp_rt_priority 0 (clamped)', gd('vrrp_rt_priority 0'), 5],
  ['checker_rt_priority 200 (clamped)', gd('checker_rt_priority 200'), 5],
  ['vrrp_priority missing', gd('vrrp_priority'), 5],
  ['router_id missing', gd('router_id'), 5],
  ['vrrp_cpu_affinity 4096', gd('vrrp_cpu_affinity 4096'), 5],
  ['vrrp_netlink_cmd_rcv_bufs -1', gd('vrrp_netlink_cmd_rcv_bufs -1'), 5],
  ['min_auto_priority_delay 0', gd('min_auto_priority_delay 0'), 5],
  ['random_seed missing', gd('random_seed'), 2],
  ['lvs_timeouts tcp abc', gd('lvs_timeouts tcp abc'), 5],
  ['lvs_timeouts tcp 10 udp 3', gd('lvs_timeouts tcp 10 udp 3'), 0],
  ['smtp_server 10.0.0.1 70000', gd('smtp_server 10.0.0.1 70000'), 5],
  ['smtp_server 4294967296', gd('smtp_server 4294967296'), 5],
  ['vrrp_startup_delay 0', gd('vrrp_startup_delay 0'), 5],
  ['notification_email extra words', gd('notification_email extra {\n  a@b\n }'), 5],
  ['notification_email empty', gd('notification_email {\n }'), 5],
  ['dynamic_interfaces', gd('dynamic_interfaces allow_if_changes'), 0],
  ['vrrp_min_garp', gd('vrrp_min_garp'), 0],
  // vrrp_instance value checks.
  ['kernel_rx_buf_size abc', inInst('kernel_rx_buf_size abc'), 5],
  ['kernel_rx_buf_size missing', inInst('kernel_rx_buf_size'), 5],
  ['garp_extra_if bad', inInst('garp_extra_if 86401'), 5],
  ['garp_extra_if 0 all', inInst('garp_extra_if 0 all'), 0],
  ['old_unicast_checksum bogus', inInst('unicast_src_ip 10.0.0.5\n unicast_peer {\n  10.0.0.2\n }\n old_unicast_checksum bogus'), 5],
  ['old_unicast_checksum never', inInst('unicast_src_ip 10.0.0.5\n unicast_peer {\n  10.0.0.2\n }\n old_unicast_checksum never'), 0],
  ['check_unicast_src without peers', inInst('check_unicast_src'), 5],
  ['track_bfd undefined', inInst('track_bfd {\n  B\n }'), 5],
  ['track_bfd defined after', inInst('track_bfd {\n  B\n }') + 'bfd_instance B {\n neighbor_ip 10.0.0.2\n}\n', 5],
  ['track_bfd defined before', 'bfd_instance B {\n neighbor_ip 10.0.0.2\n}\n' + inInst('track_bfd {\n  B\n }'), 0],
  ['debug missing', inInst('debug'), 2],
  ['native_ipv6 with IPv4', inInst('native_ipv6'), 5],
  ['mcast_dst_ip unicast address', inInst('mcast_dst_ip 10.0.0.1'), 5],
  ['use_ipvlan without address', inInst('use_ipvlan'), 5],
  ['use_ipvlan with address', inInst('use_ipvlan ipv1 10.0.0.5/24'), 0],
  ['no_virtual_ipaddress (newer)', inInst('no_virtual_ipaddress'), 5],
  ['linkbeat_use_polling in an instance', inInst('linkbeat_use_polling'), 5],
  ['lvs_sync_daemon_interface missing', inInst('lvs_sync_daemon_interface'), 2],
  ['auth_type without auth_pass', inInst('authentication {\n  auth_type PASS\n }'), 5],
  ['track_interface extra words', inInst('track_interface extra {\n  eth1\n }'), 5],
  ['promote_secondaries + bare notify_deleted', inInst('promote_secondaries\n notify_deleted'), 0],
  // Top-level blocks written without their block.
  ['static_ipaddress without block', top('static_ipaddress'), 5],
  ['track_group without name', top('track_group'), 5],
  // Sync groups, trackers.
  ['sync group notify_deleted', 'vrrp_sync_group G {\n group {\n  V\n  W\n }\n notify_deleted /bin/x\n}\n' + inst() + inst('', 'W', 2), 5],
  ['sync group second group block', 'vrrp_sync_group G {\n group {\n  V\n  W\n }\n group {\n  V\n }\n}\n' + inst() + inst('', 'W', 2), 5],
  ['track_file weight missing', 'track_file F {\n file /tmp/vipd-kw227-none\n weight\n}\n' + inst(), 5],
  ['track_file init_file abc', 'track_file F {\n file /tmp/vipd-kw227-none\n init_file abc\n}\n' + inst(), 5],
  ['vrrp_track_process delay 0', 'vrrp_track_process P {\n process foo\n delay 0\n}\n' + inst(), 5],
  ['vrrp_track_process quorum_max 0', 'vrrp_track_process P {\n process foo\n quorum_max 0\n}\n' + inst(), 0],
  ['vrrp_script user that does not exist', 'vrrp_script S {\n script "/bin/true"\n user nosuchuser_kw227\n}\n' + inst(), 5],
  ['vrrp_track_process param_match bare', 'vrrp_track_process P {\n process foo\n param_match\n}\n' + inst(), 0],
] as const).map(([name, text, code]) => ({ name, text, code }));

function vipd(text: string) {
  return loadConfig('/k.conf', { fs: memoryFs({ '/k.conf': text }), system: SYS, configId: 'x', hostname: 'h' });
}

test(`vipd gives keepalived 2.2.7's measured exit code on ${CASES.length} keyword cases`, () => {
  const bad = CASES.map((c) => ({ c, r: vipd(c.text) })).filter(({ c, r }) => r.exitCode !== c.code)
    .map(({ c, r }) => `${c.name}: want ${c.code}, vipd ${r.exitCode}: ${r.diagnostics.map((d) => d.message).join(' | ')}`);
  assert.deepEqual(bad, []);
});

test('the same cases through keepalived -t agree with vipd (live)', { timeout: 60_000 }, async (t) => {
  if (!requireKeepalived(t)) return;
  const ns = makeNetns();
  try {
    const results = await pool(CASES, 6, async (c, i) => {
      const dir = join(ns.dir, `k${i}`);
      mkdirSync(dir);
      const file = join(dir, 'keepalived.conf');
      writeFileSync(file, c.text);
      const k = await keepalivedTest(ns, file, `k${i}`, ['-i', 'x']);
      return { c, k, v: vipd(c.text).exitCode };
    });
    const bad = results.filter((x) => x.k.code !== x.v || x.k.code !== x.c.code)
      .map((x) => `${x.c.name}: keepalived ${x.k.code} (recorded ${x.c.code}), vipd ${x.v}: ${x.k.stderr.trim().split('\n').slice(0, 2).join(' / ')}`);
    assert.deepEqual(bad, []);
  } finally {
    ns.cleanup();
  }
});

/** The not-implemented warning: severity warning, no effect on the verdict, at the keyword's line and column. */
function notImplementedAt(list: readonly Diagnostic[], keyword: string, line: number): Diagnostic | undefined {
  return list.find((d) => d.keyword === keyword && d.severity === 'warning' && d.status === null && d.line === line && /parsed but not implemented by vipd/.test(d.message));
}

test('keywords vipd parses but does not implement give a warning at their line, keeping the verdict', () => {
  const cases: [string, string, number][] = [
    [gd('vrrp_min_garp'), 'vrrp_min_garp', 2],
    [gd('dynamic_interfaces'), 'dynamic_interfaces', 2],
    [gd('max_auto_priority 50'), 'max_auto_priority', 2],
    [gd('nftables_ipvs'), 'nftables_ipvs', 2],
    [gd('vrrp_garp_extra_if 5 all'), 'vrrp_garp_extra_if', 2],
    [inInst('promote_secondaries'), 'promote_secondaries', 8],
    [inInst('kernel_rx_buf_size 4096'), 'kernel_rx_buf_size', 8],
    [inInst('debug 2'), 'debug', 8],
    [top('net_namespace blue'), 'net_namespace', 1],
    [top('use_pid_dir'), 'use_pid_dir', 1],
    [top('child_wait_time 5'), 'child_wait_time', 1],
    [top('instance foo'), 'instance', 1],
  ];
  for (const [text, kw, line] of cases) {
    const r = vipd(text);
    assert.equal(r.exitCode, 0, `${kw}: ${r.diagnostics.map((d) => d.message).join(' | ')}`);
    const w = notImplementedAt(r.diagnostics, kw, line);
    assert.ok(w, `${kw}: no not-implemented warning at line ${line}: ${JSON.stringify(r.diagnostics)}`);
    assert.ok(w.col >= 1);
  }
});

test('a bare notify_deleted is kept in the model (DELETED on the fifo, no script)', () => {
  const r = vipd(inInst('notify_deleted'));
  const v = r.config.instances[0];
  assert.equal(v.notify.deleted, null);
  assert.equal(v.notify.deletedToFifo, true);
  assert.equal(vipd(inst()).config.instances[0].notify.deletedToFifo, undefined);
});

test('value errors carry file:line:col and the expected value', () => {
  const r = vipd(gd('max_auto_priority 200'));
  const e = r.diagnostics.find((d) => d.keyword === 'max_auto_priority' && d.severity === 'error');
  assert.ok(e);
  assert.deepEqual([e.file, e.line, e.col], ['/k.conf', 2, 20]);
  assert.equal(e.expected, '[-1, 99]');
  const u = vipd(gd('umask abc')).diagnostics.find((d) => d.keyword === 'umask' && d.severity === 'error');
  assert.ok(u?.expected && u.line === 2 && u.col === 8);
  const n = vipd(gd('net_namespace foo')).diagnostics.find((d) => d.keyword === 'net_namespace');
  assert.match(n?.message ?? '', /top level/);
  assert.equal(n?.severity, 'error');
});

// docs/compat.md: with a top-level `net_namespace NAME`, 2.2.7's -t checks nothing and exits 0 (this is why the
// conditional_conf sample with `-i high` is 0 there). vipd does not copy that: it checks the file and warns that
// net_namespace is not implemented.
test('keepalived -t skips every check under a top-level net_namespace; vipd does not (documented difference)', { timeout: 30_000 }, async (t) => {
  if (!requireKeepalived(t)) return;
  const text = top('net_namespace vipdkw227').replace('priority 100', 'priority 300\n bogus_keyword');
  assert.equal(vipd(text).exitCode, 5);
  const ns = makeNetns();
  try {
    const file = join(ns.dir, 'nn.conf');
    writeFileSync(file, text);
    const k = await keepalivedTest(ns, file, 'nn');
    assert.equal(k.code, 0, k.stderr);
    writeFileSync(file, text.replace('net_namespace vipdkw227\n', ''));
    assert.equal((await keepalivedTest(ns, file, 'nn2')).code, 5);
  } finally {
    ns.cleanup();
  }
});
