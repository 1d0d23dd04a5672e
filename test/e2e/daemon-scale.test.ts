// Two of keepalived 2.2.7's measured shortfalls at scale (anchor-figures.md), as requirements: a cold start of one
// host with 1 000 instances at 0.1 s (keepalived: 14.5 s until every VIP is installed) and the exit on SIGTERM
// with those 1 000 VIPs to remove (keepalived: 2.2–2.6 s). vipd measures 0.9 s and 0.16 s on an idle machine
// (bench/side-by-side.bench.ts); the bounds here (4 s, 1 s) leave room for a loaded 2-core CI machine and still
// fail at keepalived's figures. Each instance must go MASTER exactly once (no flapping on the way up).
// One host alone; links eth0..eth3 (10.203.69-72.1), VIPs 10.203.73-76.v/32.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../../host/lab/netns.ts';
import { VrrpDaemon } from '../interop/helpers/daemons.ts';
import { benchConf } from '../../bench/interop/configs.ts';
import { PER_LINK, addLinks, instances, vipsPresent } from '../../bench/interop/multilab.ts';

const N = 1000;
const COLD_BOUND_MS = 4000;
const EXIT_BOUND_MS = 1000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

test(`cold start: one host, ${N} instances at 0.1 s, every VIP installed within ${COLD_BOUND_MS / 1000} s; SIGTERM removes them all and exits within ${EXIT_BOUND_MS} ms`,
  { timeout: 120_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'vipd-e2e-scale-'));
    const lab = Lab.create({ hosts: 1, subnet: 69, client: false });
    const h = lab.hosts[0];
    const d = new VrrpDaemon(lab, h, 'vipd', join(dir, 'h1'));
    try {
      const inst = instances(N, addLinks(lab, Math.ceil(N / PER_LINK), 69), 73);
      const vips = new Set(inst.map((i) => i.vip.split('/')[0]));
      d.writeConf(benchConf({ version: 3, advertInt: 0.1, priority: 100, nopreempt: false, instances: inst }));
      const t0 = performance.now();
      d.start();
      let allMs: number | null = null;
      for (let i = 0; i < 2000 && performance.now() - t0 < 30_000; i++) {
        if (vipsPresent(lab, h.ns, vips) === N) { allMs = performance.now() - t0; break; }
        await sleep(20);
      }
      t.diagnostic(`all ${N} VIPs after ${allMs?.toFixed(0)} ms (keepalived 2.2.7: 14 500 ms)`);
      assert.ok(allMs !== null, `every VIP installed (${vipsPresent(lab, h.ns, vips)} of ${N} after 30 s)\n${d.tail(10)}`);
      assert.ok(allMs < COLD_BOUND_MS, `all VIPs after ${allMs.toFixed(0)} ms, bound ${COLD_BOUND_MS} ms`);
      await sleep(1000); // a second of steady state: nobody may step back
      const masters = d.count(/^\(VI_\d+\) Entering MASTER STATE/);
      assert.equal(masters, N, 'each instance went MASTER exactly once');
      assert.equal(d.count(/Entering (BACKUP|FAULT) STATE$/), 0, 'and never back');

      const tTerm = performance.now();
      d.terminate();
      await Promise.race([d.exit, sleep(10_000)]);
      const exitMs = performance.now() - tTerm;
      t.diagnostic(`exit with ${N} VIPs to remove: ${exitMs.toFixed(0)} ms (keepalived 2.2.7: 2 200-2 600 ms)`);
      assert.ok(!d.running, 'the daemon exited');
      assert.ok(exitMs < EXIT_BOUND_MS, `exit took ${exitMs.toFixed(0)} ms, bound ${EXIT_BOUND_MS} ms`);
      assert.equal(vipsPresent(lab, h.ns, vips), 0, 'no VIP left behind');
      assert.match(d.tail(1), /--- exit 0 ---/);
    } finally {
      if (d.running) await d.kill9();
      lab.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
