// Runs one vipd command line in this process through the real commander program, capturing what it prints.
import { createProgram } from '../../../host/cli/program.ts';

export interface CliResult { code: number; out: string; err: string }

export async function runVipd(...argv: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await createProgram({ stdout: (s) => { out += s; }, stderr: (s) => { err += s; } }).run(argv);
  return { code, out, err };
}
