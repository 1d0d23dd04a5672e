// @ts-check
// The thread that owns every script process. fork() of a daemon with a large heap costs milliseconds of the calling
// thread (about 6 ms measured on our machines), so the event loop that sends adverts never calls spawn itself: it
// posts a request here and gets one 'done' message back. Plain CommonJS on purpose: a worker does not inherit the
// tsx loader that the main thread registered, and this file must load the same way under tests, the CLI and bin/.
//
// Protocol (main -> worker):
//   { type: 'run', id, file, args, shell, uid, gid, timeoutMs, graceMs, capBytes }
//   { type: 'signal', id, signal }        signal to the whole process group of one run
//   { type: 'signalAll', signal }         the same for every live run (shutdown)
// worker -> main:
//   { type: 'started', id, pid }
//   { type: 'done', id, pid, code, signal, sentTerm, sentKill, stdout, stderr, dropped, spawnError, ms }
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { spawn } = require('node:child_process');

if (!parentPort) throw new Error('spawn-worker.cjs must run as a worker thread');
const port = parentPort;
/** @type {NodeJS.ProcessEnv} */
const env = (workerData && workerData.env) || {};
const myUid = typeof process.getuid === 'function' ? process.getuid() : -1;
const myGid = typeof process.getgid === 'function' ? process.getgid() : -1;

/** @typedef {{ id: number, pid: number, sentTerm: boolean, sentKill: boolean, timer: NodeJS.Timeout | null }} Live */
/** @type {Map<number, Live>} */
const live = new Map();

/** kill(-pgid): the script was started with setsid(), so its pid is its process group id. */
function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is already empty
  }
}

/** Keeps the first `cap` bytes of a stream and reads (and drops) the rest, so a flooding script never blocks on a
 * full pipe and never grows our memory. */
function capture(stream, cap, sink) {
  if (!stream) return;
  stream.on('data', (chunk) => {
    const room = cap - sink.len;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      sink.parts.push(Buffer.from(part));
      sink.len += part.length;
      sink.dropped += chunk.length - part.length;
    } else {
      sink.dropped += chunk.length;
    }
  });
  stream.on('error', () => {});
}

function run(msg) {
  const started = process.hrtime.bigint();
  const capBytes = msg.capBytes | 0;
  /** @type {import('node:child_process').SpawnOptions} */
  const opts = {
    detached: true, // setsid(): own session and process group, like keepalived's setpgid(0, 0)
    env,
    stdio: capBytes > 0 ? ['ignore', 'pipe', 'pipe'] : 'ignore',
    cwd: '/',
  };
  if (msg.uid !== myUid && msg.uid >= 0) opts.uid = msg.uid;
  if (msg.gid !== myGid && msg.gid >= 0) opts.gid = msg.gid;
  const file = msg.shell ? '/bin/sh' : msg.file;
  const args = msg.shell ? ['-c', msg.file] : msg.args;
  /** @type {import('node:child_process').ChildProcess} */
  let child;
  try {
    child = spawn(file, args, opts);
  } catch (e) {
    port.postMessage({ type: 'done', id: msg.id, pid: 0, code: null, signal: null, sentTerm: false, sentKill: false,
      stdout: '', stderr: '', dropped: 0, spawnError: String((e && e.message) || e), ms: 0 });
    return;
  }
  const out = { parts: [], len: 0, dropped: 0 };
  const err = { parts: [], len: 0, dropped: 0 };
  capture(child.stdout, capBytes, out);
  capture(child.stderr, capBytes, err);
  let spawnError = null;
  let finished = false;
  const pid = child.pid ?? 0;
  /** @type {Live} */
  const entry = { id: msg.id, pid, sentTerm: false, sentKill: false, timer: null };
  if (pid) {
    live.set(msg.id, entry);
    port.postMessage({ type: 'started', id: msg.id, pid });
  }
  if (pid && msg.timeoutMs > 0) {
    entry.timer = setTimeout(() => {
      entry.sentTerm = true;
      signalGroup(pid, 'SIGTERM');
      entry.timer = setTimeout(() => {
        entry.sentKill = true;
        signalGroup(pid, 'SIGKILL');
        entry.timer = null;
      }, msg.graceMs);
    }, msg.timeoutMs);
  }
  const finish = (code, signal) => {
    if (finished) return;
    finished = true;
    if (entry.timer) clearTimeout(entry.timer);
    live.delete(msg.id);
    // A script we asked to stop may have left children in its group: keepalived SIGKILLs the group then too.
    if (pid && (entry.sentTerm || entry.sentKill)) signalGroup(pid, 'SIGKILL');
    const send = () => {
      // A grandchild may still hold the pipes open; we do not wait for it.
      child.stdout?.destroy();
      child.stderr?.destroy();
      port.postMessage({
        type: 'done', id: msg.id, pid, code, signal, sentTerm: entry.sentTerm, sentKill: entry.sentKill,
        stdout: Buffer.concat(out.parts).toString('utf8'), stderr: Buffer.concat(err.parts).toString('utf8'),
        dropped: out.dropped + err.dropped, spawnError, ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    };
    // Let the last buffered output arrive (pipes close right after exit unless a grandchild holds them).
    if (capBytes > 0 && (child.stdout || child.stderr)) {
      let pending = (child.stdout ? 1 : 0) + (child.stderr ? 1 : 0);
      const t = setTimeout(send, 50);
      const one = () => { if (--pending === 0) { clearTimeout(t); send(); } };
      if (child.stdout) { if (child.stdout.readableEnded || child.stdout.destroyed) one(); else child.stdout.once('close', one); }
      if (child.stderr) { if (child.stderr.readableEnded || child.stderr.destroyed) one(); else child.stderr.once('close', one); }
    } else {
      send();
    }
  };
  child.on('error', (e) => {
    spawnError = String(e.message || e);
    if (!pid) finish(null, null);
  });
  child.on('exit', (code, signal) => finish(code, signal));
}

port.on('message', (msg) => {
  switch (msg.type) {
    case 'run':
      run(msg);
      break;
    case 'signal': {
      const e = live.get(msg.id);
      if (e) {
        if (msg.signal === 'SIGKILL') e.sentKill = true;
        else if (msg.signal === 'SIGTERM') e.sentTerm = true;
        signalGroup(e.pid, msg.signal);
      }
      break;
    }
    case 'signalAll':
      for (const e of live.values()) signalGroup(e.pid, msg.signal);
      break;
  }
});
