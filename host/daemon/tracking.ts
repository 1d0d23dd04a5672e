// Health tracking and notifications for the running daemon: prepares every script (script_user, security),
// runs the trackers (vrrp_script, track_file, vrrp_track_process, interfaces), turns their states into each
// instance's {delta, fault} for the core, and carries out notifications on the core's state changes.
import type { Config, VrrpInstance } from '../config/index.ts';
import type { ScriptCommand, SyncGroup } from '../config/model.ts';
import { prepareScript } from '../exec/prepare.ts';
import type { PreparedCommand } from '../exec/run-script.ts';
import { ScriptRunner } from '../exec/run-script.ts';
import { type SecurityVerdict, securitySummary } from '../exec/script-security.ts';
import { type Accounts, defaultIdentity, loadAccounts } from '../exec/script-user.ts';
import type { Logger } from '../log.ts';
import { NotifyFifo } from '../notify/fifo.ts';
import { type NotifyScripts, type NotifyTarget, Notifier } from '../notify/notifier.ts';
import { SmtpAlerter, parseSmtpServer } from '../notify/smtp.ts';
import { TrackingHub } from '../track/hub.ts';
import { type PriorityVerdict, type TrackEntry, resolveTracking } from '../track/priority.ts';
import { ProcessTracker } from '../track/track-process.ts';
import { TrackFileWatcher } from '../track/track-file.ts';
import { VrrpScriptTracker } from '../track/vrrp-script.ts';

export interface TrackedInstance {
  handle: number;
  model: VrrpInstance;
  /** The instance's own interface, tracked with weight 0 unless dont_track_primary. */
  ifname: string;
}

export type VerdictSink = (handle: number, v: PriorityVerdict) => void;

export class DaemonTracking {
  readonly hub: TrackingHub<number>;
  readonly runner = new ScriptRunner();
  notifier!: Notifier;
  private readonly targets = new Map<number, NotifyTarget>();
  private readonly groupTargets = new Map<string, NotifyTarget>();
  private readonly groupState = new Map<string, string>();
  private readonly scripts: VrrpScriptTracker[] = [];
  private readonly files: TrackFileWatcher[] = [];
  private processes: ProcessTracker | null = null;
  private fifos: NotifyFifo[] = [];
  private mailer: SmtpAlerter | null = null;

  private constructor(private readonly cfg: Config, private readonly log: Logger, sink: VerdictSink) {
    this.hub = new TrackingHub<number>(sink);
  }

  /**
   * Sets everything up. `links` gives the interfaces' current up state; nothing is reported to `sink` before
   * this resolves (the initial verdicts come back from `verdicts()`).
   */
  static async start(cfg: Config, instances: TrackedInstance[], links: Map<string, boolean>, log: Logger, sink: VerdictSink): Promise<DaemonTracking> {
    const t = new DaemonTracking(cfg, log, sink);
    await t.setup(instances, links);
    return t;
  }

  private async setup(instances: TrackedInstance[], links: Map<string, boolean>): Promise<void> {
    const g = this.cfg.global;
    void this.runner.spawner.then((s) => {
      if (s.kind === 'native') this.log.debug('Scripts are started by the native addon (vfork + execve)');
      else this.log.warn(`Scripts are started with child_process.spawn (fork of the whole daemon, ~2.4 ms of CPU a run): ${s.reason}`);
    });
    const accounts: Accounts = await loadAccounts();
    const d = defaultIdentity(accounts, g.scriptUser, g.enableScriptSecurity);
    if (d.warning) this.log.warn(d.warning);
    const verdicts: SecurityVerdict[] = [];
    const prepare = async (cmd: ScriptCommand | null, what: string): Promise<PreparedCommand | null> => {
      if (!cmd) return null;
      const p = await prepareScript(cmd, what, { accounts, defaultId: d.id, scriptSecurity: g.enableScriptSecurity });
      for (const l of p.logs) this.log.warn(l);
      if (p.verdict) verdicts.push(p.verdict);
      return p.command;
    };
    const prepareNotify = async (n: VrrpInstance['notify'], who: string): Promise<NotifyScripts> => ({
      master: await prepare(n.master, `notify_master of ${who}`),
      backup: await prepare(n.backup, `notify_backup of ${who}`),
      fault: await prepare(n.fault, `notify_fault of ${who}`),
      stop: await prepare(n.stop, `notify_stop of ${who}`),
      deleted: await prepare(n.deleted, `notify_deleted of ${who}`),
      masterRxLowerPri: await prepare(n.masterRxLowerPri, `notify_master_rx_lower_pri of ${who}`),
      generic: await prepare(n.generic, `notify of ${who}`),
    });

    // Trackers used by at least one instance.
    const used = { script: new Set<string>(), file: new Set<string>(), process: new Set<string>() };
    const entriesOf = new Map<number, TrackEntry[]>();
    const groups = new Map(this.cfg.syncGroups.map((s) => [s.name, s]));
    for (const ti of instances) {
      const group: SyncGroup | null = ti.model.syncGroup ? groups.get(ti.model.syncGroup) ?? null : null;
      const r = resolveTracking(ti.model, group, { scripts: this.cfg.scripts, files: this.cfg.trackFiles, processes: this.cfg.trackProcesses });
      for (const w of r.warnings) this.log.warn(w);
      const entries = r.entries.filter((e) => !(e.kind === 'interface' && e.name === ti.ifname));
      if (!ti.model.dontTrackPrimary) entries.push({ kind: 'interface', name: ti.ifname, weight: 0, reverse: false });
      for (const e of entries) if (e.kind !== 'interface') used[e.kind].add(e.name);
      entriesOf.set(ti.handle, entries);
    }
    for (const [name, up] of links) this.hub.setInterface(name, up);

    const disabled = new Set<string>();
    for (const s of this.cfg.scripts) {
      if (!used.script.has(s.name)) {
        this.log.warn(`Warning - script ${s.name} is not used`);
        continue;
      }
      const before = verdicts.length;
      const command = await prepare(s.script, `vrrp script ${s.name}`);
      if (!command) {
        // keepalived removes a refused script from every track list: it neither fails nor weighs.
        const insecure = verdicts.length > before && verdicts[verdicts.length - 1].insecure;
        this.log.warn(`Disabling track script ${s.name} ${insecure ? 'due to insecure' : 'since not found/accessible'}`);
        disabled.add(s.name);
        continue;
      }
      this.scripts.push(new VrrpScriptTracker({
        name: s.name, command, intervalMs: s.intervalUs / 1000, timeoutMs: s.timeoutUs / 1000, rise: s.rise, fall: s.fall,
        initFail: s.initFail, runner: this.runner, log: this.log, onChange: (status, name) => this.hub.setScript(name, status),
      }));
    }
    for (const f of this.cfg.trackFiles) {
      if (!used.file.has(f.name) || !f.file) continue;
      const w = new TrackFileWatcher({ name: f.name, path: f.file, initFile: f.initFile, log: this.log, onChange: (v, name) => this.hub.setFile(name, v) });
      this.hub.setFile(f.name, await w.start());
      this.files.push(w);
    }
    const procs = this.cfg.trackProcesses.filter((p) => used.process.has(p.name));
    if (procs.length > 0) {
      this.processes = new ProcessTracker({ processes: procs, log: this.log, onChange: (name, quorum) => this.hub.setProcess(name, quorum) });
      for (const [name, q] of await this.processes.start()) this.hub.setProcess(name, q);
    }
    for (const ti of instances) {
      const entries = entriesOf.get(ti.handle)!.filter((e) => !(e.kind === 'script' && disabled.has(e.name)));
      this.hub.addInstance(ti.handle, entries);
    }

    // Notifications.
    for (const [path, label] of [[g.vrrpNotifyFifo, 'vrrp_'], [g.notifyFifo, '']] as const) {
      if (!path) continue;
      const f = new NotifyFifo({ path, label, script: null, runner: this.runner, log: this.log });
      if (await f.open()) this.fifos.push(f);
    }
    if (g.smtpServer && g.notificationEmail.length > 0) {
      const s = parseSmtpServer(g.smtpServer);
      this.mailer = new SmtpAlerter({
        host: s.host, port: s.port, to: g.notificationEmail, from: g.notificationEmailFrom, routerId: g.routerId,
        connectTimeoutMs: g.smtpConnectTimeoutUs / 1000,
      }, this.log);
    }
    this.notifier = new Notifier({ runner: this.runner, fifos: this.fifos, mailer: this.mailer, log: this.log });
    for (const ti of instances) {
      this.targets.set(ti.handle, {
        kind: 'INSTANCE', name: ti.model.name, scripts: await prepareNotify(ti.model.notify, ti.model.name),
        smtpAlert: ti.model.smtpAlert ?? false, notifyPriorityChanges: ti.model.notifyPriorityChanges,
        deletedToFifo: ti.model.notify.deletedToFifo ?? false,
      });
    }
    for (const sg of this.cfg.syncGroups) {
      this.groupTargets.set(sg.name, {
        kind: 'GROUP', name: sg.name, scripts: await prepareNotify(sg.notify, sg.name),
        smtpAlert: sg.smtpAlert ?? false, notifyPriorityChanges: sg.notifyPriorityChanges,
      });
    }
    const summary = securitySummary(verdicts, g.enableScriptSecurity);
    if (summary) this.log.warn(summary);
    for (const s of this.scripts) s.start();
  }

  verdict(handle: number): PriorityVerdict {
    return this.hub.verdict(handle);
  }

  setInterface(name: string, up: boolean): void {
    this.hub.setInterface(name, up);
  }

  /** A state change from the core. `members` are the states of the instance's sync group, when it has one. */
  stateChange(handle: number, to: 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP', priority: number, group: { name: string; states: string[] } | null): void {
    const t = this.targets.get(handle);
    if (t) this.notifier.stateChange(t, to, priority);
    if (!group) return;
    const gt = this.groupTargets.get(group.name);
    // The group reports a state once every member is in it (keepalived's group notifies).
    if (gt && group.states.every((s) => s === to) && this.groupState.get(group.name) !== to) {
      this.groupState.set(group.name, to);
      this.notifier.stateChange(gt, to, 0);
    }
  }

  rxLower(handle: number, priority: number): void {
    const t = this.targets.get(handle);
    if (t) this.notifier.masterRxLowerPri(t, priority);
  }

  priorityChange(handle: number, state: string, priority: number): void {
    const t = this.targets.get(handle);
    if (t?.notifyPriorityChanges && (state === 'MASTER' || state === 'BACKUP')) this.notifier.priorityChange(t, state, priority);
  }

  async stop(): Promise<void> {
    for (const s of this.scripts) s.stop();
    for (const f of this.files) f.close();
    this.processes?.close();
    await this.runner.idle(1500);
    await this.runner.close(500);
    for (const f of this.fifos) await f.close();
    await this.mailer?.drain(2000);
    this.mailer?.close();
  }
}

