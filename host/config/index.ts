// Public entry of host/config: load a keepalived.conf into the typed model with diagnostics.
import { hostname } from 'node:os';
import { Diagnostics, type Diagnostic, exitCodeFor, formatDiagnostic } from './diagnostics.ts';
import { lex } from './lexer.ts';
import { buildTree } from './tree.ts';
import { buildConfig } from './parser.ts';
import type { Config } from './model.ts';
import { type ConfigFs, realFs } from './source.ts';
import { type SystemView, realSystem } from './system.ts';

export type { Config, VrrpInstance, GlobalDefs, VipSpec } from './model.ts';
export type { Diagnostic, ConfigStatus } from './diagnostics.ts';
export { exitCodeFor, formatDiagnostic } from './diagnostics.ts';
export { dumpConfig } from './dump.ts';
export { fixedSystem, realSystem, type SystemView } from './system.ts';
export { memoryFs, realFs, type ConfigFs } from './source.ts';

export const DEFAULT_CONFIG_FILE = '/etc/keepalived/keepalived.conf';

export interface LoadOptions {
  /** `-i`: defaults to the host name up to the first dot. */
  configId?: string;
  /** `-e/--all-config`. */
  allConfig?: boolean;
  fs?: ConfigFs;
  system?: SystemView;
  env?: Record<string, string | undefined>;
  random?: () => number;
  /** router_id's default (keepalived: the host name); tests pass their own. */
  hostname?: string;
  /** Lines a configuration may expand to (~SEQ, includes) before the check stops with a fatal error; 250 000. */
  maxLines?: number;
}

export interface LoadResult {
  config: Config;
  diagnostics: Diagnostic[];
  /** keepalived -t's exit code for this file (0, 2, 4, 5 or 6). */
  exitCode: number;
}

export function defaultConfigId(): string {
  return hostname().split('.')[0];
}

/** Read, preprocess, parse and cross-check. Never throws for bad input: everything becomes a diagnostic. */
export function loadConfig(path: string = DEFAULT_CONFIG_FILE, options: LoadOptions = {}): LoadResult {
  const d = new Diagnostics();
  const lines = lex(path, {
    fs: options.fs ?? realFs,
    configId: options.configId ?? defaultConfigId(),
    allConfig: options.allConfig ?? false,
    env: options.env,
    random: options.random,
    maxLines: options.maxLines,
  }, d);
  const tree = buildTree(lines, d);
  const config = buildConfig(path, tree, options.system ?? realSystem, d);
  config.global.routerId ??= options.hostname ?? hostname();
  return { config, diagnostics: d.list, exitCode: exitCodeFor(d.list) };
}

/** The text `-t` prints on stderr. Notes are included only when asked. */
export function renderDiagnostics(list: readonly Diagnostic[], withNotes = false): string {
  return list.filter((x) => withNotes || x.severity !== 'note').map((x) => formatDiagnostic(x) + '\n').join('');
}
