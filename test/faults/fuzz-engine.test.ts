// Coverage-guided fuzzing of the engine's receive path, short run for CI (about 20 s): inputs that reach a new
// verdict, verdict-in-state, verdict-after-verdict edge, output kind or state transition join the corpus
// (helpers/fuzz.ts). Invariants: the core never traps; every verdict is a known one; only an accepted advert may
// change a state or the VIPs; every advert the core transmits passes its own decoder. The long run is
// `node --import tsx scripts/fuzz.ts` (figures in docs/testing.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz, summary } from './helpers/fuzz.ts';
import { engineTarget } from './helpers/fuzz-targets.ts';

const MS = Number(process.env.VIPD_FUZZ_MS ?? 20_000);
const SEED = Number(process.env.VIPD_FUZZ_SEED ?? 0x7e57);

test(`engine receive path: coverage-guided fuzz for ${MS / 1000} s (debug build, assertions on)`, { timeout: MS + 30_000 }, () => {
  const r = fuzz(engineTarget('debug'), { seed: SEED, maxExecs: 5_000_000, maxMs: MS });
  console.log(summary(r));
  assert.deepEqual(r.findings, [], `findings:\n${r.findings.map((f) => `${f.input}\n${f.error}`).join('\n\n')}`);
  // The guidance works: mutation reaches verdicts the valid seeds never produce (each one a keepalived check).
  const verdicts = [...r.features].filter((f) => /^v:[^@]+$/.test(f)).map((f) => f.slice(2));
  for (const v of ['ok', 'bad-ttl', 'bad-version', 'bad-checksum', 'bad-length', 'bad-type', 'unknown-vrid', 'too-short', 'auth-failure', 'address-list-mismatch', 'not-running']) {
    assert.ok(verdicts.includes(v), `verdict ${v} reached (reached: ${verdicts.sort().join(', ')})`);
  }
  assert.ok([...r.features].some((f) => f.startsWith('t:')), 'state transitions reached');
  assert.ok(r.execs > 10_000, `${r.execs} execs`);
});
