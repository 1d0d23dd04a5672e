// Every VRRP packet on the lab's bridge, written to a pcap by tcpdump in the bridge namespace (in immediate mode:
// libpcap's default block buffering holds up to a second of packets, and a stopped capture loses them), then dissected by
// tshark: an independent decoder's opinion of the bytes vipd put on the wire.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import type { Lab } from '../../../host/lab/netns.ts';

export interface Dissected {
  frame: number;
  src: string;
  version: number;
  /** tshark's vrrp.checksum.status: 1 good, 0 bad, 2 unverified. */
  checksumStatus: number;
  malformed: boolean;
  expert: string;
}

/** One VRRP advert as seen on the bridge. */
export interface SeenAdvert {
  /** Seconds since the capture started (pcap timestamps, independent of the test's event loop). */
  t: number;
  src: string;
  priority: number;
}

const run = promisify(execFile);
const tshark = async (args: string[]) =>
  (await run('tshark', args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 })).stdout;

export class BridgeCapture {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly lab: Lab, readonly file: string) {}

  /** Resolves once tcpdump listens on br0. */
  async start(timeoutMs = 15_000): Promise<void> {
    // The bridge namespace is no LabHost; lab.destroy() still kills whatever runs in it.
    const c = spawn('ip', ['netns', 'exec', this.lab.bridgeNs, 'tcpdump', '--immediate-mode', '-i', 'br0', '-nn', '-U', '-s', '256', '-w', this.file,
      'ip proto 112 or ip proto 51 or ip6 proto 112'], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = c;
    this.exited = new Promise((r) => c.on('exit', () => r()));
    let err = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), timeoutMs);
      c.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('listening on')) { clearTimeout(t); resolve(); }
      });
      c.on('exit', () => { clearTimeout(t); reject(new Error(`tcpdump exited: ${err}`)); });
    });
  }

  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null) this.child.kill('SIGINT');
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 3000))]);
  }

  /** tshark's view of the VRRP packets sent from one of `sources` (IPv4 or IPv6 addresses). */
  async dissect(sources: string[], opts: { v3ChecksumAsV2?: boolean } = {}): Promise<{ packets: Dissected[]; totalFromSources: number }> {
    const srcFilter = sources.map((s) => (s.includes(':') ? `ipv6.src==${s}` : `ip.src==${s}`)).join(' || ');
    const prefs = ['-o', `vrrp.v3_checksum_as_in_v2:${opts.v3ChecksumAsV2 ? 'TRUE' : 'FALSE'}`];
    const fields = ['frame.number', 'ip.src', 'ipv6.src', 'vrrp.version', 'vrrp.checksum.status', '_ws.malformed', '_ws.expert.message'];
    const out = await tshark(['-r', this.file, '-n', ...prefs, '-Y', `(${srcFilter})`, '-T', 'fields',
      ...fields.flatMap((f) => ['-e', f]), '-E', 'separator=|', '-E', 'occurrence=a']);
    const packets: Dissected[] = [];
    let total = 0;
    for (const line of out.split('\n').filter(Boolean)) {
      total++;
      const [frame, src4, src6, version, cs, malformed, expert] = line.split('|');
      packets.push({
        frame: Number(frame), src: src4 || src6, version: Number(version || 0),
        checksumStatus: cs === '' ? -1 : Number(cs), malformed: malformed !== '', expert,
      });
    }
    return { packets, totalFromSources: total };
  }

  /** Every VRRP advert on the bridge, in capture order. */
  async adverts(): Promise<SeenAdvert[]> {
    const out = await tshark(['-r', this.file, '-n', '-Y', 'vrrp', '-T', 'fields', '-e', 'frame.time_relative',
      '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'vrrp.prio', '-E', 'separator=|']);
    return out.split('\n').filter(Boolean).map((l) => {
      const [t, s4, s6, prio] = l.split('|');
      return { t: Number(t), src: s4 || s6, priority: Number(prio) };
    });
  }
}

/** From the last priority-0 advert of `from` to the next advert of `to`, in ms (the graceful hand-over). */
export function handoverMs(adverts: SeenAdvert[], from: string[], to: string[]): number | undefined {
  let k = adverts.length - 1;
  while (k >= 0 && !(from.includes(adverts[k].src) && adverts[k].priority === 0)) k--;
  if (k < 0) return undefined;
  const next = adverts.slice(k + 1).find((a) => to.includes(a.src) && a.priority > 0);
  return next ? (next.t - adverts[k].t) * 1000 : undefined;
}

/** What is wrong with the dissected packets, as readable lines (empty when every packet is clean). */
export function dissectionProblems(d: { packets: Dissected[] }, expectVersion: number): string[] {
  const bad: string[] = [];
  for (const p of d.packets) {
    const why: string[] = [];
    if (p.version !== expectVersion) why.push(`version ${p.version}`);
    if (p.checksumStatus !== 1) why.push(`checksum status ${p.checksumStatus}`);
    if (p.malformed) why.push('malformed');
    if (p.expert) why.push(`expert: ${p.expert}`);
    if (why.length) bad.push(`frame ${p.frame} from ${p.src}: ${why.join(', ')}`);
  }
  return bad;
}
