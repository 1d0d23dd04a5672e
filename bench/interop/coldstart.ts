// Cold start: one host alone, N instances (VRRPv3, 0.1 s): from the process start until every instance has logged
// MASTER and every VIP is on its interface. The floor is one Master_Down_Interval (nobody else is there).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../../host/lab/netns.ts';
import { type Kind, VrrpDaemon } from '../../test/interop/helpers/daemons.ts';
import { benchConf, floorsMs } from './configs.ts';
import { PER_LINK, addLinks, countIn, instances, states, vipsPresent } from './multilab.ts';

export interface ColdStartRun { kind: Kind; instances: number; advertInt: number; allMasterS: number | null; allVipsS: number | null; floorS: number; error?: string }

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runColdStart(o: { kind: Kind; instances: number; advertInt: number; log: (s: string) => void }): Promise<ColdStartRun> {
  const dir = mkdtempSync(join(tmpdir(), `vipd-bench-cold-${o.kind}-`));
  const lab = Lab.create({ hosts: 1, subnet: 90, client: false });
  const run: ColdStartRun = { kind: o.kind, instances: o.instances, advertInt: o.advertInt, allMasterS: null, allVipsS: null,
    floorS: floorsMs(3, o.advertInt, 100).masterDown / 1000 };
  try {
    const inst = instances(o.instances, addLinks(lab, Math.ceil(o.instances / PER_LINK), 90), 190);
    const vips = new Set(inst.map((i) => i.vip.split('/')[0]));
    const d = new VrrpDaemon(lab, lab.hosts[0], o.kind, join(dir, 'h1'));
    d.writeConf(benchConf({ version: 3, advertInt: o.advertInt, priority: 100, nopreempt: false, instances: inst }));
    const t0 = performance.now();
    d.start();
    for (let i = 0; i < 6000 && performance.now() - t0 < 120_000; i++) {
      if (run.allMasterS === null && countIn(states(d), 'MASTER') === o.instances) run.allMasterS = (performance.now() - t0) / 1000;
      if (run.allMasterS !== null && vipsPresent(lab, lab.hosts[0].ns, vips) === o.instances) {
        run.allVipsS = (performance.now() - t0) / 1000;
        break;
      }
      await sleep(20);
    }
    o.log(`  ${o.kind}: all MASTER after ${run.allMasterS?.toFixed(2)} s, all VIPs after ${run.allVipsS?.toFixed(2)} s`);
    await d.stop(20_000);
  } catch (e) {
    run.error = (e as Error).message.split('\n')[0];
    o.log(`  ${o.kind}: ${run.error}`);
  } finally {
    lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  return run;
}
