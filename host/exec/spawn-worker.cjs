// @ts-check
// The thread that owns every script process. Starting one blocks the calling thread until the child has exec'd
// (about 0.5 ms with the native vfork-style spawn, milliseconds with child_process's fork() of the whole daemon), so
// the event loop that sends adverts never does it: it posts a request here and gets one 'done' message back. Plain
// CommonJS on purpose: a worker does not inherit the tsx loader that the main thread registered, and this file must
// load the same way under tests, the CLI and bin/.
// Processes are started by the native addon (spawn-native.cjs); child_process.spawn is the fallback when the addon is
// not built, announced once with a 'spawner' message.
//
// Protocol (main -> worker):
//   { type: 'run', id, file, args, shell, uid, gid, timeoutMs, graceMs, capBytes }
//   { type: 'signal', id, signal }        signal to the whole process group of one run
//   { type: 'signalAll', signal }         the same for every live run (shutdown)
// worker -> main:
//   { type: 'spawner', kind: 'native' | 'child_process', reason }   once, at start
//   { type: 'started', id, pid }
//   { type: 'done', id, pid, code, signal, sentTerm, sentKill, stdout, stderr, dropped, spawnError, ms }
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { spawn } = require('node:child_process');
const { nativeSpawner } = require('./spawn-native.cjs');

if (!parentPort) throw new Error('spawn-worker.cjs must run as a worker thread');
const port = parentPort;
/** @type {NodeJS.ProcessEnv} */
const env = (workerData && workerData.env) || {};
const myUid = typeof process.getuid === 'function' ? process.getuid() : -1;
const myGid = typeof process.getgid === 'function' ? process.getgid() : -1;

/** @typedef {(code: number | null, signal: NodeJS.Signals | null) => void} OnExit */
/** @typedef {{ pid: number, stdout: import('node:stream').Readable | null, stderr: import('node:stream').Readable | null }} Started */

const wanted = (workerData && workerData.spawner) || 'native';
const native = wanted === 'native' ? nativeSpawner(env) : { reason: 'child_process requested' };
const useNative = 'start' in native ? native : null;
port.postMessage({ type: 'spawner', kind: useNative ? 'native' : 'child_process', reason: 'reason' in native ? native.reason : null });

/**
 * child_process.spawn, the fallback: the same setsid/stdio/cwd/identity as the native path. Exec errors arrive
 * later through onError (pid 0) rather than as a throw.
 * @returns {Started}
 */
function startWithNode(file, argv, uid, gid, capture, /** @type {OnExit} */ onExit, /** @type {(e: Error) => void} */ onError) {
  /** @type {import('node:child_process').SpawnOptions} */
  const opts = {
    detached: true, // setsid(): own session and process group, like keepalived's setpgid(0, 0)
    env,
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'ignore',
    cwd: '/',
    argv0: argv[0],
  };
  if (uid !== myUid && uid >= 0) opts.uid = uid;
  if (gid !== myGid && gid >= 0) opts.gid = gid;
  const child = spawn(file, argv.slice(1), opts);
  child.on('error', onError);
  child.on('exit', onExit);
  return { pid: child.pid ?? 0, stdout: child.stdout, stderr: child.stderr };
}

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
  const file = msg.shell ? '/bin/sh' : msg.file;
  const argv = msg.shell ? ['/bin/sh', '-c', msg.file] : [msg.argv0 ?? msg.file, ...msg.args];
  const out = { parts: [], len: 0, dropped: 0 };
  const err = { parts: [], len: 0, dropped: 0 };
  /** @type {string | null} */
  let spawnError = null;
  let finished = false;
  /** @type {Started} */
  let child = { pid: 0, stdout: null, stderr: null };
  /** @type {Live} */
  const entry = { id: msg.id, pid: 0, sentTerm: false, sentKill: false, timer: null };
  /** @type {OnExit} */
  const finish = (code, signal) => {
    if (finished) return;
    finished = true;
    if (entry.timer) clearTimeout(entry.timer);
    live.delete(msg.id);
    const pid = child.pid;
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
    const streams = [child.stdout, child.stderr].filter((s) => s !== null);
    if (streams.length) {
      let pending = streams.length;
      const t = setTimeout(send, 50);
      const one = () => { if (--pending === 0) { clearTimeout(t); send(); } };
      for (const s of streams) { if (s.readableEnded || s.destroyed) one(); else s.once('close', one); }
    } else {
      send();
    }
  };
  try {
    child = useNative
      ? useNative.start(file, argv, msg.uid, msg.gid, capBytes > 0, finish)
      : startWithNode(file, argv, msg.uid, msg.gid, capBytes > 0, finish, (e) => {
        spawnError = String(e.message || e);
        if (!child.pid) finish(null, null);
      });
  } catch (e) {
    // The native path throws when the program could not be started; word it as child_process does.
    const code = e && /** @type {NodeJS.ErrnoException} */ (e).code;
    spawnError = code ? `spawn ${file} ${code}` : String((e && /** @type {Error} */ (e).message) || e);
    finish(null, null);
    return;
  }
  capture(child.stdout, capBytes, out);
  capture(child.stderr, capBytes, err);
  const pid = child.pid;
  entry.pid = pid;
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
