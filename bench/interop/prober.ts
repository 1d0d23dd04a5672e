// A client that probes a VIP over UDP every millisecond until SIGTERM, then prints one JSON line: the gaps (runs of
// unanswered probes of at least 5 ms) with epoch-millisecond bounds, so the benchmark can match them to trials.
// Usage (inside the client namespace): prober.ts IP PORT
import { createSocket } from 'node:dgram';

const [target, portText] = process.argv.slice(2);
const port = Number(portText);
const s = createSocket(target.includes(':') ? 'udp6' : 'udp4');
const epoch0 = performance.timeOrigin;
let seq = 0;
let lastOk = -1;
let lastOkAt = 0;
const sentAt: number[] = [];
const gaps: { fromMs: number; toMs: number; lengthMs: number }[] = [];
s.on('message', (msg) => {
  if (msg.length < 4) return;
  const n = msg.readUInt32BE(0);
  if (n <= lastOk) return;
  const at = sentAt[n];
  if (n > lastOk + 1 && lastOk >= 0 && at - lastOkAt >= 5) gaps.push({ fromMs: epoch0 + lastOkAt, toMs: epoch0 + at, lengthMs: at - lastOkAt });
  lastOk = n;
  lastOkAt = at;
});
s.on('error', () => {});
const buf = Buffer.alloc(4);
const tick = setInterval(() => {
  buf.writeUInt32BE(seq >>> 0, 0);
  sentAt[seq++] = performance.now();
  s.send(buf, port, target, () => {});
}, 1);
process.on('SIGTERM', () => {
  clearInterval(tick);
  setTimeout(() => {
    process.stdout.write(JSON.stringify({ sent: seq, gaps }) + '\n', () => process.exit(0));
  }, 100);
});
