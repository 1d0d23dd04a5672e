// Syslog without a native socket: Node cannot write unix datagrams, so one `logger` process is started for the
// daemon's life (never one per message) and fed RFC 3164-prefixed lines on its standard input.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Level, LogSink } from './log.ts';

const SEVERITY: Record<Level, number> = { err: 3, warning: 4, notice: 5, info: 6, debug: 7 };

export function syslogSink(facility: number, ident: string, socketPath = '/dev/log'): LogSink {
  if (!existsSync(socketPath)) throw new Error(`${socketPath} does not exist (no syslog daemon)`);
  // --id=PID: the daemon's pid in each line, as keepalived's own syslog() gives (plain -i would be logger's).
  const child = spawn('logger', ['--prio-prefix', '--socket-errors=off', '-u', socketPath, '-t', ident, `--id=${process.pid}`], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.on('error', () => { /* logger missing: lines are dropped, the console sink (if any) still has them */ });
  child.stdin!.on('error', () => {});
  child.unref();
  return {
    write: (level, line) => { child.stdin!.write(`<${facility * 8 + SEVERITY[level]}>${line}\n`); },
    close: () => { child.stdin!.end(); },
  };
}
