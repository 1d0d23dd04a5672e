// Logging in keepalived's words, to the console (-l) or syslog (-S facility). The message text is the contract
// (users grep for "Entering MASTER STATE"); where it goes is a detail of the sink.

export type Level = 'err' | 'warning' | 'notice' | 'info' | 'debug';
const SEVERITY: Record<Level, number> = { err: 3, warning: 4, notice: 5, info: 6, debug: 7 };

export const FACILITIES: Record<string, number> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

/** keepalived's -S takes 0-7 (meaning local0-local7) or a name. */
export function parseFacility(text: string): number {
  if (/^[0-7]$/.test(text)) return 16 + Number(text);
  const f = FACILITIES[text];
  if (f === undefined) throw new Error(`invalid log facility ${JSON.stringify(text)} (0-7, local0-7, user, daemon)`);
  return f;
}

export interface LogSink {
  write(level: Level, line: string): void;
  close?(): void;
}

export class Logger {
  constructor(private readonly sinks: LogSink[], readonly detail = false) {}
  log(level: Level, msg: string): void {
    if (level === 'debug' && !this.detail) return;
    for (const s of this.sinks) s.write(level, msg);
  }
  err(msg: string): void { this.log('err', msg); }
  warn(msg: string): void { this.log('warning', msg); }
  notice(msg: string): void { this.log('notice', msg); }
  info(msg: string): void { this.log('info', msg); }
  debug(msg: string): void { this.log('debug', msg); }
  close(): void { for (const s of this.sinks) s.close?.(); }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** keepalived's console timestamp: "Sun Nov 22 07:32:57 2026", with milliseconds when detail is on. */
export function consoleStamp(d: Date, millis: boolean): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const t = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${millis ? `.${p(d.getMilliseconds(), 3)}` : ''}`;
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${t} ${d.getFullYear()}`;
}

/** Console lines as keepalived -l prints them. */
export function consoleSink(out: (s: string) => void, millis = false, now: () => Date = () => new Date()): LogSink {
  return { write: (_level, line) => out(`${consoleStamp(now(), millis)}: ${line}\n`) };
}

/** An RFC 3164 syslog line (the format /dev/log expects). */
export function syslogLine(facility: number, level: Level, ident: string, pid: number, msg: string, d: Date): string {
  const pri = facility * 8 + SEVERITY[level];
  const stamp = `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${consoleStamp(d, false).slice(11, 19)}`;
  return `<${pri}>${stamp} ${ident}[${pid}]: ${msg}`;
}
