// Smallest stable interval: two hosts, one VRRPv3 instance (priorities 150/100); for each candidate advert_int,
// largest first, settle and then watch a window for any state change. Stops at the first candidate that flaps.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../../host/lab/netns.ts';
import { type Kind, VrrpDaemon } from '../../test/interop/helpers/daemons.ts';
import { benchConf } from './configs.ts';

export interface IntervalRun { kind: Kind; windowS: number; tried: { advertInt: number; spurious: number }[]; smallestStable: number | null }

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runSmallestInterval(o: { kind: Kind; candidates: number[]; windowS: number; log: (s: string) => void; subnet?: number }): Promise<IntervalRun> {
  const run: IntervalRun = { kind: o.kind, windowS: o.windowS, tried: [], smallestStable: null };
  for (const advertInt of [...o.candidates].sort((a, b) => b - a)) {
    const dir = mkdtempSync(join(tmpdir(), `vipd-bench-interval-${o.kind}-`));
    const lab = Lab.create({ hosts: 2, subnet: o.subnet ?? 95, client: false });
    let spurious = -1;
    try {
      const ds = lab.hosts.map((h) => new VrrpDaemon(lab, h, o.kind, join(dir, h.name)));
      ds.forEach((d, k) => d.writeConf(benchConf({ version: 3, advertInt, priority: k === 0 ? 150 : 100, nopreempt: false,
        instances: [{ name: 'VI_1', vrid: 51, ifname: 'eth0', vip: `10.203.${o.subnet ?? 95}.100/24` }] })));
      ds[1].start();
      ds[0].start();
      await ds[0].waitLog(/\(VI_1\) Entering MASTER STATE/, 0, 30_000);
      for (let i = 0; i < 300 && ds[1].state !== 'BACKUP'; i++) await sleep(50);
      await sleep(1000);
      const from = ds.map((d) => d.logs.length);
      await sleep(o.windowS * 1000);
      spurious = ds.reduce((s, d, k) => s + d.count(/Entering \w+ STATE/, from[k]), 0);
      await Promise.all(ds.map((d) => d.stop()));
    } catch (e) {
      o.log(`  ${o.kind} ${advertInt}s: ${(e as Error).message.split('\n')[0]}`);
    } finally {
      lab.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
    run.tried.push({ advertInt, spurious });
    o.log(`  ${o.kind} advert_int ${advertInt}: ${spurious} spurious transitions in ${o.windowS} s`);
    if (spurious !== 0) break;
    run.smallestStable = advertInt;
  }
  return run;
}
