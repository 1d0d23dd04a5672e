// Interop tests need root (namespaces), keepalived 2.2.7, tshark and tcpdump. Outside CI a missing one skips the
// test with the reason; under CI (CI=true, as .ci/run sets) it throws, so the file fails instead of passing quietly.
import { execFileSync } from 'node:child_process';

function missingInCi(reason: string | false): string | false {
  if (reason && process.env.CI === 'true') throw new Error(`${reason}; CI installs it (.ci/run), so this is a failure`);
  return reason;
}

export function interopSkipReason(): string | false {
  if (process.getuid?.() !== 0) return missingInCi('needs root for network namespaces');
  for (const [cmd, args] of [['keepalived', ['-v']], ['tshark', ['-v']], ['tcpdump', ['--version']]] as const) {
    try {
      execFileSync(cmd, [...args], { stdio: 'pipe', timeout: 10_000 });
    } catch {
      return missingInCi(`${cmd} is not installed (apt-get install -y ${cmd})`);
    }
  }
  return false;
}

/** keepalived 2.2.7 (the comparison baseline) is on PATH; under CI its absence throws (see above). */
export function keepalived227Available(): boolean {
  let version = '';
  try {
    version = execFileSync('sh', ['-c', 'keepalived --version 2>&1'], { encoding: 'utf8', timeout: 5000 });
  } catch { /* not installed */ }
  return !missingInCi(/Keepalived v2\.2\.7/.test(version) ? false : 'keepalived 2.2.7 is not installed');
}
