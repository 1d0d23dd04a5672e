// The interop script every mixed pair goes through, and the checks on what each side counted and what tshark saw.
// Steps (the higher-priority daemon is `high`):
//   start both -> high is the only master and the only VIP holder
//   SIGKILL high -> low takes over; restart high -> it removes its stale VIP and preempts
//   cut high's link -> high goes FAULT, low takes over; restore -> high preempts again
//   SIGTERM high -> priority 0 -> low takes over after Skew_Time (well before Master_Down_Interval); restart -> preempt
import assert from 'node:assert/strict';
import { dissectionProblems, handoverMs } from './capture.ts';
import type { Mode } from './conf.ts';
import type { Kind, VrrpDaemon } from './daemons.ts';
import { LOW_PRIORITY, Pair } from './pair.ts';

/** keepalived.stats counters that our packets must never move (2.2.7 has no checksum counter: see logErrors). */
export const KEEPALIVED_ERROR_COUNTERS = [
  'Packet Errors.Length', 'Packet Errors.TTL', 'Packet Errors.Invalid Type', 'Packet Errors.Address List',
  'Authentication Errors.Invalid Type', 'Authentication Errors.Type Mismatch', 'Authentication Errors.Failure',
];

/** vipd's receive-error counters (status --json), for keepalived's packets. */
export const VIPD_ERROR_COUNTERS = [
  'packet_len_err', 'ip_ttl_err', 'invalid_type_rcvd', 'addr_list_err', 'invalid_authtype', 'authtype_mismatch',
  'auth_failure', 'version_err', 'checksum_err', 'ip_len_err', 'mcast_mismatch', 'unicast_src_err',
] as const;

/** keepalived 2.2.7's per-instance log lines for a packet it refused (vrrp_check_packet): checksum, length, TTL,
 * auth, version, address list, interval, and the unicast checksum fallback. */
const KEEPALIVED_REFUSALS = /^\(VI_1\) .*(checksum|ttl|auth|mismatch|invalid|length|address|wrong|version)/i;

/** Configuration advice keepalived prints at start, not about packets (our IPv6 VIPs are global on purpose). */
const NOT_REFUSALS = /the first IPv6 VIP address should be link local/;

export function refusalLines(d: VrrpDaemon, allow?: RegExp): string[] {
  return d.logs.map((l) => l.line).filter((l) => KEEPALIVED_REFUSALS.test(l) && !NOT_REFUSALS.test(l) && !(allow?.test(l)));
}

/** Sample keepalived's counters (its process restarts reset them, so sample before each stop too). */
export class KeepalivedCounters {
  readonly samples: Record<string, number>[] = [];
  async sample(d: VrrpDaemon): Promise<void> {
    if (d.kind === 'keepalived' && d.running) this.samples.push(await d.statsDump());
  }
  total(key: string): number { return this.samples.reduce((s, x) => s + (x[key] ?? 0), 0); }
  errors(keys = KEEPALIVED_ERROR_COUNTERS): string[] {
    return keys.filter((k) => this.total(k) > 0).map((k) => `${k}=${this.total(k)}`);
  }
}

/** Stop the capture and have tshark dissect every VRRP packet vipd sent: none malformed, every checksum good. */
export async function assertCleanWire(p: Pair): Promise<number> {
  await p.capture.stop();
  const d = await p.capture.dissect(p.vipdSources(), { v3ChecksumAsV2: p.opts.mode.checksumAsV2 });
  assert.ok(d.totalFromSources >= 1, `tshark saw ${d.totalFromSources} packets from vipd`);
  assert.deepEqual(dissectionProblems(d, p.opts.mode.version).slice(0, 10), []);
  return d.totalFromSources;
}

export interface CaseReport {
  steps: Record<string, number>;
  vipdPackets: number;
}

export async function fullCase(mode: Mode, high: Kind, subnet: number, log: (s: string) => void = () => {}): Promise<CaseReport> {
  const p = await Pair.create({ mode, high, subnet });
  const steps: Record<string, number> = {};
  const counters = new KeepalivedCounters();
  let ok = false;
  try {
    const ka = p.keepalived;
    const step = async (name: string, f: () => Promise<number>) => {
      try {
        steps[name] = Math.round(await f());
      } catch (e) {
        throw new Error(`[${mode.name}, ${high} high] step "${name}": ${(e as Error).message}`);
      }
    };
    p.low.start();
    p.high.start();
    await step('elected', () => p.waitSettled(p.high));
    await p.assertStable(Math.max(300, mode.advertInt * 1000 * 1.5));

    await counters.sample(ka);
    await p.high.kill9();
    await step('sigkill: low takes over', () => p.waitMaster(p.low));
    p.high.start();
    await step('restart: high preempts', () => p.waitSettled(p.high));

    p.lab.cutLink(p.high.host);
    await step('link cut: low takes over', () => p.waitSettled(p.low, undefined, ['FAULT']));
    p.lab.restoreLink(p.high.host);
    await step('link restored: high preempts', () => p.waitSettled(p.high));

    await counters.sample(ka);
    const lowFrom = p.low.logs.length;
    p.high.terminate();
    await step('sigterm: low takes over', () => p.waitMaster(p.low));
    await p.high.exit;
    await p.low.waitLog(/\(VI_1\) Backup received priority 0 advertisement/, lowFrom, 1000);
    p.high.start();
    await step('restart after stop: high preempts', () => p.waitSettled(p.high));
    await p.assertStable(Math.max(300, mode.advertInt * 1000 * 1.5));
    await counters.sample(ka);

    // keepalived's own verdict on every packet vipd sent it.
    assert.deepEqual(counters.errors(), [], `keepalived counted errors: ${counters.errors().join(', ')}`);
    assert.equal(counters.total('Packet Errors.Advertisement Interval'), 0);
    assert.deepEqual(refusalLines(ka), [], 'keepalived logged refusals');
    if (high === 'vipd') assert.ok(counters.total('Priority Zero.Received') >= 1, 'keepalived counted our priority-0 advert');
    // vipd's verdict on keepalived's packets.
    const st = (await p.vipd.vipdStatus()).instances[0];
    const vErr = VIPD_ERROR_COUNTERS.filter((k) => st.stats[k] > 0).map((k) => `${k}=${st.stats[k]}`);
    assert.deepEqual(vErr, [], `vipd counted errors: ${vErr.join(', ')}`);
    assert.ok(st.stats.advert_rcvd > 0, 'vipd received adverts');
    if (mode.version === 3 && mode.family === 4) {
      assert.ok(st.stats.csum_pseudo > 0 && st.stats.csum_plain === 0 && st.stats.csum_old_unicast === 0,
        `keepalived 2.2.7's v3 checksums are pseudo-header ones (${st.stats.csum_pseudo}/${st.stats.csum_plain}/${st.stats.csum_old_unicast})`);
    }
    // tshark's verdict on every VRRP packet vipd sent.
    const vipdPackets = await assertCleanWire(p);
    // The graceful hand-over on the wire: the low side's first advert comes Skew_Time after the priority-0 one,
    // long before Master_Down_Interval (it understood the resignation).
    const seen = await p.capture.adverts();
    const handover = handoverMs(seen, p.sources(p.high), p.sources(p.low));
    assert.ok(handover !== undefined, `priority-0 advert and takeover both on the wire; high ${p.sources(p.high)}, low ${p.sources(p.low)}, ` +
      `priority-0 adverts seen: ${JSON.stringify(seen.filter((a) => a.priority === 0))}, last adverts: ${JSON.stringify(seen.slice(-6))}`);
    steps['wire: priority 0 -> new master advert (ms)'] = Math.round(handover * 10) / 10;
    const skew = p.masterDownMs(LOW_PRIORITY) - 3 * mode.advertInt * 1000;
    assert.ok(handover >= skew - 2 && handover < p.masterDownMs(LOW_PRIORITY) - mode.advertInt * 1000,
      `graceful hand-over took ${handover.toFixed(1)} ms on the wire; Skew_Time is ${skew.toFixed(1)} ms`);
    log(`${mode.name} ${high}-high: ${JSON.stringify(steps)}; vipd packets dissected: ${vipdPackets}`);
    ok = true;
    return { steps, vipdPackets };
  } catch (e) {
    (e as Error).message += `\n--- transcript (kept in ${p.dir}) ---\n${p.transcript().split('\n').slice(-60).join('\n')}`;
    throw e;
  } finally {
    p.destroy(!ok);
  }
}
