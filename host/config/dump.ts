// `-d`: the effective configuration with every default filled in, as stable, readable JSON.
import type { Config } from './model.ts';

export function dumpConfig(cfg: Config): string {
  return JSON.stringify(cfg, (key, value) => {
    if (key === 'at') return undefined;
    if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
    return value;
  }, 2) + '\n';
}
