// Where tracker events meet instances: keeps every tracker's state, knows which instances each tracker affects, and
// reports an instance's {delta, fault, pending} only when it changed - exactly what the daemon turns into
// core.setPriorityAdjust(now, handle, delta) and core.setFault(now, handle, fault).
import { type PriorityVerdict, type ScriptStatus, type TrackEntry, type TrackerKind, computePriority } from './priority.ts';

export class TrackingHub<K> {
  private readonly interfaces = new Map<string, boolean>();
  private readonly scripts = new Map<string, ScriptStatus>();
  private readonly files = new Map<string, number>();
  private readonly processes = new Map<string, boolean>();
  private readonly instances = new Map<K, { entries: readonly TrackEntry[]; last: PriorityVerdict | null }>();
  private readonly users = new Map<string, Set<K>>();

  /** `onVerdict` is called synchronously from the set* call that changed an instance's verdict. */
  constructor(private readonly onVerdict: (key: K, v: PriorityVerdict) => void) {}

  /** Register (or replace) an instance's resolved track list (priority.ts resolveTracking). */
  addInstance(key: K, entries: readonly TrackEntry[]): PriorityVerdict {
    this.removeInstance(key);
    this.instances.set(key, { entries, last: null });
    for (const e of entries) {
      const k = `${e.kind}:${e.name}`;
      let s = this.users.get(k);
      if (!s) this.users.set(k, (s = new Set()));
      s.add(key);
    }
    const v = this.verdict(key);
    this.instances.get(key)!.last = v;
    return v;
  }

  removeInstance(key: K): void {
    const i = this.instances.get(key);
    if (!i) return;
    for (const e of i.entries) this.users.get(`${e.kind}:${e.name}`)?.delete(key);
    this.instances.delete(key);
  }

  verdict(key: K): PriorityVerdict {
    const i = this.instances.get(key);
    const states = { interfaces: this.interfaces, scripts: this.scripts, files: this.files, processes: this.processes };
    return computePriority(i?.entries ?? [], states);
  }

  setInterface(name: string, up: boolean): void { this.interfaces.set(name, up); this.touch('interface', name); }
  setScript(name: string, status: ScriptStatus): void { this.scripts.set(name, status); this.touch('script', name); }
  setFile(name: string, value: number): void { this.files.set(name, value); this.touch('file', name); }
  setProcess(name: string, quorum: boolean): void { this.processes.set(name, quorum); this.touch('process', name); }

  private touch(kind: TrackerKind, name: string): void {
    for (const key of this.users.get(`${kind}:${name}`) ?? []) {
      const i = this.instances.get(key)!;
      const v = this.verdict(key);
      const l = i.last;
      i.last = v;
      if (!l || l.delta !== v.delta || l.fault !== v.fault || l.pending !== v.pending) this.onVerdict(key, v);
    }
  }
}
