// vipd and keepalived 2.2.7 on the same configuration: 100 vrrp_scripts at `interval 1` (/bin/true) tracked by one
// VRRPv3 instance, each daemon alone in its own lab namespace at the same time. CPU is utime+stime of the daemon's
// processes plus what their waited-for children used (cutime+cstime: the scripts), from /proc, over the window.
// Not a test: prints JSON and a Markdown table, writes bench/results/tracking-side-by-side.json.
//   node --import tsx bench/tracking-side-by-side.bench.ts [--scripts 100] [--window 20]
// --processes N instead tracks one vrrp_track_process (`sleep`, quorum N) with N extra `sleep` processes running
// (default 1 000; results in tracking-process-side-by-side.json): both follow the kernel's process events (vipd
// since native/proc_events.c; before, it scanned /proc once a second in a worker thread).
//   node --import tsx bench/tracking-side-by-side.bench.ts --processes 1000 [--window 20]
// VIPD_SPAWNER=child_process runs vipd with the pre-addon script spawning (fork of the daemon) for comparison; the
// results then go to bench/results/tracking-side-by-side-child_process.json.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../host/lab/netns.ts';
import { projectPath } from '../host/paths.ts';

const arg = (name: string, dflt: number) => {
  const k = process.argv.indexOf(`--${name}`);
  return k > 0 ? Number(process.argv[k + 1]) : dflt;
};
const PROCESSES = arg('processes', 0);
const SCRIPTS = PROCESSES > 0 ? 0 : arg('scripts', 100);
const WINDOW_S = arg('window', 20);
const TICK = 100; // USER_HZ
const SPAWNER = process.env.VIPD_SPAWNER === 'child_process' ? 'child_process' : 'native';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function config(subnet: number): string {
  if (PROCESSES > 0) {
    return `vrrp_track_process chk_sleep {\n  process sleep\n  quorum ${PROCESSES}\n  weight -2\n}\nvrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority 150\n  advert_int 1\n  version 3\n  virtual_ipaddress { 10.203.${subnet}.100/24 }\n  track_process {\n    chk_sleep\n  }\n}\n`;
  }
  const scripts = Array.from({ length: SCRIPTS }, (_, k) => `vrrp_script chk_${k} {\n  script "/bin/true"\n  interval 1\n  weight -2\n}\n`).join('');
  const track = Array.from({ length: SCRIPTS }, (_, k) => `    chk_${k}\n`).join('');
  return `global_defs {\n  script_user root\n}\n${scripts}vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority 150\n  advert_int 1\n  version 3\n  virtual_ipaddress { 10.203.${subnet}.100/24 }\n  track_script {\n${track}  }\n}\n`;
}

/** utime+stime+cutime+cstime in seconds of a process and its descendants still alive. */
function cpuOfTree(pid: number): number {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const d of all) {
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(d), Number(f[1]));
      cpu.set(Number(d), (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICK);
    } catch { /* gone */ }
  }
  let sum = 0;
  for (const [p, c] of cpu) {
    let q: number | undefined = p;
    for (let k = 0; k < 64 && q !== undefined && q > 1; k++) {
      if (q === pid) { sum += c; break; }
      q = parent.get(q);
    }
  }
  return sum;
}

async function measure(kind: 'vipd' | 'keepalived', subnet: number, dir: string) {
  const lab = Lab.create({ hosts: 1, subnet, client: false });
  try {
    const conf = join(dir, `${kind}.conf`);
    writeFileSync(conf, config(subnet));
    const h = lab.hosts[0];
    const common = ['-n', '-l', '-f', conf, '-p', join(dir, `${kind}.pid`), '-r', join(dir, `${kind}.vrrp.pid`)];
    const child: ChildProcess = kind === 'vipd'
      ? lab.spawn(h, process.execPath, [projectPath('bin/vipd.js'), ...common], { stdio: 'ignore' })
      : lab.spawn(h, 'keepalived', [...common, '-P', '-c', join(dir, 'checkers.pid')], { stdio: 'ignore', env: { ...process.env, TMPDIR: dir } });
    await sleep(5000); // start-up and the first round of scripts
    const pid = child.pid!;
    const c0 = cpuOfTree(pid);
    const t0 = performance.now();
    await sleep(WINDOW_S * 1000);
    const c1 = cpuOfTree(pid);
    const wall = (performance.now() - t0) / 1000;
    let rssMb = 0;
    try { rssMb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024; } catch { /* exited */ }
    child.kill('SIGTERM');
    await sleep(1500);
    return { daemon: kind, ...(kind === 'vipd' ? { spawner: SPAWNER } : {}), scripts: SCRIPTS, processes: PROCESSES, windowS: +wall.toFixed(1), cpuPercent: +((100 * (c1 - c0)) / wall).toFixed(2), rssMb: +rssMb.toFixed(1) };
  } finally {
    lab.destroy();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'vipd-bench-tracking-'));
const sleepers: ChildProcess[] = [];
try {
  for (let k = 0; k < PROCESSES; k++) sleepers.push(spawn('sleep', ['900'], { stdio: 'ignore' }));
  execFileSync('keepalived', ['--version'], { stdio: 'ignore' });
  const [v, k] = await Promise.all([measure('vipd', 181, dir), measure('keepalived', 182, dir)]);
  const results = { date: new Date().toISOString(), node: process.version, load: readFileSync('/proc/loadavg', 'utf8').trim(), runs: [v, k] };
  const out = PROCESSES > 0 ? 'tracking-process-side-by-side.json'
    : SPAWNER === 'native' ? 'tracking-side-by-side.json' : 'tracking-side-by-side-child_process.json';
  writeFileSync(projectPath(`bench/results/${out}`), JSON.stringify(results, null, 2) + '\n');
  console.log(JSON.stringify(results));
  console.log(`\n| daemon | vrrp_scripts at interval 1 | tracked processes | CPU (daemon + scripts), % of one core | RSS (MB) |\n|---|---|---|---|---|`);
  for (const r of results.runs) console.log(`| ${r.daemon} | ${r.scripts} | ${r.processes} | ${r.cpuPercent} | ${r.rssMb} |`);
} finally {
  for (const s of sleepers) s.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
