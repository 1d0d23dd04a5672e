// Running the injector from a lab host (the attacker), bounded in time.
import type { Lab, LabHost } from '../../../host/lab/netns.ts';

const INJECT = new URL('./inject.ts', import.meta.url).pathname;

export interface Injected { sent: number; failed: number; ms: number }

/** Send `frames` from `h`'s eth0: once each (durationMs 0), or round-robin at `rate`/s (0: flat out) for durationMs. */
export async function inject(lab: Lab, h: LabHost, frames: Buffer[], rate = 0, durationMs = 0): Promise<Injected> {
  const child = lab.spawn(h, process.execPath, ['--import', 'tsx', INJECT, 'eth0', String(rate), String(durationMs)],
    { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  child.stdin!.end(JSON.stringify(frames.map((f) => f.toString('hex'))));
  const code = await new Promise<number | null>((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), durationMs + 20_000);
    child.on('exit', (c) => { clearTimeout(t); resolve(c); });
  });
  if (code !== 0) throw new Error(`injector exited ${code}: ${err}`);
  return JSON.parse(out) as Injected;
}
