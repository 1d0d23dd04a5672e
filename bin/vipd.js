#!/usr/bin/env node
// Entry point. Runs the bundle in dist/ (npm run build:host) when it is newer than every file of the TypeScript
// host; otherwise registers tsx and runs host/main.ts directly, so an edited tree never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bundle = join(root, 'dist', 'vipd.mjs');

function newestUnder(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestUnder(p) : statSync(p).mtimeMs);
  }
  return newest;
}

let main;
if (existsSync(bundle) && statSync(bundle).mtimeMs > newestUnder(join(root, 'host'))) {
  ({ main } = await import(bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../host/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
