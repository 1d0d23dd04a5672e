import type { Command } from 'commander';
import type { CliDeps } from './program.ts';
import { runDemo } from '../demo/demo.ts';

/** `vipd demo`: a live failover between network namespaces (needs root). */
export function registerDemoCommand(program: Command, deps: CliDeps, setExit: (c: number) => void): void {
  program
    .command('demo')
    .description('build a lab of network namespaces, run vipd on each host, and show a failover and a preemption')
    .option('--hosts <n>', 'VRRP hosts (2 or 3)', '2')
    .option('--interval <s>', 'advert_int in seconds', '0.1')
    .option('--vrrp-version <v>', 'VRRP version (2 needs whole seconds)', '3')
    .action(async (o: { hosts: string; interval: string; vrrpVersion: string }) => {
      const hosts = Number(o.hosts);
      const interval = Number(o.interval);
      const version = Number(o.vrrpVersion);
      if (![2, 3].includes(hosts) || !(interval > 0) || ![2, 3].includes(version)) {
        deps.stderr('vipd demo: --hosts must be 2 or 3, --interval > 0, --vrrp-version 2 or 3\n');
        setExit(2);
        return;
      }
      if (process.getuid?.() !== 0) {
        deps.stderr('vipd demo: needs root (it creates network namespaces); try: sudo npx vipd demo\n');
        setExit(4);
        return;
      }
      try {
        setExit(await runDemo({ hosts, interval, version: version as 2 | 3, out: deps.stdout }));
      } catch (e) {
        deps.stderr(`vipd demo: ${(e as Error).message}\n`);
        setExit(1);
      }
    });
}
