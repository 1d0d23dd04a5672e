// Misbehaving scripts around a live pair (v3/0.1 s). h1 tracks one vrrp_script (weight -60, timeout 1 s, fall 1,
// rise 1) whose behaviour a mode file picks: ok, flood (writes 64 MiB to stdout, then exits 0), hang (sleeps far
// past its timeout), crash (SIGSEGV on itself). h2's notify_master hangs forever every time it runs.
// Expected: flooding is still a success (h1 stays MASTER at 150, keeps advertising, its memory stays bounded);
// hanging and crashing are failures (150 - 60 = 90 < 100: h2 takes over) and each recovery gives the VIP back;
// the hung track script is killed (nothing of it left), the hung notifies block nothing, and at the end no process
// is left in any namespace and no fd has grown. Subnet 222.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from '../e2e/helpers/daemon.ts';
import { nsProcesses } from '../e2e/helpers/track.ts';
import {
  PRIO, V3_FAST, assertNoFdGrowth, fdCount, finish, label, mdi, pairConfigs, sleep, waitFor,
} from './helpers/scenario.ts';

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

test(`${label(V3_FAST)}: track script flooding stdout / hanging / crashing, notify_master hanging -> right priorities, no stall, nothing left`, async () => {
  const c = Cluster.create(2, 222);
  const dir = mkdtempSync(join(tmpdir(), 'vipd-faults-'));
  chmodSync(dir, 0o755);
  const hangMark = `sleep ${3100 + (process.pid % 89)}`;
  const notifyMark = `sleep ${5200 + (process.pid % 83)}`;
  try {
    const vip = c.vip();
    const mode = join(dir, 'mode');
    writeFileSync(mode, 'ok');
    const chk = join(dir, 'chk.sh');
    writeFileSync(chk, [
      '#!/bin/sh',
      `m=$(cat ${mode})`,
      'case "$m" in',
      '  flood) head -c 67108864 /dev/zero | tr "\\0" x; exit 0 ;;',
      `  hang) ${hangMark} ;;`,
      '  crash) kill -SEGV $$ ;;',
      'esac',
      'exit 0',
      '',
    ].join('\n'));
    chmodSync(chk, 0o755);
    const notify = join(dir, 'notify_master.sh');
    writeFileSync(notify, `#!/bin/sh\necho master >> ${join(dir, 'notified')}\n${notifyMark}\n`);
    chmodSync(notify, 0o755);
    const configs = pairConfigs(V3_FAST, [`${vip}/24`], [
      { extra: ['track_script {', '  chk', '}'] },
      { extra: [`notify_master ${notify}`] },
    ]).map((t, k) => (k === 0
      ? t.replace('vrrp_instance', `vrrp_script chk {\n  script "${chk}"\n  interval 1\n  timeout 1\n  weight -60\n  fall 1\n  rise 1\n}\nvrrp_instance`)
      : t));
    c.start(configs);
    await c.waitHolder(vip, 0, 10_000 + 2 * mdi(V3_FAST, PRIO[0]));
    await waitFor('h2 BACKUP', async () => (await c.vipds[1].instance().catch(() => null))?.state === 'BACKUP', 5000, 20);
    const fd0 = c.vipds.map(fdCount);
    const prio = async () => (await c.vipds[0].instance()).effectivePriority;

    // Flood: a success, however much it writes.
    const rss0 = rssKb(c.vipds[0].child!.pid!);
    const s0 = await c.vipds[0].instance();
    writeFileSync(mode, 'flood');
    await sleep(3500);
    const s1 = await c.vipds[0].instance();
    assert.equal(s1.state, 'MASTER');
    assert.equal(s1.effectivePriority, 150, 'a flooding script that exits 0 is a success');
    const sent = s1.stats.advert_sent - s0.stats.advert_sent;
    assert.ok(sent >= 30, `h1 kept advertising while the script flooded (${sent} adverts in 3.5 s)`);
    const rss1 = rssKb(c.vipds[0].child!.pid!);
    assert.ok(rss1 - rss0 < 64 * 1024, `h1's RSS ${rss0} -> ${rss1} kB: the 64 MiB of output were not kept`);
    assert.deepEqual(c.holders(vip), [0]);

    for (const m of ['hang', 'crash'] as const) {
      const t0 = Date.now();
      writeFileSync(mode, m);
      await waitFor(`${m}: h1 priority 90`, async () => (await prio()) === 90, 5000, 20);
      await c.waitHolder(vip, 1, 2000);
      assert.equal((await c.vipds[1].instance()).state, 'MASTER', `${m}: h2 MASTER`);
      const took = Date.now() - t0;
      writeFileSync(mode, 'ok');
      await waitFor(`${m}: h1 priority 150 again`, async () => (await prio()) === 150, 5000, 20);
      await c.waitHolder(vip, 0, 2000);
      if (m === 'hang') {
        await waitFor('the hung track script was killed', () => !nsProcesses(c.lab, c.lab.hosts[0]).some((p) => p.state !== 'Z' && p.cmdline.includes(hangMark)), 4000, 50)
          .catch(() => { throw new Error(`left alive: ${JSON.stringify(nsProcesses(c.lab, c.lab.hosts[0]))}`); });
      }
      console.log(`${m}: failover after ${took} ms`);
    }
    // Two takeovers, two notify_master scripts still hanging on h2; h2 went on working regardless.
    assert.equal(readFileSync(join(dir, 'notified'), 'utf8').split('\n').filter(Boolean).length, 2);
    const hung = nsProcesses(c.lab, c.lab.hosts[1]).filter((p) => p.state !== 'Z' && p.cmdline.includes(notifyMark));
    assert.equal(hung.length, 2, 'both hung notifies still running (nobody waits for notify scripts)');
    assert.equal((await c.vipds[1].instance()).state, 'BACKUP');
    c.vipds.forEach((v, k) => assertNoFdGrowth(v, fd0[k], 'the script faults'));
    await finish(c, [vip]); // also: the hung notifies are gone once h2 has stopped
  } finally {
    c.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
