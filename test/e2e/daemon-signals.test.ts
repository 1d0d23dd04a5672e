// keepalived's dump signals on a running daemon: files written, counters cleared, and the process lives on
// (a real-time signal's default action would end it). Then SIGTERM: exit 0 with the VIP and both pid files gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../../host/lab/netns.ts';
import { projectPath } from '../../host/paths.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, f: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (f()) return;
  assert.fail(`timed out waiting for ${what}`);
}

test('SIGUSR1, SIGUSR2, SIGRTMIN+2 (JSON) and SIGRTMAX-1 (STATS_CLEAR) write keepalived\'s files; the daemon lives on; SIGTERM removes the VIP and the pid files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-e2e-signals-'));
  const lab = Lab.create({ hosts: 1, subnet: 57, client: false });
  try {
    const conf = join(dir, 'k.conf');
    writeFileSync(conf, 'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 57\n priority 255\n advert_int 0.1\n version 3\n virtual_ipaddress { 10.203.57.100/24 }\n}\n');
    const child = lab.spawn(lab.hosts[0], process.execPath, [projectPath('bin/vipd.js'), '-n', '-l', '-f', conf, '-p', join(dir, 'k.pid'), '-r', join(dir, 'v.pid')],
      { stdio: 'ignore', env: { ...process.env, TMPDIR: dir } });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await waitFor('the pid file', () => existsSync(join(dir, 'k.pid')));
    await sleep(800); // master, several adverts sent
    const pid = Number(readFileSync(join(dir, 'k.pid'), 'utf8'));
    process.kill(pid, 'SIGUSR1');
    await waitFor('keepalived.data', () => existsSync(join(dir, 'keepalived.data')));
    assert.match(readFileSync(join(dir, 'keepalived.data'), 'utf8'), /VRRP Instance = VI_1[\s\S]*State = MASTER/);
    process.kill(pid, 36);
    await waitFor('keepalived.json', () => existsSync(join(dir, 'keepalived.json')));
    const json = JSON.parse(readFileSync(join(dir, 'keepalived.json'), 'utf8'));
    assert.equal(json[0].data.iname, 'VI_1');
    assert.equal(json[0].data.state, 2);
    assert.ok(json[0].stats.advert_sent >= 5, `advert_sent ${json[0].stats.advert_sent}`);
    process.kill(pid, 63);
    await waitFor('keepalived.stats', () => existsSync(join(dir, 'keepalived.stats')));
    const before = Number(/Sent: (\d+)/.exec(readFileSync(join(dir, 'keepalived.stats'), 'utf8'))![1]);
    assert.ok(before >= 5);
    rmSync(join(dir, 'keepalived.stats'));
    await sleep(150);
    process.kill(pid, 'SIGUSR2');
    await waitFor('keepalived.stats again', () => existsSync(join(dir, 'keepalived.stats')));
    const after = Number(/Sent: (\d+)/.exec(readFileSync(join(dir, 'keepalived.stats'), 'utf8'))![1]);
    assert.ok(after < before && after <= 5, `counters cleared: ${before} then ${after}`);
    const vipHeld = () => lab.exec(lab.hosts[0], ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']).includes(' 10.203.57.100/24 ');
    assert.ok(vipHeld(), 'the master holds its VIP before the stop');
    process.kill(pid, 'SIGTERM');
    assert.equal(await Promise.race([exited, sleep(5000).then(() => 'timeout')]), 0);
    // The stop is complete when the process is gone: the VIP removed and both pid files deleted.
    assert.ok(!vipHeld(), 'SIGTERM removed the VIP');
    assert.ok(!existsSync(join(dir, 'k.pid')), 'the pid file (-p) is removed');
    assert.ok(!existsSync(join(dir, 'v.pid')), 'the VRRP pid file (-r) is removed');
  } finally {
    lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
