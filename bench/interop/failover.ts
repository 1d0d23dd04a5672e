// Failover, side by side: the same lab (two VRRP hosts and a probing client on a bridge), the same configuration,
// run once with two vipd and once with two keepalived 2.2.7. Each trial fails the current master and measures, on
// the backup's own capture, the time from the old master's last advert (or its priority-0 advert) to the new
// master's first advert; from the same reference to the VIP appearing on the new master (ip monitor); and the
// longest gap the client saw. Priorities are equal with nopreempt, so the new master keeps the role and the next
// trial fails it: no preemption wait between trials.
import { type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, type LabHost } from '../../host/lab/netns.ts';
import { type Kind, VrrpDaemon, hasAddress } from '../../test/interop/helpers/daemons.ts';
import { benchConf, floorsMs } from './configs.ts';
import { type WireEvent, readPcap } from './pcap.ts';

export type Failure = 'link-cut' | 'blackhole' | 'sigkill' | 'graceful';
export const FAILURES: Failure[] = ['link-cut', 'blackhole', 'sigkill', 'graceful'];

export interface Interval { version: 2 | 3; advertInt: number }

export interface Trial {
  failure: Failure;
  /** ms from the old master's last advert (priority 0 for graceful) to the new master's first advert. */
  firstAdvertMs: number | null;
  /** ms from the same reference to the VIP being added on the new master. */
  vipMs: number | null;
  /** Longest gap in the client's replies around the trial (ms); 0 when there was none of >= 5 ms. */
  outageMs: number | null;
  floorMs: number;
}

export interface FailoverRun { kind: Kind; interval: Interval; trials: Trial[]; /** Why the run ended early. */ stopped?: string }

const PRIORITY = 100;
const PORT = 7017;
const ECHO = new URL('../../host/lab/probe.ts', import.meta.url).pathname;
const PROBER = new URL('./prober.ts', import.meta.url).pathname;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

/** `ip -ts monitor address` lines -> VIP additions with epoch µs. */
class AddressMonitor {
  readonly adds: number[] = [];
  private buf = '';
  constructor(lab: Lab, h: LabHost, vip: string) {
    const c = lab.spawn(h, 'ip', ['-ts', 'monitor', 'address'], { stdio: ['ignore', 'pipe', 'ignore'] });
    c.stdout!.on('data', (d: Buffer) => {
      const lines = (this.buf + d.toString()).split('\n');
      this.buf = lines.pop() ?? '';
      for (const l of lines) {
        const m = /^\[(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)\.(\d{6})\] (?!Deleted)\d+: \S+\s+inet6? ([0-9a-f.:]+)\//.exec(l);
        if (!m || m[8] !== vip) continue;
        const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
        this.adds.push(ms * 1000 + Number(m[7]));
      }
    });
  }
}

function startCapture(lab: Lab, h: LabHost, file: string): ChildProcess {
  return lab.spawn(h, 'tcpdump', ['--immediate-mode', '-i', 'eth0', '-nn', '-U', '-s', '128', '-w', file, 'ip proto 112 or arp'], { stdio: 'ignore' });
}

/** Drop everything entering or leaving one bridge port: the host keeps its link (no carrier loss) but is cut off. */
function blackhole(lab: Lab, h: LabHost, on: boolean): void {
  const script = on
    ? `table bridge benchhole\ndelete table bridge benchhole\ntable bridge benchhole {\n chain hole {\n  type filter hook forward priority 0; policy accept;\n  iifname "${h.bridgePort}" drop\n  oifname "${h.bridgePort}" drop\n }\n}\n`
    : 'table bridge benchhole\ndelete table bridge benchhole\n';
  execFileSync('ip', ['netns', 'exec', lab.bridgeNs, 'nft', '-f', '-'], { input: script, stdio: ['pipe', 'ignore', 'pipe'], timeout: 10_000 });
}

export interface FailoverOptions {
  kind: Kind;
  interval: Interval;
  trials: number;
  failures: Failure[];
  subnet: number;
  log: (s: string) => void;
}

export async function runFailover(o: FailoverOptions): Promise<FailoverRun> {
  const dir = mkdtempSync(join(tmpdir(), `vipd-bench-failover-${o.kind}-`));
  const lab = Lab.create({ hosts: 2, subnet: o.subnet, client: true });
  const vip = `10.203.${o.subnet}.100`;
  const { masterDown, skew } = floorsMs(o.interval.version, o.interval.advertInt, PRIORITY);
  const adv = o.interval.advertInt * 1000;
  const trials: (Trial & { tFailUs: number; master: number; backupIdx: number })[] = [];
  try {
    const daemons = lab.hosts.map((h) => new VrrpDaemon(lab, h, o.kind, join(dir, h.name)));
    const captures = lab.hosts.map((h) => join(dir, `${h.name}.pcap`));
    lab.hosts.forEach((h, k) => startCapture(lab, h, captures[k]));
    const monitors = lab.hosts.map((h) => new AddressMonitor(lab, h, vip));
    for (const h of lab.hosts) lab.spawn(h, process.execPath, ['--import', 'tsx', ECHO, 'echo', String(PORT), h.name], { stdio: 'ignore' });
    for (const d of daemons) {
      d.writeConf(benchConf({ version: o.interval.version, advertInt: o.interval.advertInt, priority: PRIORITY, nopreempt: true,
        instances: [{ name: 'VI_1', vrid: 51, ifname: 'eth0', vip: `${vip}/24` }] }));
      d.start();
    }
    const prober = lab.spawn(lab.client!, process.execPath, ['--import', 'tsx', PROBER, vip, String(PORT)], { stdio: ['ignore', 'pipe', 'ignore'] });
    let proberOut = '';
    prober.stdout!.on('data', (d: Buffer) => { proberOut += d.toString(); });

    const bound = 3 * masterDown + 15_000;
    const oneMaster = async () => {
      for (let i = 0; i < 2000; i++) {
        const m = daemons.findIndex((d) => d.state === 'MASTER');
        if (m >= 0 && daemons[1 - m].state === 'BACKUP' && hasAddress(lab, lab.hosts[m], vip) && !hasAddress(lab, lab.hosts[1 - m], vip)) return m;
        await sleep(20);
      }
      throw new Error(`no single master: ${daemons.map((d) => `${d.label}=${d.state}`).join(', ')}\n${daemons.map((d) => d.tail(40)).join('\n')}`);
    };
    await oneMaster();
    await sleep(2 * adv + 500);

    // A run that goes wrong mid-way keeps the trials it completed, and says why it stopped (stopped).
    let stopped: string | undefined;
    try {
      for (const failure of o.failures) {
        for (let t = 0; t < o.trials; t++) {
          const m = await oneMaster();
          const b = 1 - m;
          const M = daemons[m], B = daemons[b];
          // A random phase against the master's advert schedule, as a real failure would have.
          await sleep(Math.max(300, 3 * adv) + Math.random() * adv);
          const from = B.logs.length;
          const tFailUs = nowUs();
          if (failure === 'link-cut') lab.cutLink(M.host);
          else if (failure === 'blackhole') blackhole(lab, M.host, true);
          else if (failure === 'sigkill') await M.kill9();
          else M.terminate();
          await B.waitLog(/\(VI_1\) Entering MASTER STATE/, from, bound);
          await sleep(Math.max(250, 2 * adv));
          if (failure === 'link-cut') lab.restoreLink(M.host);
          else if (failure === 'blackhole') blackhole(lab, M.host, false);
          else {
            await M.exit;
            M.start();
          }
          trials.push({ failure, tFailUs, master: m, backupIdx: b, firstAdvertMs: null, vipMs: null, outageMs: null,
            floorMs: failure === 'graceful' ? skew : masterDown });
          // The healed side may briefly be master too (blackhole: it never heard the other): wait for one master.
          await oneMaster();
          // A heal can leave the client's ARP entry on the host that lost the tie-break: start each trial clean.
          lab.exec(lab.client!, ['ip', 'neigh', 'flush', 'all']);
          o.log(`  ${o.kind} v${o.interval.version}/${o.interval.advertInt}s ${failure} trial ${t + 1}/${o.trials} done`);
        }
      }
    } catch (e) {
      stopped = (e as Error).message;
      o.log(`  ${o.kind} v${o.interval.version}/${o.interval.advertInt}s: stopped after ${trials.length} trials: ${stopped}`);
    }
    prober.kill('SIGTERM');
    await new Promise((r) => prober.on('exit', r));
    for (const d of daemons) await d.stop();
    await sleep(300);
    const gaps = (JSON.parse(proberOut.trim().split('\n').pop() || '{"gaps":[]}') as { gaps: { fromMs: number; toMs: number; lengthMs: number }[] }).gaps;
    const wire = captures.map((f) => readPcap(f));
    const src = lab.hosts.map((h) => h.ipv4);
    for (const tr of trials) {
      const seen: WireEvent[] = wire[tr.backupIdx];
      const first = seen.find((e) => e.kind === 'vrrp' && e.addr === src[tr.backupIdx] && e.us > tr.tFailUs && (e.priority ?? 0) > 0);
      if (!first) continue;
      const olds = seen.filter((e) => e.kind === 'vrrp' && e.addr === src[tr.master] && e.us < first.us &&
        (tr.failure !== 'graceful' || e.priority === 0));
      const ref = olds[olds.length - 1];
      if (!ref) continue;
      tr.firstAdvertMs = (first.us - ref.us) / 1000;
      const add = monitors[tr.backupIdx].adds.find((us) => us > tr.tFailUs);
      tr.vipMs = add === undefined ? null : (add - ref.us) / 1000;
      // Gaps that started before the new master spoke and ended after the failure: this trial's outage.
      const lo = tr.tFailUs / 1000 - adv, hi = first.us / 1000 + 50;
      const overlapping = gaps.filter((g) => g.toMs >= lo && g.fromMs <= hi);
      tr.outageMs = overlapping.length ? Math.max(...overlapping.map((g) => g.lengthMs)) : 0;
    }
    return { kind: o.kind, interval: o.interval, trials: trials.map(({ tFailUs: _a, master: _b, backupIdx: _c, ...t }) => t),
      ...(stopped ? { stopped: stopped.split('\n')[0] } : {}) };
  } finally {
    lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
