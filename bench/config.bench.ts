// Load time and memory for 1 000- and 10 000-instance configs generated with ~SEQ, against keepalived -t.
// Run: node --import tsx bench/config.bench.ts   (prints a table, then one JSON line)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, realSystem } from '../host/config/index.ts';

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

const rows: { instances: number; vipd_ms: number; vipd_heap_mb: number; parsed: number; keepalived_ms: number | null; keepalived_rc: number | null; keepalived_maxrss_mb: number | null }[] = [];
const dir = mkdtempSync(join(tmpdir(), 'vipd-cfgbench-'));
try {
  for (const n of [1000, 10000]) {
    const file = join(dir, `k${n}.conf`);
    writeFileSync(file, configText(n));
    const sys = { ...realSystem, interfaces: () => null };
    loadConfig(file, { system: sys }); // warm-up (JIT, module load)
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = process.hrtime.bigint();
    const r = loadConfig(file, { system: sys });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const heap = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
    let kms: number | null = null, krc: number | null = null, krss: number | null = null;
    if (existsSync('/usr/sbin/keepalived')) {
      const k0 = process.hrtime.bigint();
      const k = spawnSync('/usr/bin/time', ['-f', '%M', '/usr/sbin/keepalived', '-t', '-f', file, '-p', join(dir, 'a'), '-r', join(dir, 'b'), '-c', join(dir, 'c')], { encoding: 'utf8', maxBuffer: 1 << 28 });
      kms = Number(process.hrtime.bigint() - k0) / 1e6;
      krc = k.status;
      const m = /(\d+)\s*$/.exec(k.stderr ?? '');
      krss = m ? Number(m[1]) / 1024 : null;
    }
    rows.push({ instances: n, vipd_ms: +ms.toFixed(1), vipd_heap_mb: +heap.toFixed(1), parsed: r.config.instances.length, keepalived_ms: kms && +kms.toFixed(1), keepalived_rc: krc, keepalived_maxrss_mb: krss && +krss.toFixed(1) });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log('instances  vipd load ms  vipd heap MB  parsed  keepalived -t ms  keepalived maxrss MB');
for (const r of rows) console.log(`${String(r.instances).padStart(9)}  ${String(r.vipd_ms).padStart(12)}  ${String(r.vipd_heap_mb).padStart(12)}  ${String(r.parsed).padStart(6)}  ${String(r.keepalived_ms).padStart(16)}  ${String(r.keepalived_maxrss_mb).padStart(20)}`);
console.log(JSON.stringify({ bench: 'config', rows }));
