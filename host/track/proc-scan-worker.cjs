// @ts-check
// One /proc pass with synchronous reads, off the main thread: ~15 ms for 1 000 processes against ~95 ms for the
// same pass with async reads on the event loop (bench/tracking.bench.ts). CommonJS for the same reason as
// host/exec/spawn-worker.cjs: workers do not inherit the tsx loader.
// main -> worker: { id, withCmdline, procRoot }   worker -> main: { id, rows: [pid, comm, cmdline|null][] }
'use strict';
const { parentPort } = require('node:worker_threads');
const { readdirSync, openSync, readSync, closeSync } = require('node:fs');

if (!parentPort) throw new Error('proc-scan-worker.cjs must run as a worker thread');
const port = parentPort;
const buf = Buffer.allocUnsafe(8192);

function read(path) {
  let fd;
  try {
    fd = openSync(path, 'r');
    let len = 0;
    for (;;) {
      const n = readSync(fd, buf, len, buf.length - len, len);
      if (n === 0) break;
      len += n;
      if (len === buf.length) break;
    }
    return buf.toString('latin1', 0, len);
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

port.on('message', (m) => {
  const rows = [];
  let names = [];
  try {
    names = readdirSync(m.procRoot);
  } catch { /* empty table */ }
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const stat = read(`${m.procRoot}/${name}/stat`);
    if (stat === null) continue;
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    if (open < 0 || close < open) continue;
    const state = stat.charAt(close + 2);
    if (state === 'Z' || state === 'X') continue;
    let cmdline = null;
    if (m.withCmdline) {
      cmdline = read(`${m.procRoot}/${name}/cmdline`);
      if (!cmdline) continue;
    }
    rows.push([Number(name), stat.slice(open + 1, close), cmdline]);
  }
  port.postMessage({ id: m.id, rows });
});
