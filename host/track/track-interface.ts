// track_interface: interface up/down as the daemon learns it from netlink. This only keeps the table and reports
// real changes; what an up or down is worth to an instance is priority.ts's job (weight 0 = FAULT while down).
export class InterfaceTracker {
  private readonly up = new Map<string, boolean>();

  /** `onChange` fires when a watched interface's state really changes (not on repeated events). */
  constructor(private readonly onChange: (name: string, up: boolean) => void) {}

  /** Feed one netlink link event (or the initial dump). Returns true when it changed something. */
  set(name: string, up: boolean): boolean {
    if (this.up.get(name) === up) return false;
    this.up.set(name, up);
    this.onChange(name, up);
    return true;
  }

  /** An interface that disappeared counts as down. */
  remove(name: string): void {
    this.set(name, false);
  }

  isUp(name: string): boolean { return this.up.get(name) ?? false; }
  /** name -> up, for TrackStates.interfaces. */
  states(): ReadonlyMap<string, boolean> { return this.up; }
}
