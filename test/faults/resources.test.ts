// Resource faults and least privilege (v3/0.1 s):
// - the VIP is already on the backup (an operator put it there) when it becomes master: EEXIST is tolerated, no
//   error, and the address still leaves with the daemon;
// - an instance whose interface does not exist: a clear log line, that instance is not started, the other runs;
// - no CAP_NET_RAW / CAP_NET_ADMIN (setpriv drops them from every set): exit code 4 and the log line that says what
//   is missing and how to grant it;
// - least privilege: as user nobody with only CAP_NET_RAW + CAP_NET_ADMIN (ambient), vipd runs: it becomes master,
//   adds and announces its VIP, answers `vipd status`, and removes the VIP on SIGTERM;
// - scripts as script_user with enable_script_security: a track script runs as that user; run as root, a script in
//   a world-writable directory is refused (keepalived checks the path only when the script has root powers).
// Subnets 226-230.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../../host/lab/netns.ts';
import { BIN, Cluster, captureBridge, configText, hasAddress, isGarpFor } from '../e2e/helpers/daemon.ts';
import { fetchStatus, statusSocketName, type StatusReport } from '../../host/daemon/status.ts';
import { withNetns } from '../../host/net/netns.ts';
import {
  V3_FAST, finish, label, mdi, pairConfigs, sleep, startPair, waitFor,
} from './helpers/scenario.ts';

test(`${label(V3_FAST)}: the VIP already present on the new master (EEXIST) is tolerated and still removed on stop`, async () => {
  const c = Cluster.create(2, 226);
  try {
    const vip = c.vip();
    await startPair(c, V3_FAST, vip);
    c.lab.exec(c.lab.hosts[1], ['ip', 'addr', 'add', `${vip}/24`, 'dev', 'eth0']);
    const t0 = Date.now();
    await c.vipds[0].stop(3000);
    await waitFor('h2 MASTER', async () => (await c.vipds[1].instance()).state === 'MASTER', 2000, 10);
    await sleep(300);
    const i2 = await c.vipds[1].instance();
    assert.equal(i2.vipsInstalled, true, 'the present address counts as installed');
    assert.deepEqual(c.holders(vip), [1]);
    const errors = c.vipds[1].logs.filter((l) => l.t >= t0 && /error|EEXIST|failed/i.test(l.line));
    assert.deepEqual(errors.map((l) => l.line), []);
    await finish(c, [vip]);
  } finally {
    c.destroy();
  }
});

test(`${label(V3_FAST)}: an instance on a missing interface is not started (clear log), the other instance runs`, async () => {
  const c = Cluster.create(1, 227);
  try {
    const [a, b] = [c.vip(100), c.vip(101)];
    const text = configText([
      { name: 'VI_OK', vrid: 51, priority: 150, version: 3, advertInt: 0.1, vips: [`${a}/24`], state: 'MASTER' },
      { name: 'VI_GONE', vrid: 52, priority: 150, version: 3, advertInt: 0.1, vips: [`${b}/24`], state: 'MASTER' },
    ]).replace(/(vrrp_instance VI_GONE \{[^}]*?)interface eth0/, '$1interface eth9');
    c.start([text]);
    await c.waitHolder(a, 0, 10_000);
    await c.vipds[0].waitLog(/\(VI_GONE\) interface eth9 does not exist: instance not started/, 2000);
    const s = await c.vipds[0].status();
    assert.deepEqual(s.instances.map((i) => [i.name, i.state]), [['VI_OK', 'MASTER']]);
    assert.deepEqual(c.holders(b), []);
    await finish(c, [a, b]);
  } finally {
    c.destroy();
  }
});

/** A vipd started through a wrapper (setpriv), with its log and status; killed by the lab on destroy. */
class Wrapped {
  readonly logs: string[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  constructor(readonly lab: Lab, readonly ns: string, readonly dir: string, wrapper: string[]) {
    const conf = join(dir, 'vipd.conf');
    this.child = lab.spawn(lab.hosts[0], wrapper[0], [...wrapper.slice(1), process.execPath, BIN, '-n', '-l', '-D', '-f', conf,
      '-p', join(dir, 'vipd.pid'), '-r', this.vrrpPid], { stdio: ['ignore', 'pipe', 'pipe'] });
    const on = (d: Buffer) => { this.logs.push(...d.toString().split('\n').filter(Boolean)); };
    this.child.stdout!.on('data', on);
    this.child.stderr!.on('data', on);
    this.exited = new Promise((r) => this.child.on('exit', (code) => r(code)));
  }
  get vrrpPid(): string { return join(this.dir, 'vipd.vrrp.pid'); }
  status(): Promise<StatusReport> {
    let p!: Promise<StatusReport>;
    withNetns(this.ns, () => { p = fetchStatus(statusSocketName(this.vrrpPid)); });
    return p;
  }
  text(): string { return this.logs.join('\n'); }
}

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-priv-'));
  chmodSync(dir, 0o777); // pid files of a daemon that is not root
  return dir;
}

test('no CAP_NET_RAW / CAP_NET_ADMIN -> exit code 4 and a log line naming both capabilities', async () => {
  const lab = Lab.create({ hosts: 1, subnet: 228, client: false });
  const dir = scratch();
  try {
    writeFileSync(join(dir, 'vipd.conf'), pairConfigs(V3_FAST, ['10.203.228.100/24'])[0]);
    const d = new Wrapped(lab, lab.hosts[0].ns, dir, ['setpriv', '--inh-caps=-all', '--bounding-set=-net_raw,-net_admin']);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([d.exited, new Promise<null>((r) => { timer = setTimeout(() => r(null), 10_000); })]).finally(() => clearTimeout(timer));
    assert.equal(code, 4, `exit code\n${d.text()}`);
    assert.match(d.text(), /cannot start: .*vipd needs CAP_NET_RAW and CAP_NET_ADMIN/);
    assert.ok(!existsSync(d.vrrpPid), 'pid file removed');
    assert.ok(!lab.exec(lab.hosts[0], ['ip', '-o', 'addr']).includes('10.203.228.100'));
  } finally {
    lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test(`${label(V3_FAST)}: as user nobody with only CAP_NET_RAW + CAP_NET_ADMIN: master, VIP added and announced, status answers, VIP removed on SIGTERM`, async () => {
  const lab = Lab.create({ hosts: 1, subnet: 229, client: false });
  const dir = scratch();
  try {
    const vip = '10.203.229.100';
    writeFileSync(join(dir, 'vipd.conf'), pairConfigs(V3_FAST, [`${vip}/24`])[0]);
    chmodSync(join(dir, 'vipd.conf'), 0o644);
    const cap = await captureBridge(lab, 'arp');
    const d = new Wrapped(lab, lab.hosts[0].ns, dir, ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups',
      '--inh-caps=-all,+net_raw,+net_admin', '--ambient-caps=-all,+net_raw,+net_admin', '--bounding-set=-all,+net_raw,+net_admin']);
    await waitFor('VIP up', () => hasAddress(lab, lab.hosts[0], vip), 10_000 + mdi(V3_FAST, 150), 20)
      .catch((e: Error) => { throw new Error(`${e.message}\n${d.text()}`); });
    const s = await d.status();
    assert.equal(s.instances[0].state, 'MASTER');
    const st = readFileSync(`/proc/${d.child.pid}/status`, 'utf8');
    assert.match(st, /^Uid:\s+65534\s+65534\s+65534\s+65534$/m, 'runs as nobody');
    // CAP_NET_ADMIN (12) and CAP_NET_RAW (13) only: 0x3000.
    assert.match(st, /^CapEff:\s+0000000000003000$/m, 'effective set is exactly NET_ADMIN + NET_RAW');
    await waitFor('GARP', () => cap.frames.some((f) => f.srcMac === lab.hosts[0].mac && isGarpFor(f, vip)), 2000, 20);
    await cap.stop();
    d.child.kill('SIGTERM');
    const code = await d.exited;
    assert.equal(code, 0, d.text());
    assert.equal(hasAddress(lab, lab.hosts[0], vip), false, 'VIP removed on exit');
  } finally {
    lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test(`${label(V3_FAST)}: script_user + enable_script_security: track scripts run as that user; as root, one in a writable place is refused`, async () => {
  const c = Cluster.create(1, 230);
  const dir = mkdtempSync(join(tmpdir(), 'vipd-sec-'));
  chmodSync(dir, 0o755);
  const out = mkdtempSync(join(tmpdir(), 'vipd-secout-'));
  chmodSync(out, 0o777);
  try {
    const vip = c.vip();
    const good = join(dir, 'whoami.sh');
    writeFileSync(good, `#!/bin/sh\nid -u > ${out}/uid\nexit 0\n`);
    chmodSync(good, 0o755);
    const bad = join(out, 'writable.sh'); // in a world-writable directory: unsafe
    writeFileSync(bad, '#!/bin/sh\nexit 0\n');
    chmodSync(bad, 0o755);
    const conf = (global: string[]) => pairConfigs(V3_FAST, [`${vip}/24`], [{ extra: ['track_script {', '  chk_good', '  chk_bad', '}'] }], global)[0]
      .replace('vrrp_instance', `vrrp_script chk_good {\n  script "${good}"\n  interval 1\n  weight -10\n}\nvrrp_script chk_bad {\n  script "${bad}"\n  interval 1\n  weight -20\n}\nvrrp_instance`);
    // As nobody, both run: keepalived checks the path only of scripts that would run with root powers.
    c.start([conf(['script_user nobody', 'enable_script_security'])]);
    await c.waitHolder(vip, 0, 10_000);
    await waitFor('the script ran', () => existsSync(join(out, 'uid')), 5000, 50);
    assert.equal(readFileSync(join(out, 'uid'), 'utf8').trim(), '65534', 'ran as nobody');
    await c.vipds[0].waitLog(/VRRP_Script\(chk_bad\) succeeded/, 3000);
    // As root (script_user root), the script in a
    // world-writable directory is refused, the safe one still runs.
    const t = Date.now();
    c.vipds[0].writeConfig(conf(['script_user root', 'enable_script_security']));
    c.vipds[0].signal('SIGHUP');
    await c.vipds[0].waitLog(/Reloaded /, 3000, t);
    assert.ok(c.vipds[0].findLog(new RegExp(`Unsafe permissions found for script '${bad}' - disabling`), t), `unsafe script refused\n${c.vipds[0].logText()}`);
    // keepalived: "Disabling track script chk_bad due to insecure", and the script leaves the instance's track list
    // (check_vrrp_script_security), so its weight never applies.
    assert.ok(c.vipds[0].findLog(/Disabling track script chk_bad due to insecure/, t), c.vipds[0].logText());
    assert.equal(c.vipds[0].findLog(/Disabling track script chk_good/), undefined);
    rmSync(join(out, 'uid'));
    await waitFor('the safe script runs, now as root', () => existsSync(join(out, 'uid')), 5000, 50);
    assert.equal(readFileSync(join(out, 'uid'), 'utf8').trim(), '0');
    assert.equal((await c.vipds[0].instance()).effectivePriority, 150, 'the refused script has no weight');
    await finish(c, [vip]);
  } finally {
    c.destroy();
    rmSync(dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
});
