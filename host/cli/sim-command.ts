import type { Command } from 'commander';
import type { CliDeps } from './program.ts';

/** `vipd sim`: filled in with the simulator. */
export function registerSimCommand(_program: Command, _deps: CliDeps, _setExit: (c: number) => void): void {}
