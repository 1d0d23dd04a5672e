// The client's view of a VIP, for the demo, the e2e tests and the failover benchmark. Two roles, each run inside
// a lab namespace as its own process:
//   echo  PORT NAME              answers every UDP datagram with NAME (one per VRRP host); 'ready' on stderr once bound
//   probe IP PORT MS DURATION_MS  sends a numbered datagram to IP:PORT every MS ms ('probing' on stderr from the
//                                start) and, when done, prints one JSON line: what was sent, every reply (who
//                                answered, when), and the gaps.
import { createSocket } from 'node:dgram';

export interface ProbeReply { seq: number; sentMs: number; rttMs: number; from: string }
export interface ProbeGap { fromMs: number; toMs: number; lengthMs: number; before: string | null; after: string | null }
export interface ProbeResult { sent: number; received: number; startedAt: number; replies: ProbeReply[]; gaps: ProbeGap[] }

/** Outages: runs of unanswered probes longer than `minMs`, with who answered before and after. */
export function findGaps(sent: number[], replies: ProbeReply[], minMs: number): ProbeGap[] {
  const bySeq = new Map(replies.map((r) => [r.seq, r]));
  const gaps: ProbeGap[] = [];
  let lastOk: ProbeReply | null = null;
  let runStart = -1;
  for (let seq = 0; seq < sent.length; seq++) {
    const r = bySeq.get(seq);
    if (!r) {
      if (runStart < 0) runStart = seq;
      continue;
    }
    if (runStart >= 0) {
      const fromMs = lastOk ? lastOk.sentMs : sent[runStart];
      const lengthMs = r.sentMs - fromMs;
      if (lengthMs >= minMs) gaps.push({ fromMs, toMs: r.sentMs, lengthMs, before: lastOk?.from ?? null, after: r.from });
      runStart = -1;
    }
    lastOk = r;
  }
  if (runStart >= 0 && sent.length > 0) {
    const fromMs = lastOk ? lastOk.sentMs : sent[runStart];
    gaps.push({ fromMs, toMs: sent[sent.length - 1], lengthMs: sent[sent.length - 1] - fromMs, before: lastOk?.from ?? null, after: null });
  }
  return gaps;
}

function echo(port: number, name: string): void {
  const s = createSocket('udp4');
  s.on('message', (msg, rinfo) => {
    s.send(Buffer.concat([msg.subarray(0, 8), Buffer.from(name)]), rinfo.port, rinfo.address);
  });
  // 'ready' on stderr: a caller that must not probe before every responder is up (the demo) waits for it.
  s.bind(port, '0.0.0.0', () => process.stderr.write('ready\n'));
  process.on('SIGTERM', () => process.exit(0));
}

function probe(target: string, port: number, everyMs: number, durationMs: number): void {
  const s = createSocket('udp4');
  const sent: number[] = [];
  const replies: ProbeReply[] = [];
  const t0 = performance.now();
  const startedAt = Date.now();
  s.on('message', (msg) => {
    if (msg.length < 8) return;
    const seq = msg.readUInt32BE(0);
    const at = performance.now() - t0;
    if (seq < sent.length) replies.push({ seq, sentMs: sent[seq], rttMs: at - sent[seq], from: msg.subarray(8).toString() });
  });
  s.on('error', () => {});
  s.bind(0, () => {
    const buf = Buffer.alloc(8);
    const tick = setInterval(() => {
      const now = performance.now() - t0;
      if (now >= durationMs) {
        clearInterval(tick);
        // Late replies get 200 ms to arrive.
        setTimeout(() => {
          replies.sort((a, b) => a.seq - b.seq);
          const out: ProbeResult = { sent: sent.length, received: replies.length, startedAt, replies, gaps: findGaps(sent, replies, everyMs * 5) };
          process.stdout.write(JSON.stringify(out) + '\n', () => process.exit(0));
        }, 200);
        return;
      }
      buf.writeUInt32BE(sent.length, 0);
      sent.push(now);
      s.send(buf, port, target, () => {});
    }, everyMs);
    // Start-up of this process can take seconds on a busy machine; a caller timing an event waits for this line.
    process.stderr.write('probing\n');
  });
}

const [role, ...args] = process.argv.slice(2);
if (role === 'echo') echo(Number(args[0]), args[1] ?? 'host');
else if (role === 'probe') probe(args[0], Number(args[1]), Number(args[2] ?? 1), Number(args[3] ?? 10_000));
