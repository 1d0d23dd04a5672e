// The timeline and the summary as text, in keepalived's log words ("(VI_51) Entering MASTER STATE") so that a
// simulated run reads like the logs of the real thing.
import type { ResolvedScenario, SimEvent } from './scenario.ts';
import { vipOf } from './scenario.ts';
import type { Summary, Outcome } from './summary.ts';
import type { TimelineEntry } from './timeline.ts';
import { fmtMs } from './units.ts';
import type { LanCounters } from './lan.ts';

const instanceName = (vrid: number): string => `VI_${vrid}`;

export function describeEvent(s: ResolvedScenario, e: SimEvent, node: number | null): string {
  const name = (k: number | null) => (k === null ? '(no master)' : s.nodes[k].name);
  switch (e.kind) {
    case 'start': return `${name(e.node)} started`;
    case 'restart': return `${name(e.node)} restarted`;
    case 'kill': return `${name(e.node)} killed (silent: no priority 0 advert)`;
    case 'stop': return `${name(e.node)} stopping gracefully`;
    case 'kill-master': return `killing the master: ${name(node)}`;
    case 'stop-master': return `stopping the master gracefully: ${name(node)}`;
    case 'isolate-master': return `partition: the master ${name(node)} alone`;
    case 'partition': {
      const listed = new Set(e.groups.flat());
      const rest = s.nodes.filter((n) => !listed.has(n.index)).map((n) => n.index);
      const groups = rest.length ? [...e.groups, rest] : e.groups;
      return `partition: ${groups.map((g) => `[${g.map(name).join(' ')}]`).join(' | ')}`;
    }
    case 'heal': return 'partition healed';
    case 'cut': return `${name(e.node)} link cut`;
    case 'uncut': return `${name(e.node)} link restored`;
    case 'fault': return `${name(e.node)} ${e.on ? 'fault raised' : 'fault cleared'}${e.vrid ? ` on ${instanceName(e.vrid)}` : ''}`;
    case 'adjust': return `${name(e.node)} tracker weight ${e.delta >= 0 ? '+' : ''}${e.delta}${e.vrid ? ` on ${instanceName(e.vrid)}` : ''}`;
    case 'impair': return `LAN impairment now ${JSON.stringify(e.lan)}`;
  }
}

/** One line per entry: time in ms, node, message. Entries with nothing to say are skipped. */
export function formatTimeline(s: ResolvedScenario, tl: readonly TimelineEntry[]): string[] {
  const lines: string[] = [];
  const width = Math.max(4, ...s.nodes.map((n) => n.name.length));
  const eff = new Map<string, number>();
  const prio = (node: number, vrid: number) => eff.get(`${node}/${vrid}`) ?? s.nodes[node].priorities[s.vrids.indexOf(vrid)];
  const line = (t: number, who: string, msg: string) => lines.push(`${fmtMs(t).padStart(12)} ms  ${who.padEnd(width)}  ${msg}`);
  tl.forEach((e, k) => {
    if (e.kind === 'event') { line(e.t, '--', `*** ${describeEvent(s, e.event, e.node)} ***`); return; }
    const who = s.nodes[e.node].name;
    const vi = `(${instanceName(e.vrid)})`;
    switch (e.kind) {
      case 'state':
        if (e.to === 'MASTER') {
          if (e.reason === 'master-down') line(e.t, who, `${vi} Receive advertisement timeout`);
          if (e.reason === 'priority-zero') line(e.t, who, `${vi} Backup received priority 0 advertisement`);
          line(e.t, who, `${vi} Entering MASTER STATE`);
        } else if (e.to === 'BACKUP') {
          if (e.reason === 'higher-priority') {
            const nm = tl.slice(k + 1).find((x) => x.kind === 'new-master' && x.node === e.node && x.vrid === e.vrid && x.t === e.t);
            if (nm && nm.kind === 'new-master') {
              line(e.t, who, `${vi} Master received advert from ${nm.address} with higher priority ${nm.priority}, ours ${prio(e.node, e.vrid)}`);
            }
          }
          line(e.t, who, `${vi} Entering BACKUP STATE${e.from === 'INIT' ? ' (init)' : ''}`);
        } else if (e.to === 'FAULT') {
          line(e.t, who, `${vi} Entering FAULT STATE${e.from === 'INIT' ? ' (init)' : ''}`);
        } else if (e.to === 'INIT' && e.from === 'MASTER') {
          line(e.t, who, `${vi} sent 0 priority`);
        } else if (e.to === 'DOWN' && e.reason === 'stopped') {
          line(e.t, who, `${vi} Stopped`);
        }
        break;
      case 'vip-add': line(e.t, who, `${vi} setting VIPs.`); break;
      case 'vip-del': line(e.t, who, e.cause === 'killed' ? `${vi} VIPs gone with the node` : `${vi} removing VIPs.`); break;
      case 'announce':
        line(e.t, who, `${vi} Sending/queueing ${s.family === 4 ? 'gratuitous ARPs' : 'Unsolicited Neighbour Adverts'} on lan0 for ${vipOf(s.family, e.vrid)} (${e.rounds} rounds, ${e.cause})`);
        break;
      case 'priority':
        eff.set(`${e.node}/${e.vrid}`, e.to);
        line(e.t, who, `${vi} Changing effective priority from ${e.from} to ${e.to}`);
        break;
      case 'rx-lower':
        line(e.t, who, `${vi} Received advert from ${e.address} with lower priority ${e.priority}, ours ${prio(e.node, e.vrid)}, forcing new election`);
        break;
      case 'new-master': break;
      case 'transmit': line(e.t, who, `${vi} advert priority ${e.priority} (${e.bytes} bytes)`); break;
    }
  });
  return lines;
}

function outcomeLine(s: ResolvedScenario, o: Outcome): string {
  const name = (k: number) => s.nodes[k].name;
  const list = (ks: number[]) => (ks.length ? ks.map(name).join(', ') : 'none');
  const head = o.event ? `at ${fmtMs(o.atUs)} ms, ${describeEvent(s, o.event, o.node)}` : 'initial election';
  const parts = [`(${instanceName(o.vrid)}) ${head}: masters before ${list(o.mastersBefore)}`];
  if (o.takeover) {
    let t = `${name(o.takeover.node)} MASTER after ${fmtMs(o.takeover.afterUs)} ms (${o.takeover.reason})`;
    if (o.expected) {
      t += `; ${o.expected.timer} ${fmtMs(o.expected.us)} ms`;
      // The backup's timer started at the last advert it accepted, up to one interval before the event.
      if (o.expected.timer === 'Master_Down_Interval' && o.event) t += ' from the last advert heard';
    }
    parts.push(t);
  }
  parts.push(o.settledAtUs !== null ? `one master (${list(o.mastersAfter)}) from ${fmtMs(o.settledAtUs)} ms` : `masters then: ${list(o.mastersAfter)}`);
  return parts.join('; ');
}

export function formatSummary(s: ResolvedScenario, sum: Summary, lan: LanCounters): string[] {
  const lines = ['', 'summary'];
  const iv = s.nodes.some((n) => n.intervalUs !== s.intervalUs) ? 'mixed' : `${fmtMs(s.intervalUs)} ms`;
  lines.push(`  VRRPv${s.version} IPv${s.family}, advert_int ${iv}, seed ${s.seed}, ${s.nodes.length} nodes, ${fmtMs(sum.durationUs)} ms simulated`);
  for (const o of sum.outcomes) lines.push(`  ${outcomeLine(s, o)}`);
  lines.push(`  LAN: ${lan.offered} copies offered, ${lan.delivered} delivered, ${lan.lost} lost, ${lan.duplicated} duplicated, ${lan.reordered} reordered, ${lan.unreachable} unreachable`);
  for (const v of s.vrids) {
    const m = sum.masters[v];
    lines.push(`  (${instanceName(v)}) masters at the end: ${m.length ? m.map((k) => s.nodes[k].name).join(', ') : 'none'}${m.length > 1 ? '  <-- split brain' : ''}`);
  }
  return lines;
}
