// Scale: N instances (VRRPv3) between two hosts, h1 priority 150 (master of all), h2 priority 100. The master starts
// alone and the backup joins once every instance is master: keepalived 2.2.7 started on both hosts at once flaps for
// minutes at these sizes (a known weakness, see docs/benchmarks.md), and this measures the steady state, not that.
// After the backup has settled too, a window measures each daemon's CPU (utime+stime over wall time) and RSS, the adverts per
// second the master puts on the wire, and state changes in the window (spurious: must be 0).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../../host/lab/netns.ts';
import { type Kind, VrrpDaemon } from '../../test/interop/helpers/daemons.ts';
import { benchConf } from './configs.ts';
import { PER_LINK, addLinks, countIn, cpuSeconds, instances, packetsFrom, pids, rssMb, states } from './multilab.ts';

export interface ScaleRun {
  kind: Kind;
  instances: number;
  advertInt: number;
  interfaces: number;
  windowS: number;
  settledS: number | null;
  advertsPerS: number;
  masterCpu: number;
  backupCpu: number;
  masterRssMb: number;
  backupRssMb: number;
  spurious: number;
  error?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const BASE = 60, VIP_BASE = 160;

export async function runScale(o: { kind: Kind; instances: number; advertInt: number; windowS: number; log: (s: string) => void }): Promise<ScaleRun> {
  const links = Math.ceil(o.instances / PER_LINK);
  const dir = mkdtempSync(join(tmpdir(), `vipd-bench-scale-${o.kind}-`));
  const lab = Lab.create({ hosts: 2, subnet: BASE, client: false });
  const run: ScaleRun = { kind: o.kind, instances: o.instances, advertInt: o.advertInt, interfaces: links, windowS: o.windowS, settledS: null,
    advertsPerS: NaN, masterCpu: NaN, backupCpu: NaN, masterRssMb: NaN, backupRssMb: NaN, spurious: NaN };
  try {
    const ifnames = addLinks(lab, links, BASE);
    const inst = instances(o.instances, ifnames, VIP_BASE);
    const [master, backup] = lab.hosts.map((h) => new VrrpDaemon(lab, h, o.kind, join(dir, h.name)));
    master.writeConf(benchConf({ version: 3, advertInt: o.advertInt, priority: 150, nopreempt: false, instances: inst }));
    backup.writeConf(benchConf({ version: 3, advertInt: o.advertInt, priority: 100, nopreempt: false, instances: inst }));
    const t0 = performance.now();
    master.start();
    for (let i = 0; i < 1800 && countIn(states(master), 'MASTER') < o.instances; i++) await sleep(100);
    if (countIn(states(master), 'MASTER') !== o.instances) throw new Error(`master alone: ${countIn(states(master), 'MASTER')}/${o.instances} master`);
    backup.start();
    for (let i = 0; i < 1800; i++) {
      if (countIn(states(master), 'MASTER') === o.instances && countIn(states(backup), 'BACKUP') === o.instances) break;
      await sleep(100);
    }
    if (countIn(states(backup), 'BACKUP') !== o.instances) throw new Error(`not settled: ${countIn(states(backup), 'BACKUP')}/${o.instances} backup`);
    run.settledS = (performance.now() - t0) / 1000;
    // Let the GARP bursts (garp_master_delay 5 s) and start-up work pass before measuring.
    await sleep(6000);
    for (const d of [master, backup]) if (!d.running) throw new Error(`${d.label} exited after settling:\n${d.tail(25)}`);
    const lines = [master.logs.length, backup.logs.length];
    const mp = pids(master), bp = pids(backup);
    const c0 = [cpuSeconds(mp), cpuSeconds(bp)], p0 = packetsFrom(lab, master.host.name), w0 = performance.now();
    await sleep(o.windowS * 1000);
    const wall = (performance.now() - w0) / 1000;
    const c1 = [cpuSeconds(mp), cpuSeconds(bp)], p1 = packetsFrom(lab, master.host.name);
    run.masterCpu = (c1[0] - c0[0]) / wall;
    run.backupCpu = (c1[1] - c0[1]) / wall;
    run.masterRssMb = rssMb(mp);
    run.backupRssMb = rssMb(bp);
    run.advertsPerS = (p1 - p0) / wall;
    run.spurious = master.count(/Entering \w+ STATE/, lines[0]) + backup.count(/Entering \w+ STATE/, lines[1]);
    o.log(`  ${o.kind} ${o.instances}x${o.advertInt}s: settled ${run.settledS.toFixed(1)} s, ${run.advertsPerS.toFixed(0)} adverts/s, ` +
      `CPU ${(run.masterCpu * 100).toFixed(1)} % / ${(run.backupCpu * 100).toFixed(1)} %, RSS ${run.masterRssMb.toFixed(1)} / ${run.backupRssMb.toFixed(1)} MB, spurious ${run.spurious}`);
    await Promise.all([master.stop(15_000), backup.stop(15_000)]);
  } catch (e) {
    run.error = (e as Error).message.split('\n')[0];
    o.log(`  ${o.kind} ${o.instances}x${o.advertInt}s: ${(e as Error).message}`);
  } finally {
    lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  return run;
}
