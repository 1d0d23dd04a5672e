#!/usr/bin/env node
// Bundles the TypeScript host into dist/vipd.mjs with esbuild (tsx's own dependency), so the daemon starts in
// about a tenth of a second instead of compiling TypeScript on every start. bin/vipd.js uses the bundle only
// while it is newer than every file under host/.
import { build } from 'esbuild';

await build({
  entryPoints: ['host/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: 'dist/vipd.mjs',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  banner: { js: "import { createRequire as __vipdCreateRequire } from 'node:module'; const require = __vipdCreateRequire(import.meta.url);" },
});
