// @ts-check
// Script processes started by the native addon (native/vipd_net.c spawn(): clone(CLONE_VM|CLONE_VFORK) + execve,
// reaped through a pidfd) instead of child_process.spawn, whose fork() of the whole daemon cost ~2.4 ms of our CPU
// per run. Loaded by spawn-worker.cjs; CommonJS for the same reason as that file.
'use strict';
const { accessSync, constants: fsc, statSync } = require('node:fs');
const net = require('node:net');
const { constants } = require('node:os');
const path = require('node:path');

const ADDON = path.join(__dirname, '..', '..', 'native', 'build', 'Release', 'vipd_net.node');
/** native/vipd_net.c SPAWN_LOST: the child could not be waited for. */
const LOST = -1000;

/** @type {Map<number, NodeJS.Signals>} */
const signalNames = new Map(Object.entries(constants.signals).map(([name, n]) => [n, /** @type {NodeJS.Signals} */ (name)]));

/**
 * The addon's spawn(), or why it cannot be used.
 * @returns {{ spawn: Function, reason: null } | { spawn: null, reason: string }}
 */
function loadAddon() {
  try {
    const mod = require(ADDON);
    if (typeof mod.spawn !== 'function') return { spawn: null, reason: 'the built addon has no spawn() (rebuild it: npm run build:native)' };
    return { spawn: mod.spawn, reason: null };
  } catch (e) {
    return { spawn: null, reason: `native addon not loadable (${String((e && /** @type {Error} */ (e).message) || e).split('\n')[0]})` };
  }
}

/** execvp's PATH search, done here because the addon execs exactly the file it is given. */
function resolveFile(file, envPath) {
  if (file.includes('/')) return file;
  for (const dir of (envPath || '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const p = path.join(dir || '.', file);
    try {
      accessSync(p, fsc.X_OK);
      if (statSync(p).isFile()) return p;
    } catch { /* next */ }
  }
  return file; // execve then fails with ENOENT, reported as a spawn error
}

/** A read end of a capture pipe as a stream (libuv reads it on this thread's loop). */
function pipeReader(fd) {
  return fd >= 0 ? new net.Socket({ fd, readable: true, writable: false }) : null;
}

/**
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ reason: string } | { start: (file: string, argv: string[], uid: number, gid: number, capture: boolean,
 *   onExit: (code: number | null, signal: NodeJS.Signals | null) => void) => { pid: number, stdout: net.Socket | null, stderr: net.Socket | null } }}
 */
function nativeSpawner(env) {
  const { spawn, reason } = loadAddon();
  if (!spawn) return { reason: /** @type {string} */ (reason) };
  const envp = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return {
    start(file, argv, uid, gid, capture, onExit) {
      const h = spawn(resolveFile(file, env.PATH), argv, envp, uid, gid, capture, (/** @type {number} */ status) => {
        if (status === LOST) onExit(null, null);
        else if (status >= 0) onExit(status, null);
        else onExit(null, signalNames.get(-status) ?? /** @type {NodeJS.Signals} */ (/** @type {unknown} */ (`signal ${-status}`)));
      });
      return { pid: h.pid, stdout: pipeReader(h.stdout), stderr: pipeReader(h.stderr) };
    },
  };
}

module.exports = { nativeSpawner, resolveFile };
