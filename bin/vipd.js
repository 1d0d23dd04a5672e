#!/usr/bin/env node
// Entry point: register tsx so the TypeScript host runs without a build step, then hand over to main.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../host/main.ts');
process.exitCode = await main(process.argv.slice(2));
