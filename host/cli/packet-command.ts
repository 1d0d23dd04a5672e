import type { Command } from 'commander';
import type { CliDeps } from './program.ts';

/** `vipd packet decode|encode`: filled in with the core binding. */
export function registerPacketCommand(_program: Command, _deps: CliDeps, _setExit: (c: number) => void): void {}
