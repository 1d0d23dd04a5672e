// Load time and memory for 1 000- and 10 000-instance configs generated with ~SEQ, like for like: `vipd -t` and
// `keepalived -t` each as a whole process under /usr/bin/time (wall time and max RSS, process start included),
// both in the same throw-away network namespace (keepalived never runs in the host's own). vipd's in-process load
// time and heap growth are reported beside, for the parser alone.
// Run: node --import tsx bench/config.bench.ts [--runs N]   (prints a table; writes bench/results/config.json)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, realSystem } from '../host/config/index.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const KEEPALIVED = '/usr/sbin/keepalived';
const runsAt = process.argv.indexOf('--runs');
// Without --runs, indexOf is -1 and argv[0] (node's path) is no number: the default must not come from there.
const RUNS = runsAt >= 0 ? Number(process.argv[runsAt + 1]) || 3 : 3;

function configText(n: number): string {
  // Unicast instances: VRIDs repeat every 250 but the peer sets are disjoint, so no VRID clash.
  return [
    '$INST=vrrp_instance VI_${p}_${v} { \\',
    '  interface eth0 \\',
    '  virtual_router_id ${v} \\',
    '  priority 100 \\',
    '  advert_int 1 \\',
    '  unicast_src_ip 10.203.0.1 \\',
    '  unicast_peer { 10.203.${p}.${v} } \\',
    '  virtual_ipaddress { 10.203.${p}.${v}/32 } \\',
    '}',
    `~SEQ(p, 1, 1, ${Math.ceil(n / 250)}) ~SEQ(v, 1, 1, 250) $INST`,
  ].join('\n') + '\n';
}

function newestUnder(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestUnder(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** bin/vipd.js runs the bundle only while it is newer than host/: build it, so vipd starts as users run it. */
function ensureBundle(): void {
  const bundle = join(ROOT, 'dist', 'vipd.mjs');
  if (existsSync(bundle) && statSync(bundle).mtimeMs > newestUnder(join(ROOT, 'host'))) return;
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-host.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

interface Measured { wallMs: number; maxRssMb: number; rc: number }

/** One process under /usr/bin/time in the namespace: wall time as time(1) reports it, max RSS in MB. */
function timed(ns: string, argv: string[]): Measured {
  const r = spawnSync('ip', ['netns', 'exec', ns, '/usr/bin/time', '-f', 'VIPDBENCH %e %M', ...argv], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 300_000 });
  const m = /VIPDBENCH (\S+) (\d+)\s*$/.exec(r.stderr ?? '');
  if (!m) throw new Error(`no /usr/bin/time output for ${argv.join(' ')}: ${(r.stderr ?? '').slice(-400)}`);
  return { wallMs: Number(m[1]) * 1000, maxRssMb: Number(m[2]) / 1024, rc: r.status ?? -1 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const ns = `vipd-cfgbench-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'vipd-cfgbench-'));
const cleanup = () => {
  try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); } catch { /* not created or gone */ }
  rmSync(dir, { recursive: true, force: true });
};
process.once('exit', cleanup);
for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => { cleanup(); process.exit(130); });

const rows: Record<string, number | string | null>[] = [];
try {
  ensureBundle();
  execFileSync('ip', ['netns', 'add', ns]);
  execFileSync('ip', ['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'p0']);
  execFileSync('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
  for (const n of [1000, 10000]) {
    const file = join(dir, `k${n}.conf`);
    writeFileSync(file, configText(n));
    const sys = { ...realSystem, interfaces: () => null };
    loadConfig(file, { system: sys }); // warm-up (JIT, module load)
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = process.hrtime.bigint();
    const r = loadConfig(file, { system: sys });
    const inProcMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const heapMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
    const v = Array.from({ length: RUNS }, () => timed(ns, [process.execPath, join(ROOT, 'bin', 'vipd.js'), '-t', '-f', file]));
    const pid = (x: string) => ['-p', join(dir, `${x}.pid`)];
    const k = existsSync(KEEPALIVED)
      ? Array.from({ length: RUNS }, () => timed(ns, [KEEPALIVED, '-t', '-f', file, ...pid('a'), '-r', join(dir, 'b.pid'), '-c', join(dir, 'c.pid')]))
      : null;
    rows.push({
      instances: n, parsed: r.config.instances.length,
      vipd_t_ms: Math.round(median(v.map((x) => x.wallMs))), vipd_t_maxrss_mb: +median(v.map((x) => x.maxRssMb)).toFixed(1), vipd_rc: v[0].rc,
      keepalived_t_ms: k && Math.round(median(k.map((x) => x.wallMs))), keepalived_t_maxrss_mb: k && +median(k.map((x) => x.maxRssMb)).toFixed(1), keepalived_rc: k && k[0].rc,
      vipd_inprocess_ms: +inProcMs.toFixed(1), vipd_inprocess_heap_mb: +heapMb.toFixed(1),
    });
  }
} finally {
  cleanup();
}
const out = { bench: 'config', date: new Date().toISOString(), node: process.version, cpus: cpus().length, load: loadavg().map((x) => x.toFixed(2)).join(' '), runs: RUNS, rows };
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'config.json'), JSON.stringify(out, null, 2) + '\n');
console.log('| instances | vipd -t | vipd max RSS | keepalived -t | keepalived max RSS | vipd in-process load (heap) |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.instances} | ${r.vipd_t_ms} ms | ${r.vipd_t_maxrss_mb} MB | ${r.keepalived_t_ms} ms | ${r.keepalived_t_maxrss_mb} MB | ${r.vipd_inprocess_ms} ms (${r.vipd_inprocess_heap_mb} MB) |`);
console.log(JSON.stringify(out));
