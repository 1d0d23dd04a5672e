// Long fuzz runs of the engine's receive path and the config loader (the CI runs are test/faults/fuzz-*.test.ts).
//   node --import tsx scripts/fuzz.ts [--target engine|config|all] [--seconds N] [--seed S] [--out DIR]
// Prints the figures docs/testing.md reports (execs, rate, features, corpus, the coverage curve) and, with --out,
// writes the corpus and any findings there. Exits 1 when an invariant broke.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fuzz, summary, type FuzzReport, type Target } from '../test/faults/helpers/fuzz.ts';
import { configTarget, engineTarget } from '../test/faults/helpers/fuzz-targets.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const which = arg('target', 'all');
const seconds = Number(arg('seconds', '300'));
const seed = Number(arg('seed', String(Date.now() % 1e9)));
const out = arg('out', '');

const targets: Target<unknown>[] = [];
if (which === 'engine' || which === 'all') targets.push(engineTarget('debug') as Target<unknown>);
if (which === 'config' || which === 'all') targets.push(configTarget() as Target<unknown>);

let bad = 0;
for (const t of targets) {
  const r: FuzzReport<unknown> = fuzz(t, { seed, maxExecs: Number.MAX_SAFE_INTEGER, maxMs: seconds * 1000 });
  console.log(summary(r));
  // The coverage curve at powers of ten: how many features had been found by then.
  const curve: string[] = [];
  for (let e = 10; e <= r.execs * 10; e *= 10) {
    const at = r.growth.filter(([x]) => x <= e).at(-1);
    curve.push(`${e}: ${at ? at[1] : 0}`);
  }
  console.log(`  features by execs: ${curve.join(', ')}`);
  for (const f of r.findings) console.log(`  FINDING ${f.error.split('\n')[0]}\n    input: ${f.input.slice(0, 400)}`);
  if (out) {
    const dir = join(out, t.name.replace(/\W+/g, '-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'corpus.json'), JSON.stringify(r.corpus.map((x) => t.show(x))));
    writeFileSync(join(dir, 'findings.json'), JSON.stringify(r.findings, null, 2));
  }
  bad += r.findings.length;
}
process.exit(bad > 0 ? 1 : 0);
