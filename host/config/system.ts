// What the config check needs to know about the machine, behind one injectable interface.
import { readdirSync, readFileSync, statSync } from 'node:fs';

export interface SystemView {
  /** Interface names in the current network namespace, or null if unknown (then no interface checks). */
  interfaces(): ReadonlySet<string> | null;
  userExists(name: string): boolean;
  /** Resolve argv[0] the way keepalived does (PATH search when there is no '/'); null if not an executable file. */
  resolveExecutable(cmd: string): string | null;
}

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const realSystem: SystemView = {
  interfaces() {
    try {
      return new Set(readdirSync('/sys/class/net'));
    } catch {
      return null;
    }
  },
  userExists(name) {
    try {
      return readFileSync('/etc/passwd', 'utf8').split('\n').some((l) => l.split(':')[0] === name);
    } catch {
      return false;
    }
  },
  resolveExecutable(cmd) {
    const cands = cmd.includes('/') ? [cmd] : PATH.split(':').map((d) => `${d}/${cmd}`);
    for (const c of cands) {
      try {
        const st = statSync(c);
        if (st.isFile() && (st.mode & 0o111) !== 0) return c;
      } catch {
        /* next */
      }
    }
    return null;
  },
};

/** For tests and the fuzzer: a fixed view. */
export function fixedSystem(ifaces: Iterable<string> | null, users: Iterable<string> = ['root'], executables: Iterable<string> = []): SystemView {
  const set = ifaces === null ? null : new Set(ifaces);
  const u = new Set(users);
  const ex = new Set(executables);
  return {
    interfaces: () => set,
    userExists: (n) => u.has(n),
    resolveExecutable: (c) => (ex.has(c) ? c : null),
  };
}
