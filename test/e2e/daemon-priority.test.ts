// keepalived's process-priority keywords: vrrp_rt_priority (SCHED_RR), vrrp_priority (nice) and vrrp_rlimit_rttime.
// The daemon's event-loop thread gets them; its other threads and every script it runs keep ordinary scheduling;
// a reload without them gives them back. Read from /proc and chrt(1), not from the daemon's own word. Subnet 70.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep, waitFor } from './helpers/wait.ts';
import { Cluster, configText } from './helpers/daemon.ts';

/** nice (field 19), rt_priority (40) and policy (41) of /proc/<pid>[/task/<tid>]/stat. */
function sched(path: string): { nice: number; rtPrio: number; policy: number } {
  const f = readFileSync(path, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' '); // rest[0] is field 3
  return { nice: Number(rest[16]), rtPrio: Number(rest[37]), policy: Number(rest[38]) };
}

/** Without a script for the reload: a script outside enable_script_security is an error that refuses a reload. */
function config(c: Cluster, script: string | null, globals: string[]): string {
  const track = script ? { extra: ['track_script {', '  chk', '}'] } : {};
  const text = configText([{ priority: 150, version: 3, advertInt: 0.1, vips: [`${c.vip()}/24`], ...track }]);
  return text.replace('global_defs {\n', `global_defs {\n${globals.map((g) => `  ${g}\n`).join('')}`) +
    (script ? `vrrp_script chk {\n  script "${script}"\n  interval 1\n}\n` : '');
}

test('vrrp_rt_priority 20 + vrrp_priority -5: SCHED_RR and nice -5 on the event-loop thread only; scripts run as SCHED_OTHER, nice 0; a reload without them restores both', async () => {
  const c = Cluster.create(1, 70);
  const out = join(tmpdir(), `vipd-prio-${process.pid}.stat`);
  const script = join(tmpdir(), `vipd-prio-${process.pid}.sh`);
  try {
    writeFileSync(script, `#!/bin/sh\ncat /proc/self/stat > ${out}.tmp && mv ${out}.tmp ${out}\n`);
    chmodSync(script, 0o755);
    const v = c.vipds[0];
    c.start([config(c, script, ['vrrp_rt_priority 20', 'vrrp_priority -5', 'vrrp_rlimit_rttime 20000'])]);
    await c.waitHolder(c.vip(), 0, 10_000);
    await waitFor('the script ran', () => existsSync(out), 5000, 50);
    const pid = v.child!.pid!;
    const main = sched(`/proc/${pid}/stat`);
    assert.deepEqual(main, { nice: -5, rtPrio: 20, policy: 2 }, 'event-loop thread: SCHED_RR 20, nice -5');
    assert.match(execFileSync('chrt', ['-p', String(pid)], { encoding: 'utf8' }), /SCHED_RR\|SCHED_RESET_ON_FORK/);
    const limit = /Max realtime timeout\s+(\d+)\s+(\S+)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    assert.equal(limit?.[1], '20000', 'RLIMIT_RTTIME soft limit from vrrp_rlimit_rttime');
    const others = readdirSync(`/proc/${pid}/task`).filter((t) => t !== String(pid)).map((t) => sched(`/proc/${pid}/task/${t}/stat`));
    // Helpers (V8's workers, libuv's pool) at start-up: SCHED_BATCH, so they never preempt the event loop;
    // threads started later (the script spawner): SCHED_OTHER (SCHED_RESET_ON_FORK) at the loop's nice, never realtime.
    assert.ok(others.length > 0 && others.every((t) => (t.policy === 0 || t.policy === 3) && t.rtPrio === 0),
      `other threads: ordinary or batch, never realtime: ${JSON.stringify(others)}`);
    assert.ok(others.filter((t) => t.policy === 3).length >= 4, `V8's helpers at SCHED_BATCH: ${JSON.stringify(others)}`);
    assert.deepEqual(sched(out), { nice: 0, rtPrio: 0, policy: 0 }, 'the script runs with ordinary scheduling');
    assert.ok(v.findLog(/realtime scheduling: SCHED_RR priority 20/), v.logText());

    // Reload without the keywords: back to ordinary scheduling.
    v.writeConfig(config(c, null, []));
    const since = Date.now();
    v.signal('SIGHUP');
    await v.waitLog(/Reloaded/, 5000, since);
    assert.deepEqual(sched(`/proc/${pid}/stat`), { nice: 0, rtPrio: 0, policy: 0 }, 'after the reload');
    assert.ok(v.findLog(/realtime scheduling turned off/, since), v.logText());
    assert.deepEqual(await c.stopAll([c.vip()]), []);
  } finally {
    c.destroy();
    for (const f of [out, script]) rmSync(f, { force: true });
  }
});

// A Node start-up (and a reload) is tens of milliseconds of work without sleeping, and 200 instances becoming
// master at once more: with keepalived's default vrrp_rlimit_rttime (10 ms) the first would run past the limit the
// moment realtime scheduling is on (SIGXCPU), and realtime would be gone before the first advert. Realtime is set
// once start-up is done and set aside during a reload; a SIGXCPU from a burst costs it for a second, after which
// it is back with the configured limit (the kernel raises the soft limit by a second per SIGXCPU).
test('vrrp_rt_priority with the default vrrp_rlimit_rttime (10 ms) and 200 instances: SCHED_RR after start-up, after 200 takeovers at once and after a reload', async () => {
  const c = Cluster.create(1, 88);
  try {
    const v = c.vipds[0];
    const many = (extra: boolean) => {
      const specs = Array.from({ length: 200 }, (_, k) => ({
        name: `VI_${k + 1}`, vrid: k + 1, priority: 150, version: 3 as const, advertInt: 1,
        vips: [`10.88.${k >> 8}.${k & 255}/32`, ...(extra ? [`10.89.${k >> 8}.${k & 255}/32`] : [])],
      }));
      return configText(specs).replace('global_defs {\n', 'global_defs {\n  vrrp_rt_priority 30\n');
    };
    const realtime = async (what: string) => {
      const pid = v.child!.pid!;
      const ok = () => {
        const limit = /Max realtime timeout\s+(\d+)\s+(\S+)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
        const s = sched(`/proc/${pid}/stat`);
        return limit?.[1] === '10000' && s.policy === 2 && s.rtPrio === 30;
      };
      // A SIGXCPU during the burst: ordinary scheduling for 1 s, then realtime again (bounded wait).
      await waitFor(`${what}: SCHED_RR 30 with RLIMIT_RTTIME 10000 us`, async () => ok(), 3000, 50).catch((e: Error) => {
        throw new Error(`${e.message}\n${readFileSync(`/proc/${pid}/limits`, 'utf8')}\n${v.logText()}`);
      });
    };
    c.start([many(false)]);
    await realtime('after start-up');
    assert.equal(v.countLog(/without sleeping/), 0, `start-up ran under ordinary scheduling\n${v.logText()}`);
    const back = v.logText().split('\n').find((l) => /realtime scheduling back \d+ ms after the start-up/.test(l));
    assert.ok(back, v.logText());
    console.log(back);
    await waitFor('200 masters', async () => (await v.status().catch(() => null))?.instances.filter((i) => i.state === 'MASTER').length === 200, 20_000, 100);
    await realtime('after 200 takeovers');

    // A reload that keeps the setting and adds a VIP to every instance (real work): realtime before and after.
    v.writeConfig(many(true));
    const since = Date.now();
    v.signal('SIGHUP');
    await v.waitLog(/Reloaded/, 10_000, since);
    await realtime('after the reload');
    console.log(`SIGXCPU answered ${v.countLog(/without sleeping/)} time(s) (logged at most once a minute)`);
    assert.deepEqual(await c.stopAll([]), []);
  } finally {
    c.destroy();
  }
});
