// vipd as a daemon (no -n) and its syslog output (-S). The daemon runs in a lab host's namespace and, through
// helpers/syslog.ts, in a private mount namespace whose /dev/log is a datagram socket this test binds: the host's
// /dev and syslog are never touched. Subnets 79 and 81.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../../host/lab/netns.ts';
import { BIN, hasAddress } from './helpers/daemon.ts';
import { SyslogCatcher } from './helpers/syslog.ts';
import { waitFor } from './helpers/wait.ts';

const FACILITY_DAEMON = 3;
const FACILITY_LOCAL5 = 21;
const INFO = 6;

function conf(subnet: number): string {
  return `vrrp_instance VI_1 {\n interface eth0\n virtual_router_id ${subnet}\n priority 100\n advert_int 0.1\n version 3\n` +
    ` virtual_ipaddress {\n  10.203.${subnet}.100/24\n }\n}\n`;
}

/** A process that exists and has not exited (a zombie waiting for its reaper counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return false;
  }
}

function sessionOf(pid: number): number {
  // Fields after the command name (which may hold spaces): state ppid pgrp session ...
  const rest = readFileSync(`/proc/${pid}/stat`, 'latin1').replace(/^.*\) /, '').split(' ');
  return Number(rest[3]);
}

function readPid(file: string): number | false {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return n > 0 ? n : false;
  } catch {
    return false;
  }
}

test('without -n: the launcher exits 0 at once, the detached daemon writes both pid files, holds the VIP; SIGTERM to its pid removes the VIP and the pid files', async (t) => {
  const subnet = 79;
  const dir = mkdtempSync(join(tmpdir(), 'vipd-e2e-mode-'));
  const lab = Lab.create({ hosts: 1, subnet, client: false });
  const h = lab.hosts[0];
  const syslog = await SyslogCatcher.start(dir).catch((e) => { lab.destroy(); rmSync(dir, { recursive: true, force: true }); throw e; });
  const pidFile = join(dir, 'keepalived.pid');
  const vrrpPidFile = join(dir, 'vrrp.pid');
  const vip = `10.203.${subnet}.100`;
  let daemonPid: number | false = false;
  try {
    writeFileSync(join(dir, 'k.conf'), conf(subnet));
    const t0 = Date.now();
    const launcher = await lab.run(h, [...syslog.wrap(), process.execPath, BIN, '-f', join(dir, 'k.conf'), '-p', pidFile, '-r', vrrpPidFile], 20_000);
    const launchMs = Date.now() - t0;
    t.diagnostic(`launcher exited after ${launchMs} ms`);
    assert.equal(launcher.code, 0, `the launching process exits 0\n${launcher.stderr}`);

    daemonPid = await waitFor('the pid file', () => readPid(pidFile), 10_000, 20)
      .catch((e: Error) => { throw new Error(`${e.message}\n${syslog.text()}`); });
    assert.equal(await waitFor('the VRRP pid file', () => readPid(vrrpPidFile), 2000, 20), daemonPid, 'both pid files name the daemon');
    assert.ok(alive(daemonPid), 'the pid in the pid file is a live process');
    assert.equal(sessionOf(daemonPid), daemonPid, 'detached: the daemon leads a session of its own');
    assert.match(readFileSync(`/proc/${daemonPid}/cmdline`, 'latin1'), /--dont-fork/);
    assert.equal(statSync(`/proc/${daemonPid}/ns/net`).ino, statSync(`/run/netns/${h.ns}`).ino, 'it runs in the lab host\'s namespace');

    await waitFor(`${vip} on eth0`, () => hasAddress(lab, h, vip), 10_000, 20)
      .catch((e: Error) => { throw new Error(`${e.message}\n${syslog.text()}`); });
    const master = await waitFor('MASTER in syslog', () => syslog.find(/\(VI_1\) Entering MASTER STATE/), 3000, 20);
    assert.equal(master.pri, FACILITY_DAEMON * 8 + INFO, `default facility daemon, severity info: ${master.text}`);

    process.kill(daemonPid, 'SIGTERM');
    await waitFor('the daemon to exit', () => !alive(daemonPid as number), 5000, 20)
      .catch((e: Error) => { throw new Error(`${e.message}\n${syslog.text()}`); });
    assert.ok(!hasAddress(lab, h, vip), 'SIGTERM removed the VIP');
    assert.ok(!existsSync(pidFile), 'the pid file is removed');
    assert.ok(!existsSync(vrrpPidFile), 'the VRRP pid file is removed');
    assert.ok(syslog.find(/Stopping \(SIGTERM\)/), `the stop is logged\n${syslog.text()}`);
  } finally {
    if (daemonPid && alive(daemonPid)) process.kill(daemonPid, 'SIGKILL');
    syslog.stop();
    lab.destroy(); // also kills anything left in the namespace
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-S 5: every line reaches syslog with facility local5, keepalived\'s ident and the daemon\'s own pid; with -G none does', async () => {
  const subnet = 81;
  const dir = mkdtempSync(join(tmpdir(), 'vipd-e2e-syslog-'));
  const lab = Lab.create({ hosts: 1, subnet, client: false });
  const h = lab.hosts[0];
  const syslog = await SyslogCatcher.start(dir).catch((e) => { lab.destroy(); rmSync(dir, { recursive: true, force: true }); throw e; });
  try {
    writeFileSync(join(dir, 'k.conf'), conf(subnet));
    const [cmd, ...args] = syslog.wrap();
    let stderr = '';
    const child = lab.spawn(h, cmd, [...args, process.execPath, BIN, '-n', '-S', '5', '-f', join(dir, 'k.conf'), '-p', join(dir, 'k.pid'), '-r', join(dir, 'v.pid')],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const master = await waitFor('MASTER in syslog', () => syslog.find(/\(VI_1\) Entering MASTER STATE/), 10_000, 20)
      .catch((e: Error) => { throw new Error(`${e.message}\n${syslog.text()}\n${stderr}`); });
    assert.equal(master.pri, FACILITY_LOCAL5 * 8 + INFO, `local5.info: ${master.text}`);
    assert.match(master.text, new RegExp(`^<\\d+>\\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d Keepalived_vrrp\\[${child.pid}\\]: \\(VI_1\\) Entering MASTER STATE$`),
      'RFC 3164: stamp, keepalived\'s ident and the daemon\'s pid');
    child.kill('SIGTERM');
    assert.equal(await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 5000))]), 0);
    await waitFor('the stop in syslog', () => syslog.find(/Stopping \(SIGTERM\)/), 2000, 20);
    assert.ok(syslog.messages.length >= 3, `several lines: ${syslog.messages.length}`);
    const other = syslog.messages.filter((m) => m.pri >> 3 !== FACILITY_LOCAL5);
    assert.deepEqual(other, [], 'every line carries local5');
    assert.equal(stderr, '', 'without -l nothing goes to the console');

    // -G (--no-syslog) with -l: the same run logs to the console only; syslog hears nothing.
    const seen = syslog.messages.length;
    let console = '';
    const quiet = lab.spawn(h, cmd, [...args, process.execPath, BIN, '-n', '-G', '-l', '-f', join(dir, 'k.conf'), '-p', join(dir, 'k.pid'), '-r', join(dir, 'v.pid')],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    quiet.stderr!.on('data', (d: Buffer) => { console += d.toString(); });
    const quietExit = new Promise<number | null>((r) => quiet.once('exit', (code) => r(code)));
    await waitFor('MASTER on the console', () => /\(VI_1\) Entering MASTER STATE/.test(console), 10_000, 20).catch((e: Error) => { throw new Error(`${e.message}\n${console}`); });
    quiet.kill('SIGTERM');
    assert.equal(await Promise.race([quietExit, new Promise((r) => setTimeout(() => r('timeout'), 5000))]), 0);
    assert.match(console, /Stopping \(SIGTERM\)/);
    assert.deepEqual(syslog.messages.slice(seen).map((m) => m.text), [], '-G: nothing reaches syslog');
  } finally {
    syslog.stop();
    lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
