// Issue #3: "Every diagnostic names the file, line and column, the keyword, what was expected and what was found".
// Checks every diagnostic that counts in the -t verdict (status not null) over the shared keepalived corpus and a few
// hundred generated configs (fixed seeds): file, line/col, keyword, expected and found are all set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadConfig, realSystem, type SystemView } from '../../host/config/index.ts';
import type { Diagnostic } from '../../host/config/diagnostics.ts';
import { CONFIG_ID, MUTATIONS, generateCase } from '../fixtures/config/generator.ts';

const CORPUS = join(import.meta.dirname, '../../../shared/corpus/keepalived-samples');
const sys: SystemView = { ...realSystem, interfaces: () => new Set(['lo', 'eth0', 'eth1', 'eth2', 'eth3', 'eth0.1']) };
const SEEDS_PER_MUTATION = 12;

/**
 * Diagnostics that genuinely have no line (line 0, col 0): they concern a whole file or the command line.
 * Each entry: a message pattern and why there is no line.
 */
const NO_LINE: { re: RegExp; why: string }[] = [
  { re: /^config file '.*' cannot be read/, why: 'the main config file itself (given with -f) cannot be read: there is no line to point at' },
];

/** Diagnostics whose keyword may be '': file-level problems that belong to no keyword. */
const NO_KEYWORD: { re: RegExp; why: string }[] = [
  { re: /^config file '.*' cannot be read/, why: 'the main config file cannot be read: no keyword was read' },
  { re: /^unterminated quote|^unmatched quote/, why: 'a lexical problem of the line, before any keyword is known' },
  { re: /^parameter or generator expansion nested deeper|^parameter expansion grew beyond|^configuration expands to more than/, why: 'a problem of the expansion itself, not of a keyword' },
];

function problems(d: Diagnostic): string[] {
  const out: string[] = [];
  if (!d.file) out.push('no file');
  const noLine = NO_LINE.some((x) => x.re.test(d.message));
  if (d.line < 1 && !noLine) out.push(`line ${d.line}`);
  if (d.line >= 1 && !(d.col >= 1)) out.push(`col ${d.col}`);
  if (typeof d.keyword !== 'string' || (d.keyword === '' && !NO_KEYWORD.some((x) => x.re.test(d.message)))) out.push('no keyword');
  if (d.expected === undefined || d.expected === '') out.push('no expected');
  if (d.found === undefined) out.push('no found');
  return out;
}

test('every diagnostic that counts in the verdict names file, line, col, keyword, expected and found', () => {
  const files: string[] = readdirSync(CORPUS).map((f) => join(CORPUS, f));
  const base = mkdtempSync(join(tmpdir(), 'vipd-diagfields-'));
  try {
    let k = 0;
    for (const m of MUTATIONS) {
      for (let s = 0; s < SEEDS_PER_MUTATION; s++) {
        const dir = join(base, `g${k++}`);
        mkdirSync(dir);
        const g = generateCase(5000 + s * 13 + k, m);
        for (const [n, t] of Object.entries(g.files)) writeFileSync(join(dir, n), t);
        writeFileSync(join(dir, 'keepalived.conf'), g.text);
        files.push(join(dir, 'keepalived.conf'));
      }
    }
    const bad = new Map<string, string>();
    let counted = 0;
    for (const f of files) {
      for (const d of loadConfig(f, { system: sys, configId: CONFIG_ID }).diagnostics) {
        if (d.status === null) continue;
        counted++;
        const p = problems(d);
        if (p.length === 0) continue;
        const key = `${p.join(', ')}: ${d.message.replace(/'[^']*'|\d+/g, '_').slice(0, 90)}`;
        if (!bad.has(key)) bad.set(key, `${d.file}:${d.line}:${d.col}: ${d.message}`);
      }
    }
    assert.ok(counted > 200, `only ${counted} counted diagnostics: the inputs do not exercise enough`);
    assert.deepEqual([...bad].map(([k2, ex]) => `${k2}\n    e.g. ${ex}`), []);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('a main config file that cannot be read (-e) is the one counted diagnostic without a line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-diagfields-'));
  try {
    const r = loadConfig(join(dir, 'missing.conf'), { system: sys, configId: CONFIG_ID, allConfig: true });
    const counted = r.diagnostics.filter((d) => d.status !== null);
    assert.equal(counted.length, 1);
    assert.deepEqual(problems(counted[0]), []);
    assert.equal(counted[0].line, 0);
    assert.ok(NO_LINE.some((x) => x.re.test(counted[0].message)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
