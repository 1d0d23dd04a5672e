// Running the injector from a lab host (the attacker), bounded in time.
import type { Lab, LabHost } from '../../../host/lab/netns.ts';

const INJECT = new URL('./inject.ts', import.meta.url).pathname;

export interface Injected { sent: number; failed: number; ms: number }

export interface InjectOptions {
  /**
   * Run the injector under SCHED_IDLE: it gets a CPU only when nothing else wants one. On a 2-core machine that also
   * hosts the daemons, a flooder spinning at ordinary priority takes a core the attacked daemon would have on its
   * own machine; idle, it models an attacker elsewhere on the LAN (the frames' cost in the kernel stays).
   */
  idle?: boolean;
}

/** Send `frames` from `h`'s eth0: once each (durationMs 0), or round-robin at `rate`/s (0: flat out) for durationMs. */
export async function inject(lab: Lab, h: LabHost, frames: Buffer[], rate = 0, durationMs = 0, opts: InjectOptions = {}): Promise<Injected> {
  const argv = [process.execPath, '--import', 'tsx', INJECT, 'eth0', String(rate), String(durationMs)];
  const [cmd, ...args] = opts.idle ? ['chrt', '--idle', '0', ...argv] : argv;
  const child = lab.spawn(h, cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
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
