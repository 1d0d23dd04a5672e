// Injects raw Ethernet frames from inside a lab namespace (run as its own process: `ip netns exec NS node --import
// tsx inject.ts IFNAME RATE DURATION_MS < frames.json`). The frames (hex strings) are sent round-robin through the
// addon's AF_PACKET socket, 64 per sendmmsg, paced to RATE frames/s (0 = as fast as possible) for DURATION_MS, or
// exactly once each when DURATION_MS is 0. Prints one JSON line: { sent, failed, ms }.
import { readFileSync } from 'node:fs';
import { native, REC } from '../../../host/net/native.ts';

const [ifname, rateArg, durArg] = process.argv.slice(2);
const rate = Number(rateArg);
const durationMs = Number(durArg);
const frames = (JSON.parse(readFileSync(0, 'utf8')) as string[]).map((h) => Buffer.from(h, 'hex'));
const ifindex = Number(readFileSync(`/sys/class/net/${ifname}/ifindex`, 'utf8'));

const BATCH = 64;
const slot = Math.max(...frames.map((f) => f.length));
const data = Buffer.alloc(BATCH * slot);
const meta = Buffer.alloc(BATCH * REC.SIZE);
for (let i = 0; i < BATCH; i++) {
  const f = frames[i % frames.length];
  f.copy(data, i * slot);
  meta.writeUInt32LE(i * slot, i * REC.SIZE + REC.OFF);
  meta.writeUInt32LE(f.length, i * REC.SIZE + REC.LEN);
  meta.writeInt32LE(ifindex, i * REC.SIZE + REC.IFINDEX);
}
const n = native();
const fd = n.openPacket();
let sent = 0;
let failed = 0;
const t0 = performance.now();
if (durationMs === 0) {
  // Once each, in order.
  for (let i = 0; i < frames.length; i += BATCH) {
    const count = Math.min(BATCH, frames.length - i);
    for (let k = 0; k < count; k++) {
      frames[i + k].copy(data, k * slot);
      meta.writeUInt32LE(frames[i + k].length, k * REC.SIZE + REC.LEN);
    }
    const r = n.sendFrames(fd, data, meta, 0, count);
    if (r < 0) failed += count; else sent += r;
  }
} else {
  // Bounded: at most rate x duration frames (or 10 M), and never past the deadline.
  const cap = rate > 0 ? Math.ceil((rate * durationMs) / 1000) : 10_000_000;
  const maxCalls = Math.ceil(cap / BATCH) + 1;
  for (let calls = 0; sent + failed < cap && calls < maxCalls;) {
    const now = performance.now() - t0;
    if (now >= durationMs) break;
    if (rate > 0 && sent + failed >= (rate * now) / 1000) continue; // paced: spin (bounded by the deadline)
    calls++;
    const r = n.sendFrames(fd, data, meta, 0, BATCH);
    if (r < 0) failed += BATCH; else sent += r;
  }
}
n.closeFd(fd);
process.stdout.write(JSON.stringify({ sent, failed, ms: performance.now() - t0 }) + '\n');
