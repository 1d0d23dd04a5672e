// Processes as /proc shows them, for tests that check what scripts left behind (groups, zombies).

/** Fields 3.. of /proc/<pid>/stat (f[0] state, f[1] ppid, f[2] pgrp, ...), or null when the process is gone. */
import { readFileSync, readdirSync } from 'node:fs';

export function procStat(pid: number | string): string[] | null {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return st.slice(st.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

function pidsWhere(keep: (f: string[]) => boolean): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).filter((n) => {
    const f = procStat(n);
    return f !== null && keep(f);
  }).map(Number);
}

/** Live (not zombie) processes in process group `pgid`. */
export function liveInGroup(pgid: number): number[] {
  return pidsWhere((f) => f[0] !== 'Z' && Number(f[2]) === pgid);
}

/** Zombie children of `pid` (exited, not reaped yet); ours by default. */
export function zombiesOf(pid: number = process.pid): number[] {
  return pidsWhere((f) => f[0] === 'Z' && Number(f[1]) === pid);
}
