import type { Command } from 'commander';
import type { CliDeps } from './program.ts';
import { DEFAULT_VRRP_PID_FILE } from '../daemon/main.ts';
import { fetchStatus, formatStatus, statusSocketName } from '../daemon/status.ts';

/** `vipd status [--json]`: asks the daemon running in this network namespace. */
export function registerStatusCommand(program: Command, deps: CliDeps, setExit: (c: number) => void): void {
  program
    .command('status')
    .description("show each instance's state, priority, master, VIPs and counters from the running daemon")
    .option('--json', 'machine-readable output')
    .option('-r, --vrrp_pid <file>', 'the VRRP pid file the daemon was started with', DEFAULT_VRRP_PID_FILE)
    .action(async (o: { json?: boolean; vrrp_pid: string }) => {
      try {
        const r = await fetchStatus(statusSocketName(o.vrrp_pid));
        deps.stdout(o.json ? JSON.stringify(r, null, 2) + '\n' : formatStatus(r));
      } catch (e) {
        deps.stderr(`vipd status: ${(e as Error).message}\n`);
        setExit(3);
      }
    });
}
