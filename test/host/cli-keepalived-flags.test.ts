// keepalived's command line on `node bin/vipd.js` as a process: -t's log file only when attached (a following word
// is "Unexpected argument(s)", never a file to write), --signum, -v, -h, -d, -i, -e, -S, -u, abbreviated long
// options, unknown options and missing values, every other flag of `keepalived --help`, and -C (no VRRP). Where
// keepalived 2.2.7 is installed, the same argv runs through it with -t in a namespace and must end alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../../host/lab/netns.ts';
import { KEEPALIVED, makeNetns, pool, requireKeepalived, runInNetns } from '../fixtures/config/keepalived-runner.ts';
import { getoptArgv, matchLong, parseUmask, VRRP_MODE_FLAG } from '../../host/cli/keepalived-argv.ts';
import { keepalivedFacility } from '../../host/cli/daemon-options.ts';
import { hasAddress } from '../e2e/helpers/daemon.ts';
import { waitFor } from '../e2e/helpers/wait.ts';

const BIN = new URL('../../bin/vipd.js', import.meta.url).pathname;
const BATCH = new URL('../fixtures/cli/vipd-batch.ts', import.meta.url).pathname;

interface Run { code: number | null; out: string; err: string }

/** `node bin/vipd.js ARGS` (in a namespace when `ns` is given), bounded by a timeout. */
function vipd(args: string[], ns?: string, timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve) => {
    const argv = ns ? ['ip', 'netns', 'exec', ns, process.execPath, BIN, ...args] : [process.execPath, BIN, ...args];
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => { out += b; });
    child.stderr.on('data', (b) => { err += b; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, out, err }); });
  });
}

const GOOD = 'vrrp_instance A {\n interface eth0\n virtual_router_id 5\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n';
/** One config error (2.2.7 exits 5): a keyword of later releases. */
const BAD = GOOD.replace(' virtual_router_id 5\n', ' virtual_router_id 5\n timer_expired_backup\n');

function workdir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'good.conf'), GOOD);
  writeFileSync(join(dir, 'bad.conf'), BAD);
  return dir;
}

test('-t followed by a file name: the file is left alone ("Unexpected argument(s)"), the verdict is -f\'s', async (t) => {
  const dir = workdir(t);
  const target = join(dir, 'keepalived.conf');
  writeFileSync(target, GOOD);
  const before = statSync(target);
  for (const args of [['-f', join(dir, 'bad.conf'), '-t', target], ['-t', target, '-f', join(dir, 'bad.conf')], ['-f', join(dir, 'bad.conf'), '--config-test', target], ['-f', join(dir, 'bad.conf'), '-nlt', target]]) {
    const r = await vipd(args);
    assert.equal(r.code, 5, `${args.join(' ')}: ${r.err}`);
    assert.equal(r.out, `Unexpected argument(s): ${target} \n`, args.join(' '));
    assert.match(r.err, /timer_expired_backup/, 'the diagnostics go to stderr');
    assert.equal(readFileSync(target, 'utf8'), GOOD, `${args.join(' ')} must not write the file`);
    assert.equal(statSync(target).mtimeMs, before.mtimeMs);
  }
});

test('-tFILE and --config-test=FILE append the diagnostics to FILE (0600) and print nothing; -t=FILE means FILE', async (t) => {
  const dir = workdir(t);
  const log = join(dir, 't.log');
  for (const args of [[`-t${log}`], [`--config-test=${log}`]]) {
    const r = await vipd([...args, '-f', join(dir, 'bad.conf')]);
    assert.deepEqual([r.code, r.out, r.err], [5, '', ''], args.join(' '));
  }
  const text = readFileSync(log, 'utf8');
  assert.equal(text.split('\n').filter((l) => /timer_expired_backup/.test(l)).length, 2, 'appended, not overwritten');
  assert.equal(statSync(log).mode & 0o777, 0o600);
  const eq = join(dir, 'eq.log');
  const r = await vipd([`-t=${eq}`, '-f', join(dir, 'bad.conf')]);
  assert.equal(r.code, 5);
  assert.match(readFileSync(eq, 'utf8'), /timer_expired_backup/);
  // A log file that cannot be opened: keepalived exits 1.
  const no = await vipd([`-t${join(dir, 'nodir', 'x.log')}`, '-f', join(dir, 'good.conf')]);
  assert.equal(no.code, 1);
  assert.match(no.err, /Unable to open config-test log file/);
});

test('--signum, -v and -h', async () => {
  assert.deepEqual(await vipd(['--signum=STOP']), { code: 0, out: '15\n', err: '' });
  assert.deepEqual(await vipd(['--signum', 'JSON']), { code: 0, out: '36\n', err: '' });
  assert.deepEqual(await vipd(['--signum=FOO']), { code: 1, out: '', err: 'Unknown sigfunc FOO\n' });
  const v = await vipd(['-v']);
  assert.equal(v.code, 0);
  assert.equal(v.out, '');
  assert.match(v.err, /^vipd v\d+\.\d+\.\d+ /, 'on stderr, as keepalived prints its version');
  const h = await vipd(['-h']);
  assert.equal(h.code, 0);
  for (const flag of ['-f, --use-file', '-t, --config-test', '-C, --check', '-P, --vrrp', '-i, --config-id', '--signum']) assert.ok(h.out.includes(flag), flag);
  assert.ok(!h.out.includes('--unexpected-arg'), 'the internal option stays hidden');
  // A stray word never starts a daemon: it is more likely a mistyped subcommand.
  assert.deepEqual(await vipd(['statuss']), { code: 2, out: 'Unexpected argument(s): statuss \n', err: "vipd: not starting the daemon: unknown command or unexpected argument 'statuss' (commands: status, packet, sim, demo; -t FILE? the log file must be attached: -tFILE)\n" });
});

test('-d dumps the effective model: router_id defaults to the host name, -i feeds @ID lines and ${_INSTANCE}', async (t) => {
  const dir = workdir(t);
  const file = join(dir, 'id.conf');
  writeFileSync(file, GOOD.replace(' virtual_router_id 5\n', ' virtual_router_id ${_INSTANCE}\n @7 priority 170\n @^7 priority 30\n'));
  const d = await vipd(['-d', '-i', '7', '-f', file]);
  assert.equal(d.code, 0, d.err);
  const cfg = JSON.parse(d.out);
  assert.equal(cfg.global.routerId, hostname());
  assert.deepEqual([cfg.instances[0].vrid, cfg.instances[0].priority], [7, 170]);
  const other = JSON.parse((await vipd(['-d', '-i', '9', '-f', file])).out);
  assert.deepEqual([other.instances[0].vrid, other.instances[0].priority], [9, 30]);
  assert.equal((await vipd(['-t', '-i', '300', '-f', file])).code, 5, 'VRID 300 from -i is out of range');
  const named = join(dir, 'named.conf');
  writeFileSync(named, `global_defs {\n router_id edge-1\n}\n${GOOD}`);
  assert.equal(JSON.parse((await vipd(['-d', '-f', named])).out).global.routerId, 'edge-1');
});

test('-e: a missing include or main file becomes an error', async (t) => {
  const dir = workdir(t);
  const file = join(dir, 'inc.conf');
  writeFileSync(file, `include ${join(dir, 'missing.conf')}\n${GOOD}`);
  assert.equal((await vipd(['-t', '-f', file])).code, 0);
  const e = await vipd(['-t', '-e', '-f', file]);
  assert.equal(e.code, 6);
  assert.match(e.err, /missing\.conf/);
  assert.equal((await vipd(['-t', '-f', join(dir, 'nope.conf')])).code, 0);
  assert.equal((await vipd(['-t', '-e', '-f', join(dir, 'nope.conf')])).code, 4);
});

test('the same argv through keepalived 2.2.7 -t ends alike and leaves the file alone too', { timeout: 120_000 }, async (t) => {
  if (!requireKeepalived(t)) return;
  const ns = makeNetns();
  try {
    writeFileSync(join(ns.dir, 'bad.conf'), BAD);
    writeFileSync(join(ns.dir, 'good.conf'), GOOD);
    const target = join(ns.dir, 'keepalived.conf');
    const pid = ['-p', join(ns.dir, 'm.pid'), '-r', join(ns.dir, 'v.pid'), '-c', join(ns.dir, 'c.pid')];
    const cases: string[][] = [
      ['-f', join(ns.dir, 'bad.conf'), '-t', target],
      ['-f', join(ns.dir, 'good.conf'), '-t', target],
      [`-t${join(ns.dir, 'k.log')}`, '-f', join(ns.dir, 'bad.conf')],
      ['--signum=STOP'], ['--signum=FOO'],
      ['-t', '-e', '-f', join(ns.dir, 'nope.conf')],
    ];
    for (const args of cases) {
      writeFileSync(target, GOOD);
      const k = await runInNetns(ns, [KEEPALIVED, ...args, ...pid]);
      assert.equal(readFileSync(target, 'utf8'), GOOD, `keepalived ${args.join(' ')}`);
      const v = await vipd([...args, ...pid], ns.name);
      assert.equal(readFileSync(target, 'utf8'), GOOD, `vipd ${args.join(' ')}`);
      assert.equal(v.code, k.code, `${args.join(' ')}: keepalived ${k.code} (${k.stderr.trim()}), vipd ${v.code} (${v.err.trim()})`);
    }
    assert.match(readFileSync(join(ns.dir, 'k.log'), 'utf8'), /timer_expired_backup/);
  } finally {
    ns.cleanup();
  }
});

test('-C (checkers only): no VRRP, the pid file and keepalived\'s "no configuration to run" until SIGTERM; without -C the VIP comes up', { timeout: 60_000 }, async (t) => {
  const subnet = 173;
  const lab = Lab.create({ hosts: 1, subnet, client: false });
  const dir = mkdtempSync(join(tmpdir(), 'vipd-cli-C-'));
  t.after(() => { lab.destroy(); rmSync(dir, { recursive: true, force: true }); });
  const h = lab.hosts[0];
  const vip = `10.203.${subnet}.100`;
  // VRRPv3 at 0.05 s: a lone router is MASTER with the VIP about 0.2 s after start.
  writeFileSync(join(dir, 'k.conf'), `vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 73\n version 3\n advert_int 0.05\n priority 200\n virtual_ipaddress {\n  ${vip}/24\n }\n}\n`);
  const run = (flags: string[], tag: string) => {
    let log = '';
    const child = lab.spawn(h, process.execPath, [BIN, ...flags, '-n', '-l', '-f', join(dir, 'k.conf'), '-p', join(dir, `${tag}.pid`), '-r', join(dir, `${tag}.vrrp.pid`)], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (b) => { log += b; });
    child.stderr!.on('data', (b) => { log += b; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, exited, log: () => log };
  };

  const c = run(['-C'], 'c');
  await waitFor('keepalived\'s "no configuration to run"', () => /keepalived has no configuration to run/.test(c.log()), 15_000, 20);
  await waitFor('the main pid file', () => existsSync(join(dir, 'c.pid')), 2000, 20);
  assert.equal(readFileSync(join(dir, 'c.pid'), 'utf8').trim(), String(c.child.pid));
  // Ten times the time a lone VRRP router needs to install its VIP.
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(hasAddress(lab, h, vip), false, `-C must not run VRRP:\n${c.log()}`);
  assert.equal(existsSync(join(dir, 'c.vrrp.pid')), false, 'no VRRP pid file');
  assert.doesNotMatch(c.log(), /Entering (MASTER|BACKUP) STATE/);
  c.child.kill('SIGTERM');
  assert.equal(await c.exited, 0);
  assert.equal(existsSync(join(dir, 'c.pid')), false, 'the pid file is removed at stop');

  // The control: the same config without -C (and with -C --all: --all sets the VRRP bit again) brings the VIP up.
  for (const flags of [[], ['-C', '--all']]) {
    const p = run(flags, flags.length ? 'cp' : 'plain');
    await waitFor(`${vip} with ${flags.join(' ') || 'no flags'}`, () => hasAddress(lab, h, vip), 15_000, 20)
      .catch((e: Error) => { throw new Error(`${e.message}\n${p.log()}`); });
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);
    await waitFor('the VIP to go', () => !hasAddress(lab, h, vip), 5000, 20);
  }
});

test('getopt rules: abbreviated long options, attached optional values, -P/-C/--all in order, what follows -v is dropped', () => {
  const g = (...a: string[]) => getoptArgv(a, ['status']);
  assert.equal(matchLong('use')?.long, 'use-file');
  assert.equal(matchLong('log-fac')?.long, 'log-facility');
  assert.equal(matchLong('vers')?.long, 'version');
  for (const ambiguous of ['v', 'co', 'conf', 'che', 'dont']) assert.equal(matchLong(ambiguous), null, ambiguous);
  assert.deepEqual(g('--use=/k', '-nt', '/x'), ['--use-file=/k', '--dont-fork', '--config-test=', '--unexpected-arg=/x', `${VRRP_MODE_FLAG}=1`]);
  assert.deepEqual(g('-Sfoo', '-Mcore', '-g'), ['--log-facility=foo', '--core-dump-pattern=core', '--log-file=', `${VRRP_MODE_FLAG}=1`]);
  assert.deepEqual(g('-Z', '--nonsense=3', '--vrrp=x', '--pid='), ['--unknown-option=-Z', '--unknown-option=--nonsense=3', '--unknown-option=--vrrp=x', '--missing-parameter=--pid', `${VRRP_MODE_FLAG}=1`]);
  assert.deepEqual(g('-p', '', '-f'), ['--pid=', '--missing-parameter=-f', `${VRRP_MODE_FLAG}=1`]);
  assert.deepEqual(g('-v', '-t/no/x.log', 'status'), ['--version', `${VRRP_MODE_FLAG}=1`]);
  assert.deepEqual(g('-u', '0', '-tLOG'), ['--umask=0', '--x-umask-at-t=0', '--config-test=LOG', `${VRRP_MODE_FLAG}=1`]);
  // keepalived's daemon_mode: -P clears the checkers, -C clears VRRP, --all sets both again.
  const vrrp = (...a: string[]) => g(...a).find((w) => w.startsWith(VRRP_MODE_FLAG))!.slice(-1);
  assert.deepEqual([vrrp(), vrrp('-P'), vrrp('-C'), vrrp('-C', '-P'), vrrp('-C', '--all'), vrrp('--all', '-C')], ['1', '1', '0', '0', '1', '0']);
  assert.deepEqual(g('-n', 'status', '-r', 'x'), ['--dont-fork', `${VRRP_MODE_FLAG}=1`, 'status', '-r', 'x']);
});

test('-S as 2.2.7 reads it (number first, then local<n>, user, daemon) and -u as strtoll base 0', () => {
  const f = (s: string) => { const r = keepalivedFacility(s); return `${r.facility ?? '-'}/${r.numeric}`; };
  assert.deepEqual(['3', ' 3', '+3', '07', '', 'local3', 'local', 'local 3', 'user', 'daemon', '8', '3 ', '-0', '0x3', 'LOCAL3', 'auth', 'local8'].map(f),
    ['3/true', '3/true', '3/true', '7/true', '0/true', '3/false', '0/false', '3/false', 'user/false', 'daemon/false', '-/false', '-/false', '-/false', '-/false', '-/false', '-/false', '-/false']);
  assert.deepEqual(['022', '0x12', '18', '', '0', '0777', '999', '08', 'abc', '-1', '01000'].map(parseUmask), [0o22, 0x12, 18, 0, 0, 0o777, null, null, null, null, null]);
});

/** One file per verdict, in the namespace's directory: good (0), bad (5). */
const FLAG_CASES: string[][] = [
  // -S: keepalived reads a number first and reports the failure as a config error (exit 5), even for a name it accepts.
  ['-S', 'local3'], ['-S', '3'], ['-S', '7'], ['-S', '8'], ['-S', 'foo'], ['-S', 'user'], ['-S', 'daemon'], ['-S', ''],
  ['-S', '+3'], ['-S', ' 3'], ['-S', '3 '], ['-S', '-0'], ['-S', 'local'], ['--log-facility=local0'], ['--log-fac=2'],
  // Every other flag of `keepalived --help` is accepted (-M is left out: keepalived writes the host's core_pattern).
  ['-B'], ['--no_bfd'], ['--all'], ['-G'], ['--no-syslog'], ['-u', '022'], ['--umask=0x12'], ['-u', '999'], ['-u', 'abc'],
  ['-X'], ['--release-vips'], ['-V'], ['-I'], ['--dont-release-ipvs'], ['-R'], ['--dont-respawn'], ['-a'],
  ['--address-monitoring'], ['-b', 'BFD.pid'], ['-x'], ['--snmp'], ['-A', 'agentx'], ['-m'], ['--core-dump'],
  ['-P'], ['-C'], ['-C', '-P'], ['-l'], ['-D', '-D'], ['-n'], ['-d'], ['-i', 'x'], ['-e'], ['-h'],
  // Abbreviations, unknown options, missing values, and what ends the parsing.
  ['--config-t'], ['--vers'], ['--sig=STOP'], ['--dump'], ['--co=x'], ['--v'], ['--che'], ['--dont'], ['-Z'],
  ['--nonsense'], ['--nonsense=3'], ['-Z', 'word'], ['--use-file='], ['--config-id='], ['--umask='], ['-f'],
  ['-Z', '-v'], ['-Z', '--signum=STOP'], ['-t/nonexistent-dir/x.log', '-v'], ['-v', '-t/nonexistent-dir/x.log'],
  ['-g'], ['--log-file=LOG'], ['-T'],
];

test('every keepalived 2.2.7 flag with -t: the same exit code as keepalived (good and bad config)', { timeout: 600_000 }, async (t) => {
  if (!requireKeepalived(t)) return;
  const ns = makeNetns();
  try {
    writeFileSync(join(ns.dir, 'good.conf'), GOOD);
    writeFileSync(join(ns.dir, 'bad.conf'), BAD);
    const pid = ['-p', join(ns.dir, 'm.pid'), '-r', join(ns.dir, 'v.pid'), '-c', join(ns.dir, 'c.pid')];
    const fix = (a: string[]) => a.map((w) => (w === 'BFD.pid' || w === 'agentx' || w === 'LOG' ? join(ns.dir, w) : w));
    const runs: { args: string[] }[] = [];
    for (const conf of ['good.conf', 'bad.conf']) {
      for (const c of FLAG_CASES) runs.push({ args: ['-t', '-f', join(ns.dir, conf), ...pid, ...fix(c)] });
    }
    // A named facility turns -e's "cannot run" (4) into a config error (5); a valid -s checks as usual.
    runs.push({ args: ['-t', '-e', '-f', join(ns.dir, 'nope.conf'), ...pid, '-S', 'local3'] });
    runs.push({ args: ['-t', '-e', '-f', join(ns.dir, 'nope.conf'), ...pid] });
    runs.push({ args: ['-t', '-f', join(ns.dir, 'bad.conf'), ...pid, '-s', ns.name] });
    // vipd: every argv in one process in the namespace (each is a -t run: nothing is started).
    const list = join(ns.dir, 'argv.json');
    writeFileSync(list, JSON.stringify(runs.map((r) => r.args)));
    const batch = await new Promise<string>((resolve) => {
      const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, '--import', 'tsx', BATCH, list], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (b) => { out += b; });
      child.on('close', () => resolve(out));
    });
    const v = JSON.parse(batch) as Run[];
    const k = await pool(runs, 6, (r) => runInNetns(ns, [KEEPALIVED, ...r.args]));
    const results = runs.map((r, i) => ({ args: r.args.slice(3).filter((w) => !pid.includes(w)).join(' '), conf: r.args[2], k: k[i].code, v: v[i].code, kerr: k[i].stderr.trim().split('\n')[0], verr: v[i].err.trim().split('\n')[0] }));
    const diff = results.filter((r) => r.k !== r.v);
    assert.deepEqual(diff, [], diff.map((r) => `${r.conf} ${r.args}: keepalived ${r.k} (${r.kerr}), vipd ${r.v} (${r.verr})`).join('\n'));
    // The cases are not all alike: each exit code this table claims parity for occurs.
    assert.deepEqual([...new Set(results.map((r) => r.k))].sort(), [0, 1, 4, 5]);
  } finally {
    ns.cleanup();
  }
});

test('the daemon warns about the flags it accepts without acting on, and refuses -s', async (t) => {
  const dir = workdir(t);
  // -s: not starting is the only safe answer (VIPs in the wrong namespace otherwise); nothing else is started.
  const s = await vipd(['-n', '-s', 'elsewhere', '-f', join(dir, 'good.conf'), '-p', join(dir, 'm.pid'), '-r', join(dir, 'v.pid')]);
  assert.equal(s.code, 1);
  assert.match(s.err, /-s\/--namespace elsewhere is not supported by the daemon/);
  assert.equal(existsSync(join(dir, 'm.pid')), false);
  // -C -P: keepalived has nothing to run either; vipd idles and says so, and -X/-m are named with their reason.
  const child = spawn(process.execPath, [BIN, '-n', '-l', '-C', '-P', '-X', '-G', '-m', '-S', 'local3', '-f', join(dir, 'good.conf'), '-p', join(dir, 'c.pid'), '-r', join(dir, 'cv.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b) => { err += b; });
  child.stdout.on('data', (b) => { err += b; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await waitFor('"no configuration to run"', () => /keepalived has no configuration to run/.test(err), 15_000, 20);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
  assert.match(err, /vipd: warning: -X\/--release-vips: vipd always removes the VIPs it installed/);
  assert.doesNotMatch(err, /-G\/--no-syslog/, '-G is applied (test/e2e/daemon-mode.test.ts), no warning');
  assert.match(err, /vipd: warning: -m\/-M/);
  assert.match(err, /vipd: warning: -S local3: keepalived 2.2.7 reads -S as a number first/);
});

test('-u before -t sets the log file\'s mode as keepalived does (0644 under the umask; 0600 otherwise)', { timeout: 120_000 }, async (t) => {
  if (!requireKeepalived(t)) return;
  const ns = makeNetns();
  try {
    writeFileSync(join(ns.dir, 'bad.conf'), BAD);
    const pid = ['-p', join(ns.dir, 'm.pid'), '-r', join(ns.dir, 'v.pid'), '-c', join(ns.dir, 'c.pid')];
    const cases = [['-u', '0', '-tLOG'], ['-tLOG', '-u', '0'], ['-u', '0x12', '-tLOG'], ['-u', '077', '-tLOG'], ['-tLOG']];
    const modes: string[] = [];
    for (const [n, c] of cases.entries()) {
      const mode: string[] = [];
      for (const who of ['k', 'v']) {
        const log = join(ns.dir, `${who}${n}.log`);
        const args = ['-f', join(ns.dir, 'bad.conf'), ...pid, ...c.map((w) => w.replace('LOG', log))];
        const r = who === 'k' ? (await runInNetns(ns, [KEEPALIVED, ...args])).code : (await vipd(args, ns.name)).code;
        assert.equal(r, 5, `${who} ${c.join(' ')}`);
        mode.push((statSync(log).mode & 0o777).toString(8));
      }
      assert.equal(mode[1], mode[0], `${c.join(' ')}: keepalived ${mode[0]}, vipd ${mode[1]}`);
      modes.push(mode[0]);
    }
    assert.deepEqual(modes, ['644', '600', '644', '600', '600']);
  } finally {
    ns.cleanup();
  }
});
