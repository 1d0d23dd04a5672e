// Where the project's own files are, whether this code runs from host/*.ts (through tsx) or from the bundle in
// dist/ (npm run build:host): both find the root by walking up to vipd's package.json.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  let dir = dirname(fileURLToPath(from));
  for (let k = 0; k < 8; k++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'vipd') return dir;
      } catch { /* not ours */ }
    }
    dir = dirname(dir);
  }
  throw new Error(`cannot find vipd's package.json above ${from}`);
}

export const ROOT = findRoot(import.meta.url);

export const projectPath = (...parts: string[]): string => join(ROOT, ...parts);
