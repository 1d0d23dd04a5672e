// Shared shape of a fault scenario: a two-host cluster of real vipd processes (priority 150 on h1, 100 on h2),
// the protocol's numbers for the chosen version/interval, and the checks that close every scenario: each daemon
// exits on SIGTERM, no VIP is left on any host, no process is left in any host namespace (scripts included),
// and the file descriptors a daemon holds did not grow across the scenario. Subnets 210-249 belong to test/faults.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import assert from 'node:assert/strict';
import { Cluster, configText, masterDownMs, type InstanceSpec, type Vipd } from '../../e2e/helpers/daemon.ts';
import { nsProcesses } from '../../e2e/helpers/track.ts';
import { sleep, waitFor } from '../../e2e/helpers/wait.ts';
import { stopTcpdump, tcpdumpListening } from '../../e2e/helpers/capture.ts';

export { sleep, waitFor };

/** The two timings every scenario runs with (v2 only where a test says it adds something). */
export interface Timing { version: 2 | 3; adv: number }
export const V3_FAST: Timing = { version: 3, adv: 0.1 };
export const V2_SLOW: Timing = { version: 2, adv: 1 };
export const label = (t: Timing) => `v${t.version}/${t.adv} s`;

export const PRIO = [150, 100] as const;

/**
 * Slack on every timing bound: the machine has 2 cores and other suites run beside this one. keepalived's own
 * excess over the protocol's numbers is ~1 ms unloaded; what is asserted here is "no missed/extra protocol step",
 * not scheduling precision.
 */
export const MARGIN_MS = 150;

export function mdi(t: Timing, prio: number = PRIO[1]): number {
  return masterDownMs(t.adv, prio);
}

/** h1 (150, state MASTER) and h2 (100, BACKUP) sharing `vips`; `more` adds per-host instance fields. */
/** `global`: global_defs lines for both hosts, or one list per host. */
export function pairConfigs(t: Timing, vips: string[], more: Partial<InstanceSpec>[] = [{}, {}], global: string[] | [string[], string[]] = []): string[] {
  return PRIO.map((p, k) => {
    const text = configText([{ priority: p, version: t.version, advertInt: t.adv, vips, state: k === 0 ? 'MASTER' : 'BACKUP', ...more[k] }]);
    const g = (Array.isArray(global[0]) ? (global as string[][])[k] : global) as string[];
    return g.length === 0 ? text : text.replace('global_defs {\n', `global_defs {\n${g.map((x) => `  ${x}\n`).join('')}`);
  });
}

/** Start a pair and wait until h1 alone holds the VIP (start-up, not a timing check). */
export async function startPair(c: Cluster, t: Timing, vip: string, more?: Partial<InstanceSpec>[], global: string[] | [string[], string[]] = []): Promise<void> {
  c.start(pairConfigs(t, [`${vip}/24`], more, global));
  await c.waitHolder(vip, 0, 10_000 + 2 * mdi(t, PRIO[0]));
  await waitFor('h2 BACKUP', async () => (await c.vipds[1].instance().catch(() => null))?.state === 'BACKUP', 5000, 20);
}

/** Open file descriptors of a running daemon (ip netns exec execs node, so the child's pid is the daemon). */
export function fdCount(v: Vipd): number {
  return readdirSync(`/proc/${v.child!.pid}/fd`).length;
}

/** Live processes in the host namespaces other than the lab's own helpers (the echo responder). */
export function strayProcesses(c: Cluster): string[] {
  const out: string[] = [];
  for (const h of c.lab.hosts) {
    for (const p of nsProcesses(c.lab, h)) {
      if (p.state === 'Z' || p.cmdline.includes('probe.ts echo')) continue;
      out.push(`${h.name}: pid ${p.pid} ${p.cmdline.slice(0, 120)}`);
    }
  }
  return out;
}

/** Runs a scenario on a cluster: on failure the daemons' logs join the message; the cluster goes on every path. */
export async function inCluster(c: Cluster, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    (e as Error).message += `\n${c.logText()}`;
    throw e;
  } finally {
    c.destroy();
  }
}

/**
 * The end of every scenario: every daemon exits on SIGTERM, no VIP on any host, nothing left running in the host
 * namespaces. Throws with all problems and the logs.
 */
export async function finish(c: Cluster, vips: string[]): Promise<void> {
  const problems = await c.stopAll(vips);
  // Script children are reaped asynchronously by their worker; give them the STOP-notify grace (1 s) to go.
  await waitFor('no process left in the host namespaces', () => strayProcesses(c).length === 0, 3000, 50).catch(() => {
    problems.push(...strayProcesses(c).map((s) => `left running: ${s}`));
  });
  assert.deepEqual(problems, [], `clean end\n${c.logText()}`);
}

/** fd count before vs after a long scenario: a leak of one per event would show as dozens. */
export function assertNoFdGrowth(v: Vipd, before: number, what: string, slack = 2): number {
  const after = fdCount(v);
  assert.ok(after <= before + slack, `${v.host.name}: ${before} fds before ${what}, ${after} after`);
  return after;
}

/** Sample who holds the VIP every `everyMs` until `until()` resolves; returns the samples. */
export function sampleHolders(c: Cluster, vip: string, everyMs = 10): { samples: { t: number; holders: number[] }[]; stop: () => void } {
  const samples: { t: number; holders: number[] }[] = [];
  let on = true;
  void (async () => {
    for (let i = 0; on && i < 100_000; i++) {
      try { samples.push({ t: Date.now(), holders: c.holders(vip) }); } catch { /* namespace going away */ }
      await sleep(everyMs);
    }
  })();
  return { samples, stop: () => { on = false; } };
}

export interface Stamped { t: number; text: string }

/**
 * tcpdump -tt on an interface inside a namespace (the kernel's receive timestamps, in ms); resolves once it
 * listens. One line per packet (-q off, -v off: summary lines only).
 */
export async function captureIn(ns: string, ifname: string, filter: string, timeoutMs = 5000): Promise<{ packets: Stamped[]; stop: () => Promise<void> }> {
  const child = spawn('ip', ['netns', 'exec', ns, 'tcpdump', '--immediate-mode', '-i', ifname, '-tt', '-nn', '-l', '-B', '8192', ...filter.split(' ')],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const packets: Stamped[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      const m = /^(\d+\.\d+) /.exec(line);
      if (m) packets.push({ t: Number(m[1]) * 1000, text: line });
    }
  });
  await tcpdumpListening(child, timeoutMs);
  return {
    packets,
    stop: () => stopTcpdump(child),
  };
}
