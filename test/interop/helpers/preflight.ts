// Interop tests need root (namespaces), keepalived 2.2.x, tshark and tcpdump; say which is missing instead of failing.
import { execFileSync } from 'node:child_process';

export function interopSkipReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root for network namespaces';
  for (const [cmd, args] of [['keepalived', ['-v']], ['tshark', ['-v']], ['tcpdump', ['--version']]] as const) {
    try {
      execFileSync(cmd, [...args], { stdio: 'pipe', timeout: 10_000 });
    } catch {
      return `${cmd} is not installed (apt-get install -y ${cmd})`;
    }
  }
  return false;
}
