// Commander wiring only: every action hands over to one function in a feature module.
import { Command, CommanderError } from 'commander';
import { registerPacketCommand } from './packet-command.ts';
import { registerSimCommand } from './sim-command.ts';
import { registerDaemonOptions } from './daemon-options.ts';
import { registerStatusCommand } from './status-command.ts';
import { registerDemoCommand } from './demo-command.ts';
import { getoptArgv } from './keepalived-argv.ts';

/** What the CLI needs from the outside world; tests pass their own. */
export interface CliDeps {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export function realDeps(): CliDeps {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  };
}

/** A program whose `run(argv)` resolves to an exit code instead of calling process.exit. */
export interface VipdProgram {
  command: Command;
  run(argv: string[]): Promise<number>;
}

export function createProgram(deps: CliDeps): VipdProgram {
  let exitCode = 0;
  const setExit = (code: number) => { exitCode = code; };
  const program = new Command('vipd')
    .description('VRRP daemon, drop-in for keepalived')
    .exitOverride()
    // Subcommands own the flags after their name (`vipd status -r FILE` is status's -r, not the root's).
    .enablePositionalOptions()
    .configureOutput({ writeOut: deps.stdout, writeErr: deps.stderr });
  registerDaemonOptions(program, deps, setExit);
  registerPacketCommand(program, deps, setExit);
  registerSimCommand(program, deps, setExit);
  registerStatusCommand(program, deps, setExit);
  registerDemoCommand(program, deps, setExit);
  return {
    command: program,
    async run(argv: string[]): Promise<number> {
      exitCode = 0;
      try {
        await program.parseAsync(getoptArgv(argv, program.commands.map((c) => c.name())), { from: 'user' });
      } catch (e) {
        if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
        deps.stderr(`vipd: ${(e as Error).message}\n`);
        return 1;
      }
      return exitCode;
    },
  };
}
