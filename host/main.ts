import { createProgram, realDeps } from './cli/program.ts';

/** Runs the command line; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  return createProgram(realDeps()).run(argv);
}
