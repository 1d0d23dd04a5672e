// Routing table names as keepalived 2.2.7 resolves them: iproute2's /etc/iproute2/rt_tables ("NUMBER NAME" per line,
// the number decimal or 0x hex, `#` comments) on top of the stock names. Read when a configuration is checked or
// loaded and again when the file changes, so a SIGHUP picks up a new table name.
import { readFileSync, statSync } from 'node:fs';

export const RT_TABLES_FILE = '/etc/iproute2/rt_tables';
const STOCK: [string, number][] = [['unspec', 0], ['default', 253], ['main', 254], ['local', 255]];
const U32 = 4294967295;

/**
 * The names in an rt_tables text. As keepalived 2.2.7 reads it (measured: test/host/route-tables.test.ts), a line
 * is exactly two words, a number up to 2^32-1 and a name; any other line is skipped, so a comment after the name
 * hides the entry (iproute2 itself would take it).
 */
export function parseRtTables(text: string): Map<string, number> {
  const names = new Map<string, number>(STOCK);
  for (const raw of text.split('\n')) {
    const words = raw.trim().split(/\s+/);
    if (words.length !== 2 || !/^(0x[0-9a-f]+|\d+)$/i.test(words[0])) continue;
    const n = Number(words[0]);
    if (n <= U32) names.set(words[1], n);
  }
  return names;
}

let cache: { file: string; mtimeMs: number; names: ReadonlyMap<string, number> } | undefined;

/** The machine's table names (the stock ones when the file cannot be read). */
export function routeTables(file = RT_TABLES_FILE): ReadonlyMap<string, number> {
  let mtimeMs = -1;
  try { mtimeMs = statSync(file).mtimeMs; } catch { /* no file: stock names */ }
  if (cache && cache.file === file && cache.mtimeMs === mtimeMs) return cache.names;
  let text = '';
  try { text = readFileSync(file, 'utf8'); } catch { /* stock names */ }
  cache = { file, mtimeMs, names: parseRtTables(text) };
  return cache.names;
}
