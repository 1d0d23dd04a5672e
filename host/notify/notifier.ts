// Everything keepalived does on a state change, in its order (vrrp_notify.c send_instance_notifies /
// send_group_notifies): the state's own script, then the generic `notify` with TYPE NAME STATE PRIORITY, then the
// FIFO line, then the mail. Scripts are not waited for; STOP scripts are killed after 1 s. Nothing here blocks: the
// runner spawns from its worker thread, FIFO writes are non-blocking, mail goes out asynchronously.
import type { Logger } from '../log.ts';
import type { PreparedCommand, ScriptRunner } from '../exec/run-script.ts';
import type { NotifyFifo } from './fifo.ts';
import { type NotifyEvent, type NotifyKind, type NotifyState, fifoLine, genericNotifyArgs } from './format.ts';
import type { SmtpAlerter } from './smtp.ts';

export interface NotifyScripts {
  master: PreparedCommand | null;
  backup: PreparedCommand | null;
  fault: PreparedCommand | null;
  stop: PreparedCommand | null;
  deleted: PreparedCommand | null;
  masterRxLowerPri: PreparedCommand | null;
  generic: PreparedCommand | null;
}

/** One vrrp_instance or vrrp_sync_group as the notifier sees it (scripts already security-checked). */
export interface NotifyTarget {
  kind: NotifyKind;
  name: string;
  scripts: NotifyScripts;
  smtpAlert: boolean;
  notifyPriorityChanges: boolean;
  /** A bare `notify_deleted`: a removed instance is reported as DELETED, not FAULT, without a script of its own. */
  deletedToFifo?: boolean;
}

export interface NotifierOptions {
  runner: ScriptRunner;
  /** vrrp_notify_fifo and/or notify_fifo; each line goes to every one. */
  fifos: readonly NotifyFifo[];
  mailer: SmtpAlerter | null;
  log: Pick<Logger, 'info'>;
  /** keepalived gives STOP scripts 1 s before killing them. */
  stopTimeoutMs?: number;
}

const STATE_SCRIPT: Record<NotifyState, keyof NotifyScripts> = {
  MASTER: 'master', BACKUP: 'backup', FAULT: 'fault', STOP: 'stop', DELETED: 'deleted',
};

export class Notifier {
  constructor(private readonly o: NotifierOptions) {}

  /**
   * A state change of an instance (priority = its effective priority) or a group (priority ignored, reported 0).
   * DELETED (an instance removed by a reload) is reported as FAULT unless the target has notify_deleted (a script,
   * or bare: then DELETED goes to the generic notify and the FIFO with no script of its own).
   */
  stateChange(t: NotifyTarget, state: NotifyState, priority: number): void {
    if (state === 'DELETED' && !t.scripts.deleted && !t.deletedToFifo) state = 'FAULT';
    const stop = state === 'STOP';
    const opts = stop ? { timeoutMs: this.o.stopTimeoutMs ?? 1000, graceMs: 0 } : { timeoutMs: 0 };
    const own = t.scripts[STATE_SCRIPT[state]];
    if (own) this.launch(own, opts);
    if (t.scripts.generic) this.launch(t.scripts.generic, { ...opts, extraArgs: genericNotifyArgs(t.kind, t.name, state, priority) });
    this.fifo(t.kind, t.name, state, priority);
    if (t.smtpAlert) this.o.mailer?.alert(t.kind, t.name, state);
  }

  /** notify_master_rx_lower_pri: a master received a lower-priority advert. */
  masterRxLowerPri(t: NotifyTarget, priority: number): void {
    if (t.scripts.masterRxLowerPri) this.launch(t.scripts.masterRxLowerPri, { timeoutMs: 0 });
    this.fifo(t.kind, t.name, 'MASTER_RX_LOWER_PRI', priority);
  }

  /** An effective priority change (FIFO only, with notify_priority_changes / vrrp_notify_priority_changes). */
  priorityChange(t: NotifyTarget, state: 'MASTER' | 'BACKUP', priority: number): void {
    if (!t.notifyPriorityChanges) return;
    this.fifo(t.kind, t.name, state === 'MASTER' ? 'MASTER_PRIORITY' : 'BACKUP_PRIORITY', priority);
  }

  private launch(cmd: PreparedCommand, opts: { timeoutMs: number; graceMs?: number; extraArgs?: string[] }): void {
    void this.o.runner.run(cmd, opts).then((r) => {
      if (r.outcome.kind === 'spawn_error') this.o.log.info(`Error exec-ing command '${cmd.mode === 'exec' ? cmd.file : cmd.line}': ${r.outcome.message}`);
      else if (r.outcome.kind === 'rejected') this.o.log.info(`Notify script dropped: too many scripts waiting`);
    });
  }

  private fifo(kind: NotifyKind, name: string, event: NotifyEvent, priority: number): void {
    if (this.o.fifos.length === 0) return;
    const line = fifoLine(kind, name, event, priority);
    for (const f of this.o.fifos) f.write(line);
  }
}
