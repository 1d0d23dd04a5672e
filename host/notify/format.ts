// The exact words keepalived writes on a state change: notify script arguments, FIFO lines, alert mail. Pure.
// Sources: keepalived/vrrp/vrrp_notify.c (notify_fifo, notify_script_exec, vrrp_smtp_notifier) and
// keepalived/core/smtp.c + smtp.h (subject prefix, SMTP_HEADERS_CMD, body).

export type NotifyKind = 'INSTANCE' | 'GROUP';
export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';
/** FIFO-only events. */
export type NotifyEvent = NotifyState | 'MASTER_RX_LOWER_PRI' | 'MASTER_PRIORITY' | 'BACKUP_PRIORITY';

/** The four arguments appended to the generic `notify` script: TYPE NAME STATE PRIORITY (0 for groups). */
export function genericNotifyArgs(kind: NotifyKind, name: string, state: NotifyState, priority: number): string[] {
  return [kind, name, state, String(kind === 'GROUP' ? 0 : priority)];
}

/** `INSTANCE "VI_1" MASTER 100\n`, `GROUP "G" BACKUP 0\n`. */
export function fifoLine(kind: NotifyKind, name: string, event: NotifyEvent, priority: number): string {
  return `${kind} "${name}" ${event} ${kind === 'GROUP' ? 0 : priority}\n`;
}

const INSTANCE_MAIL: Partial<Record<NotifyState, [string, string]>> = {
  MASTER: ['Entering MASTER state', '=> VRRP Instance is now owning VRRP VIPs <='],
  BACKUP: ['Entering BACKUP state', '=> VRRP Instance is no longer owning VRRP VIPs <='],
  FAULT: ['Entering FAULT state', '=> VRRP Instance is no longer owning VRRP VIPs <='],
  STOP: ['Stopping', '=> VRRP Instance stopping <='],
};
const GROUP_MAIL: Partial<Record<NotifyState, [string, string]>> = {
  MASTER: ['Entering MASTER state', '=> All VRRP group instances are now in MASTER state <='],
  BACKUP: ['Entering BACKUP state', '=> All VRRP group instances are now in BACKUP state <='],
  FAULT: ['Entering FAULT state', '=> All VRRP group instances are now in FAULT state <='],
  STOP: ['Stopping', '=> All VRRP group instances are now stopping <='],
};

/** Subject and body of the alert for a state, or null when keepalived sends none (DELETED). */
export function alertText(kind: NotifyKind, name: string, state: NotifyState, routerId: string): { subject: string; body: string } | null {
  const t = (kind === 'GROUP' ? GROUP_MAIL : INSTANCE_MAIL)[state];
  if (!t) return null;
  return { subject: `[${routerId}] VRRP ${kind === 'GROUP' ? 'Group' : 'Instance'} ${name} - ${t[0]}`, body: t[1] };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** strftime("%a, %d %b %Y %H:%M:%S %z") in local time. */
export function rfc822Date(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const z = `${off >= 0 ? '+' : '-'}${p(Math.floor(Math.abs(off) / 60))}${p(Math.abs(off) % 60)}`;
  return `${DAYS[d.getDay()]}, ${p(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${z}`;
}

/** The message as keepalived's SMTP_HEADERS_CMD + SMTP_BODY_CMD lay it out (CRLF line ends). */
export function alertMessage(from: string, to: readonly string[], subject: string, body: string, date: Date): string {
  return `Date: ${rfc822Date(date)}\r\nFrom: ${from}\r\nSubject: ${subject}\r\nX-Mailer: Keepalived\r\nTo: ${to.join(', ')}\r\n\r\n${body}\r\n`;
}
