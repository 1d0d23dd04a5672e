// Capture frames with tcpdump inside a lab namespace and return their bytes; and the start/stop steps every
// tcpdump the tests run shares.
import type { ChildProcess } from 'node:child_process';
import type { Lab, LabHost } from '../../../host/lab/netns.ts';

/** Resolves once tcpdump says it is listening; rejects (and kills it) after timeoutMs, or if it exits first. */
export function tcpdumpListening(child: ChildProcess, timeoutMs: number): Promise<void> {
  let err = '';
  return new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`tcpdump did not start: ${err}`)); }, timeoutMs);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('listening on')) { clearTimeout(t); resolve(); }
    });
    child.on('exit', () => { clearTimeout(t); reject(new Error(`tcpdump exited: ${err}`)); });
  });
}

/** SIGINT (tcpdump flushes what it has), then SIGKILL if it has not gone within 2 s. */
export async function stopTcpdump(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGINT');
  await Promise.race([done, new Promise((r) => setTimeout(r, 2000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Start `tcpdump -c count -xx FILTER` on the host's eth0; resolves once it is listening,
 * with a promise of the captured frames (Ethernet header included). Bounded by timeoutMs.
 */
export async function startCapture(lab: Lab, h: LabHost, filter: string, count: number, timeoutMs = 5000):
  Promise<{ frames: Promise<Buffer[]> }> {
  const child = lab.spawn(h, 'tcpdump', ['--immediate-mode', '-i', 'eth0', '-nn', '-l', '-xx', '-c', String(count), ...filter.split(' ')],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  await tcpdumpListening(child, timeoutMs);
  const frames = new Promise<Buffer[]>((resolve, reject) => {
    const t = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`capture timed out; got:\n${out}`)); }, timeoutMs);
    child.on('exit', () => { clearTimeout(t); resolve(parseHexDump(out)); });
  });
  return { frames };
}

/** tcpdump -xx output: a summary line, then "\t0x0000:  ffff ffff ..." lines per frame. */
export function parseHexDump(text: string): Buffer[] {
  const frames: Buffer[] = [];
  let cur: string[] | undefined;
  for (const line of text.split('\n')) {
    const m = /^\s+0x[0-9a-f]+:\s+((?:[0-9a-f]{2,4}\s?)+)/.exec(line);
    if (m) {
      cur?.push(m[1].replace(/\s+/g, ''));
    } else if (line.trim()) {
      if (cur) frames.push(Buffer.from(cur.join(''), 'hex'));
      cur = [];
    }
  }
  if (cur && cur.length) frames.push(Buffer.from(cur.join(''), 'hex'));
  return frames;
}
