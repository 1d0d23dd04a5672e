// What the config check needs to know about the machine, behind one injectable interface.
import { readdirSync, readFileSync, statSync } from 'node:fs';

export interface SystemView {
  /** Interface names in the current network namespace, or null if unknown (then no interface checks). */
  interfaces(): ReadonlySet<string> | null;
  userExists(name: string): boolean;
  /**
   * Resolve a script's argv[0] the way keepalived does: a name with '/' is taken as it is if something exists there
   * (a file, executable or not, a directory, a device), a bare name is searched in PATH for an executable file.
   * null when nothing is found.
   */
  resolveExecutable(cmd: string): string | null;
  /** What a resolved path is; keepalived counts regular files and directories as scripts it would run. */
  pathKind?(path: string): 'file' | 'dir' | 'other';
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
    if (cmd.includes('/')) {
      try {
        statSync(cmd);
        return cmd;
      } catch {
        return null;
      }
    }
    for (const c of PATH.split(':').map((d) => `${d}/${cmd}`)) {
      try {
        const st = statSync(c);
        if (st.isFile() && (st.mode & 0o111) !== 0) return c;
      } catch {
        /* next */
      }
    }
    return null;
  },
  pathKind(path) {
    try {
      const st = statSync(path);
      return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
    } catch {
      return 'other';
    }
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
