// `-C` (checkers only): vipd has no health-checker process, so there is nothing to run. keepalived 2.2.7 in the
// same situation logs "Warning - keepalived has no configuration to run" and its parent stays up, idle, until it
// is stopped (measured); vipd does the same, so a unit with -C behaves alike and never starts VRRP.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../log.ts';

/** Writes the main pid file, logs why nothing runs, and resolves to 0 on SIGTERM or SIGINT. */
export function idleWithoutWork(log: Logger, pidFile: string): Promise<number> {
  log.info('vipd has no health-checker process (the LVS side is parsed, not run): with -C and without -P there is nothing to run');
  log.info('Warning - keepalived has no configuration to run');
  mkdirSync(dirname(pidFile), { recursive: true });
  writeFileSync(pidFile, `${process.pid}\n`);
  return new Promise<number>((resolve) => {
    // Nothing else keeps the event loop alive.
    const keepAlive = setInterval(() => {}, 0x7fffffff);
    const handlers: [NodeJS.Signals, () => void][] = [
      ['SIGTERM', () => stop('SIGTERM')],
      ['SIGINT', () => stop('SIGINT')],
      ['SIGHUP', () => log.info('Reloading: still nothing to run with -C')],
    ];
    const stop = (why: string) => {
      clearInterval(keepAlive);
      for (const [s, h] of handlers) process.removeListener(s, h);
      log.info(`Stopping (${why})`);
      rmSync(pidFile, { force: true });
      log.close();
      resolve(0);
    };
    for (const [s, h] of handlers) process.on(s, h);
  });
}
