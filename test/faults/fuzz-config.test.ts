// Coverage-guided fuzzing of the configuration loader, short run for CI (about 20 s): a mutated keepalived.conf that
// produces a new kind of diagnostic (severity, status, keyword, message shape) or a new exit code joins the corpus.
// Invariants: the loader never throws, never takes 2 s, and every diagnostic has a file, a line and a column that
// exist. The long run is `node --import tsx scripts/fuzz.ts` (figures in docs/testing.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz, summary } from './helpers/fuzz.ts';
import { configTarget } from './helpers/fuzz-targets.ts';

const MS = Number(process.env.VIPD_FUZZ_MS ?? 20_000);
const SEED = Number(process.env.VIPD_FUZZ_SEED ?? 0xc0f);

test(`config loader: coverage-guided fuzz for ${MS / 1000} s`, { timeout: MS + 30_000 }, () => {
  const r = fuzz(configTarget(), { seed: SEED, maxExecs: 5_000_000, maxMs: MS });
  console.log(summary(r));
  assert.deepEqual(r.findings, [], `findings:\n${r.findings.map((f) => `${f.input}\n${f.error}`).join('\n\n')}`);
  const exits = [...r.features].filter((f) => f.startsWith('exit:'));
  assert.ok(exits.length >= 3, `exit codes reached: ${exits.join(', ')}`);
  assert.ok(r.features.size > 100, `${r.features.size} features`);
});
