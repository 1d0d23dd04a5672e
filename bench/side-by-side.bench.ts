// vipd and keepalived 2.2.7 side by side, in network namespaces, same topology and configurations:
// failover (link cut, blackhole, SIGKILL, graceful), scale (CPU, RSS, adverts/s, spurious transitions), cold start,
// and the smallest stable advert interval. Writes bench/results/side-by-side.{json,md} and side-by-side-failover.svg.
// Needs root, keepalived, tcpdump. Run: node --import tsx bench/side-by-side.bench.ts [--help]
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FAILURES, type Failure, type FailoverRun, type Interval, runFailover } from './interop/failover.ts';
import { type ScaleRun, runScale } from './interop/scale.ts';
import { type ColdStartRun, runColdStart } from './interop/coldstart.ts';
import { type IntervalRun, runSmallestInterval } from './interop/interval.ts';
import { failoverSvg, markdownReport } from './interop/report.ts';
import type { Kind } from '../test/interop/helpers/daemons.ts';

const { values: f } = parseArgs({
  options: {
    parts: { type: 'string', default: 'failover,scale,cold,interval' },
    trials: { type: 'string', default: '20' },
    'v2-trials': { type: 'string', default: '5' },
    intervals: { type: 'string', default: '2:1,3:0.1,3:0.05' },
    failures: { type: 'string', default: FAILURES.join(',') },
    'scale-sizes': { type: 'string', default: '1,100,255,1000' },
    'scale-intervals': { type: 'string', default: '1,0.1' },
    'scale-window': { type: 'string', default: '20' },
    'cold-instances': { type: 'string', default: '1000' },
    'stable-window': { type: 'string', default: '60' },
    'stable-candidates': { type: 'string', default: '0.05,0.03,0.02,0.01' },
    out: { type: 'string', default: new URL('./results/', import.meta.url).pathname },
    help: { type: 'boolean', default: false },
  },
});
if (f.help) {
  process.stdout.write(`node --import tsx bench/side-by-side.bench.ts [options]
  --parts LIST              failover,scale,cold,interval (default all)
  --trials N                failover trials per case for VRRPv3 (default 20)
  --v2-trials N             failover trials per case for VRRPv2 at 1 s (default 5: each costs ~8 s)
  --intervals LIST          version:advert_int pairs (default 2:1,3:0.1,3:0.05)
  --failures LIST           link-cut,blackhole,sigkill,graceful
  --scale-sizes LIST        instance counts (default 1,100,255,1000; 5000 works but takes minutes)
  --scale-intervals LIST    advert_int values for the scale runs (VRRPv3; default 1,0.1)
  --scale-window S          measured steady-state window per scale point (default 20 s)
  --cold-instances N        instances for the cold start (default 1000)
  --stable-window S         window per candidate interval (default 60 s)
  --stable-candidates LIST  advert_int values tried, largest first (default 0.05,0.03,0.02,0.01)
  --out DIR                 where the results go (default bench/results/)
`);
  process.exit(0);
}
const parts = new Set(f.parts!.split(','));
const log = (s: string) => process.stderr.write(s + '\n');
const KINDS: Kind[] = ['vipd', 'keepalived'];
const results: { startedAt: string; host: string; failover: FailoverRun[]; scale: ScaleRun[]; cold: ColdStartRun[]; interval: IntervalRun[] } =
  { startedAt: new Date().toISOString(), host: `${process.platform} ${process.arch}, node ${process.version}`, failover: [], scale: [], cold: [], interval: [] };
const t0 = Date.now();
// Written after every section, so an interrupted run still leaves what it measured.
function save(): void {
  mkdirSync(f.out!, { recursive: true });
  const stamp = { ...results, elapsedS: (Date.now() - t0) / 1000 };
  writeFileSync(`${f.out}/side-by-side.json`, JSON.stringify(stamp, null, 2) + '\n');
  writeFileSync(`${f.out}/side-by-side.md`, markdownReport(stamp));
  if (results.failover.length) writeFileSync(`${f.out}/side-by-side-failover.svg`, failoverSvg(results.failover));
}

if (parts.has('failover')) {
  const intervals: Interval[] = f.intervals!.split(',').map((x) => {
    const [v, a] = x.split(':');
    return { version: Number(v) as 2 | 3, advertInt: Number(a) };
  });
  const failures = f.failures!.split(',') as Failure[];
  let subnet = 120;
  for (const interval of intervals) {
    const trials = interval.version === 2 ? Number(f['v2-trials']) : Number(f.trials);
    log(`failover: v${interval.version} ${interval.advertInt} s, ${trials} trials x ${failures.join('/')}, both daemons side by side`);
    // The two daemons run at the same time in two labs: same machine load for both.
    const runs = await Promise.allSettled(KINDS.map((kind) => runFailover({ kind, interval, trials, failures, subnet: ++subnet, log })));
    for (const r of runs) {
      if (r.status === 'fulfilled') results.failover.push(r.value);
      else log(`  failover run failed: ${(r.reason as Error).message.split('\n').slice(0, 12).join('\n')}`);
    }
    save();
  }
}
if (parts.has('scale')) {
  for (const size of f['scale-sizes']!.split(',').map(Number)) {
    for (const advertInt of f['scale-intervals']!.split(',').map(Number)) {
      for (const kind of KINDS) {
        log(`scale: ${kind}, ${size} instances at ${advertInt} s`);
        results.scale.push(await runScale({ kind, instances: size, advertInt, windowS: Number(f['scale-window']), log }));
        save();
      }
    }
  }
}
if (parts.has('cold')) {
  for (const kind of KINDS) {
    log(`cold start: ${kind}, ${f['cold-instances']} instances`);
    results.cold.push(await runColdStart({ kind, instances: Number(f['cold-instances']), advertInt: 0.1, log }));
    save();
  }
}
if (parts.has('interval')) {
  log(`smallest stable interval: both daemons side by side, ${f['stable-window']} s per candidate`);
  results.interval.push(...await Promise.all(KINDS.map((kind, k) =>
    runSmallestInterval({ kind, candidates: f['stable-candidates']!.split(',').map(Number), windowS: Number(f['stable-window']), log, subnet: 95 + k }))));
}

save();
log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s; results in ${f.out}`);
