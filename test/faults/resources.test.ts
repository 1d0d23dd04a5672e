// Resource faults and least privilege (v3/0.1 s):
// - the VIP is already on the backup (an operator put it there) when it becomes master: EEXIST is tolerated, no
//   error, and the address still leaves with the daemon;
// - an instance whose interface does not exist: a clear log line, that instance is not started, the other runs;
// - no CAP_NET_RAW / CAP_NET_ADMIN (setpriv drops them from every set): exit code 4 and the log line that says what
//   is missing and how to grant it;
// - least privilege: as user nobody with only CAP_NET_RAW + CAP_NET_ADMIN (ambient), vipd runs: it becomes master,
//   adds and announces its VIP, answers `vipd status`, and removes the VIP on SIGTERM;
// - scripts as script_user with enable_script_security: a track script runs as that user; run as root, a script in
//   a world-writable directory is refused (keepalived checks the path only when the script has root powers);
// - the master's eth0 deleted under the running daemon (v3/0.1 s and v2/1 s), then plugged in again with the same
//   name; a second interface (a veth pair inside h1) with an instance of its own deleted and re-created;
// - a full receive queue: the backup SIGSTOPped under a flood (v3/0.1 s and v2/1 s), then SIGCONT.
// Subnets 226-230, 244-247 and 249.
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
  MARGIN_MS, PRIO, V2_SLOW, V3_FAST, assertNoFdGrowth, fdCount, finish, inCluster, label, mdi, pairConfigs, sleep, startPair, waitFor,
} from './helpers/scenario.ts';
import { addLocalVeth, allAddresses, deleteEth0, deleteLink, replugEth0 } from './helpers/links.ts';
import { advertFrame } from './helpers/frames.ts';
import { inject } from './helpers/attacker.ts';

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

// keepalived (cleanup_lost_interface / update_added_interface): a deleted interface closes the instance's sockets
// and puts it in FAULT; an interface of the same name appearing again gets new sockets, and the instance follows
// the link from there (FAULT until it is up). vipd does the same.
for (const [t, subnet] of [[V3_FAST, 244], [V2_SLOW, 245]] as const) {
  test(`${label(t)}: the master's eth0 deleted: FAULT, no VIP anywhere but on h2, status answers; a new eth0 of that name: h1 master again`, async () => {
    const c = Cluster.create(2, subnet);
    await inCluster(c, async () => {
      const vip = c.vip();
      await startPair(c, t, vip);
      const [h1, h2] = c.lab.hosts;
      const fds = fdCount(c.vipds[0]);
      const before = await c.vipds[0].instance();
      const t0 = Date.now();
      deleteEth0(h1);
      await c.vipds[0].waitLog(/Interface eth0 deleted/, 2000, t0);
      await c.vipds[0].waitLog(/\(VI_1\) Entering FAULT STATE/, 2000, t0);
      // h2 hears nothing from h1 any more: it takes over after its Master_Down_Interval.
      await waitFor('h2 holds the VIP', () => allAddresses(h2).includes(vip), mdi(t, PRIO[1]) + 1000 + MARGIN_MS, 10);
      const took = Date.now() - t0;
      assert.ok(!allAddresses(h1).includes(vip), 'the VIP went with h1\'s eth0');
      const gone = await c.vipds[0].instance();
      assert.equal(gone.state, 'FAULT');
      assert.equal(gone.vipsInstalled, false);
      assert.equal(c.vipds[0].countLog(/error|failed|ENODEV|exception/i, t0), 0, `no error logged\n${c.vipds[0].logText()}`);
      // Still running and still FAULT a while later: no socket on a dead ifindex, no attempt to take over.
      await sleep(3 * t.adv * 1000);
      assert.equal((await c.vipds[0].instance()).state, 'FAULT');
      assert.equal(c.vipds[0].running, true);

      const t1 = Date.now();
      replugEth0(c.lab, h1);
      await c.vipds[0].waitLog(/Interface eth0 added/, 2000, t1);
      // h1 (150) hears h2's adverts (100) on the new eth0 and preempts.
      await c.waitHolder(vip, 0, mdi(t, PRIO[0]) + 3000);
      const back = Date.now() - t1;
      const after = await c.vipds[0].instance();
      assert.equal(after.state, 'MASTER');
      assert.equal(after.stats.become_master, before.stats.become_master + 1);
      await waitFor('h2 BACKUP', async () => (await c.vipds[1].instance()).state === 'BACKUP', 2000, 20);
      assertNoFdGrowth(c.vipds[0], fds, 'the interface went and came back');
      console.log(`${label(t)}: h2 took the VIP ${took} ms after eth0 was deleted; h1 master again ${back} ms after the new eth0`);
      await finish(c, [vip]);
    });
  });
}

test(`${label(V3_FAST)}: a second interface with its own instance deleted: that instance FAULT, the other untouched; re-created: MASTER again`, async () => {
  const c = Cluster.create(1, 246);
  await inCluster(c, async () => {
    const [a, b] = [c.vip(), '10.250.246.100'];
    const h1 = c.lab.hosts[0];
    addLocalVeth(h1, 'eth1', '10.250.246.1/24');
    const text = configText([
      { name: 'VI_1', vrid: 51, priority: 150, version: 3, advertInt: 0.1, vips: [`${a}/24`], state: 'MASTER' },
      { name: 'VI_2', vrid: 52, priority: 150, version: 3, advertInt: 0.1, vips: [`${b}/24`], state: 'MASTER' },
    ]).replace(/(vrrp_instance VI_2 \{[^}]*?)interface eth0/, '$1interface eth1');
    c.start([text]);
    await c.waitHolder(a, 0, 10_000);
    await waitFor('VI_2 holds its VIP', () => allAddresses(h1).includes(b), 5000, 10);
    const fds = fdCount(c.vipds[0]);
    const t0 = Date.now();
    deleteLink(h1, 'eth1');
    await c.vipds[0].waitLog(/\(VI_2\) Entering FAULT STATE/, 2000, t0);
    const s = await c.vipds[0].status();
    assert.deepEqual(s.instances.map((i) => [i.name, i.state, i.vipsInstalled]), [['VI_1', 'MASTER', true], ['VI_2', 'FAULT', false]]);
    assert.ok(!allAddresses(h1).includes(b));
    const t1 = Date.now();
    addLocalVeth(h1, 'eth1', '10.250.246.1/24');
    await c.vipds[0].waitLog(/\(VI_2\) Entering MASTER STATE/, mdi(V3_FAST, 150) + 2000, t1);
    await waitFor('VI_2 holds its VIP again', () => allAddresses(h1).includes(b), 2000, 10);
    // VI_1, on eth0, never moved: master once since start, never released.
    const vi1 = (await c.vipds[0].status()).instances.find((i) => i.name === 'VI_1')!;
    assert.deepEqual([vi1.state, vi1.stats.become_master, vi1.stats.release_master], ['MASTER', 1, 0]);
    assert.equal(c.vipds[0].countLog(/\(VI_1\) Entering (MASTER|BACKUP|FAULT) STATE$/), 1);
    assertNoFdGrowth(c.vipds[0], fds, 'eth1 went and came back');
    await finish(c, [a, b]);
    assert.ok(!allAddresses(h1).includes(b), 'VI_2 removed its VIP from eth1 on exit');
  });
});

// The backup's raw socket fills while it is stopped: a flood of frames for no instance (VRID 99, unicast to h2) at
// 20 000/s overflows the daemon's 1 MiB receive buffer within ~75 ms (host/daemon/runtime.ts VRRP_RCVBUF), and h1's
// adverts that arrive meanwhile are dropped by the kernel too. The pause is short enough that the longest gap between adverts h2 can accept (pause + one
// interval + the fill time) stays under its Master_Down_Interval: the protocol predicts no transition.
for (const [t, subnet, pauseMs] of [[V3_FAST, 247, 200], [V2_SLOW, 249, 2000]] as const) {
  test(`${label(t)}: a full receive queue (h2 stopped ${pauseMs} ms under a flood): drained after SIGCONT, no transition, the kernel's drops counted and logged`, async () => {
    const c = Cluster.create(2, subnet);
    await inCluster(c, async () => {
      const vip = c.vip();
      await startPair(c, t, vip);
      const h2 = c.lab.hosts[1];
      const before = await Promise.all(c.vipds.map((v) => v.status()));
      const fds = fdCount(c.vipds[1]);
      const frame = advertFrame({ srcMac: c.client.mac, src: c.client.ipv4, dst: h2.ipv4, dstMac: h2.mac },
        { version: t.version, vrid: 99, priority: 100, interval: t.version === 2 ? 1 : 10, vips: [vip] });
      const flood = inject(c.lab, c.client, [frame], 20_000, pauseMs + 3000);
      await waitFor('the flood reaches h2', async () => (await c.vipds[1].status()).engine.unknown_vrid > before[1].engine.unknown_vrid, 5000, 10);
      const t0 = c.vipds[1].signal('SIGSTOP');
      await sleep(pauseMs);
      const t1 = c.vipds[1].signal('SIGCONT');
      const sent = (await flood).sent;
      await sleep(300);
      const after = await Promise.all(c.vipds.map((v) => v.status()));
      // The premise: the longest gap h2 can have seen stays under its Master_Down_Interval.
      assert.ok(t1 - t0 + t.adv * 1000 + 20 < mdi(t, PRIO[1]), `paused ${t1 - t0} ms: too long for a no-transition prediction`);
      const drops = after[1].engine.kernel_drops - before[1].engine.kernel_drops;
      const counted = after[1].engine.unknown_vrid - before[1].engine.unknown_vrid;
      assert.ok(drops > 0, 'the kernel dropped datagrams and h2 counted them');
      await c.vipds[1].waitLog(/eth0: receive queue full: the kernel dropped \d+ VRRP datagram\(s\) \(\d+ since the socket was opened\)/, 2000, t0);
      // Every flood frame h2's socket saw was either read and counted or dropped by the kernel (h1's lost adverts are
      // among the drops; frames lost before the socket are not, hence no exact sum).
      assert.ok(counted + drops <= sent + Math.ceil(pauseMs / (t.adv * 1000)) + 3, `${counted} counted + ${drops} dropped vs ${sent} sent`);
      assert.ok(counted > sent / 2, `h2 drained and kept up: ${counted} of ${sent} counted`);
      for (const [k, v] of c.vipds.entries()) {
        assert.equal(v.countLog(/Entering \w+ STATE/, t0), 0, `${v.host.name}: no state change`);
        assert.equal(after[k].instances[0].stats.become_master, before[k].instances[0].stats.become_master);
        assert.equal(after[k].instances[0].state, k === 0 ? 'MASTER' : 'BACKUP');
      }
      assert.deepEqual(c.holders(vip), [0]);
      assertNoFdGrowth(c.vipds[1], fds, 'the overflow');
      console.log(`${label(t)}: h2 stopped ${t1 - t0} ms; ${sent} frames sent, ${counted} read and counted, ${drops} dropped by the kernel`);
      await finish(c, [vip]);
    });
  });
}

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
    // `id -u > file`: the shell creates the file before id has written to it; wait for the whole line.
    const uidWritten = () => existsSync(join(out, 'uid')) && readFileSync(join(out, 'uid'), 'utf8').endsWith('\n');
    await waitFor('the script ran', uidWritten, 5000, 50);
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
    await waitFor('the safe script runs, now as root', uidWritten, 5000, 50);
    assert.equal(readFileSync(join(out, 'uid'), 'utf8').trim(), '0');
    assert.equal((await c.vipds[0].instance()).effectivePriority, 150, 'the refused script has no weight');
    await finish(c, [vip]);
  } finally {
    c.destroy();
    rmSync(dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
});
