// A small coverage-guided fuzz loop in the jsfuzz/libFuzzer style, without native instrumentation: a target turns
// an input into a set of "features" (which verdict, which state edge, which diagnostic kind it reached); an input
// that reaches a feature nobody reached before joins the corpus and is mutated further. The target throws when an
// invariant breaks; the loop records the input and goes on. Seeded: a run replays exactly.
import { mulberry32, type Rng } from '../../../host/sim/prng.ts';

export interface Target<T> {
  readonly name: string;
  seeds(): T[];
  /** One mutation step; `other` is another corpus entry (for splicing). */
  mutate(x: T, rng: Rng, other: T): T;
  /** Run one input; returns the features it reached. Throws when an invariant breaks. */
  run(x: T): Iterable<string>;
  /** Short printable form of an input (for findings). */
  show(x: T): string;
}

export interface FuzzOptions {
  seed: number;
  maxExecs: number;
  maxMs: number;
  /** Stop at the first finding. */
  stopOnFinding?: boolean;
}

export interface FuzzReport<T> {
  target: string;
  seed: number;
  execs: number;
  ms: number;
  corpus: T[];
  features: Set<string>;
  /** [execs, features] each time the feature count grew (the coverage curve). */
  growth: [number, number][];
  findings: { input: string; error: string }[];
}

export function fuzz<T>(t: Target<T>, o: FuzzOptions): FuzzReport<T> {
  const rng = mulberry32(o.seed);
  const features = new Set<string>();
  const corpus: T[] = [];
  const growth: [number, number][] = [];
  const findings: { input: string; error: string }[] = [];
  const t0 = performance.now();
  let execs = 0;
  const exec = (x: T): boolean => {
    execs++;
    let fresh = false;
    try {
      for (const f of t.run(x)) {
        if (!features.has(f)) { features.add(f); fresh = true; }
      }
    } catch (e) {
      const error = (e as Error).stack ?? String(e);
      // One finding per distinct first error line: the same bug found again is not news.
      const key = error.split('\n')[0];
      if (!findings.some((f) => f.error.split('\n')[0] === key)) findings.push({ input: t.show(x), error });
      return false;
    }
    if (fresh) growth.push([execs, features.size]);
    return fresh;
  };
  for (const s of t.seeds()) {
    exec(s);
    corpus.push(s);
  }
  while (execs < o.maxExecs && performance.now() - t0 < o.maxMs) {
    if (o.stopOnFinding && findings.length > 0) break;
    // Favour recent finds (they sit at the frontier), but keep drawing from the whole corpus.
    const pick = rng.next() < 0.5 ? corpus.length - 1 - Math.floor(rng.next() * Math.min(corpus.length, 16)) : Math.floor(rng.next() * corpus.length);
    let x = corpus[pick];
    const steps = 1 + Math.floor(rng.next() * 4);
    for (let k = 0; k < steps; k++) x = t.mutate(x, rng, corpus[Math.floor(rng.next() * corpus.length)]);
    if (exec(x)) corpus.push(x);
  }
  return { target: t.name, seed: o.seed, execs, ms: performance.now() - t0, corpus, features, growth, findings };
}

export function summary<T>(r: FuzzReport<T>): string {
  const rate = Math.round(r.execs / (r.ms / 1000));
  const last = r.growth.at(-1);
  return `${r.target}: seed ${r.seed}, ${r.execs} execs in ${(r.ms / 1000).toFixed(1)} s (${rate}/s), ${r.features.size} features, ` +
    `corpus ${r.corpus.length}, last new feature at exec ${last ? last[0] : 0}, ${r.findings.length} finding(s)`;
}
