// SMTP alerts (global smtp_server, notification_email, notification_email_from, smtp_connect_timeout, per-instance
// smtp_alert), sent with nodemailer. The message is handed over raw so that headers and body are byte for byte
// keepalived's (Date, From, Subject, X-Mailer: Keepalived, To); nodemailer only does the SMTP dialogue.
import { hostname } from 'node:os';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '../log.ts';
import { type NotifyKind, type NotifyState, alertMessage, alertText } from './format.ts';

export interface SmtpSettings {
  /** smtp_server: host or address, and port (keepalived's default 25). */
  host: string;
  port: number;
  to: readonly string[];
  /** notification_email_from; default keepalived@<hostname>. */
  from: string | null;
  /** router_id; default the host name. */
  routerId: string | null;
  /** smtp_helo_name; default the host name. */
  heloName?: string | null;
  connectTimeoutMs: number;
  /** no_email_faults */
  noEmailFaults?: boolean;
}

/** Parse keepalived's `smtp_server ADDR [PORT]` value (an IPv6 address may carry its port after a space). */
export function parseSmtpServer(value: string): { host: string; port: number } {
  const [host, port] = value.trim().split(/\s+/);
  return { host: host.replace(/^\[|\]$/g, ''), port: port ? Number(port) : 25 };
}

export class SmtpAlerter {
  private readonly last = new Map<string, NotifyState>();
  private readonly transport: Transporter;
  private pending = new Set<Promise<void>>();
  sent = 0;
  failed = 0;

  constructor(private readonly s: SmtpSettings, private readonly log: Pick<Logger, 'info'>, private readonly now: () => Date = () => new Date()) {
    this.transport = nodemailer.createTransport({
      host: s.host,
      port: s.port,
      secure: false,
      ignoreTLS: true, // keepalived speaks plain SMTP
      name: s.heloName ?? hostname(),
      connectionTimeout: s.connectTimeoutMs,
      greetingTimeout: s.connectTimeoutMs,
      socketTimeout: s.connectTimeoutMs,
    });
  }

  /** keepalived's vrrp_smtp_notifier: one mail per state change of an instance or group with smtp_alert on. */
  alert(kind: NotifyKind, name: string, state: NotifyState): Promise<void> | null {
    if (this.s.to.length === 0) return null;
    if (this.s.noEmailFaults && state === 'FAULT') return null;
    const key = `${kind}:${name}`;
    if (this.last.get(key) === state) return null;
    const text = alertText(kind, name, state, this.s.routerId ?? hostname());
    if (!text) return null;
    this.last.set(key, state);
    const from = this.s.from ?? `keepalived@${hostname()}`;
    const raw = alertMessage(from, this.s.to, text.subject, text.body, this.now());
    const p = this.transport
      .sendMail({ envelope: { from, to: [...this.s.to] }, raw })
      .then(() => {
        this.sent++;
        this.log.info('SMTP alert successfully sent.');
      })
      .catch((e: Error) => {
        this.failed++;
        this.log.info(`Error sending SMTP alert to ${this.s.host}:${this.s.port} - ${e.message}`);
      })
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
    return p;
  }

  /** Wait for mails in flight (shutdown), at most timeoutMs. */
  async drain(timeoutMs: number): Promise<void> {
    await Promise.race([Promise.all([...this.pending]), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  close(): void { this.transport.close(); }
}
