// A stand-in daemon for exec-spawn-native.test.ts: holds the kinds of fds vipd holds (a raw VRRP socket, a netlink
// socket, a timerfd, the real-time signal pipe, plus whatever its parent passed without CLOEXEC) and runs one shell
// line through a ScriptRunner. Prints JSON lines: {"fds": ...} (its own fds), {"started": pid}, {"result": ...}.
//   node --import tsx test/host/helpers/script-host.ts run|hold 'shell line'
// hold: timeout 0 and never exits by itself (the test kills it).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createRtNetlink } from 'netlink';
import { ScriptRunner } from '../../../host/exec/run-script.ts';
import { native } from '../../../host/net/native.ts';

const [mode, line] = process.argv.slice(2);
const addon = native();
const raw = addon.openVrrp(4, 0, 0, 112);
const timer = addon.timerCreate(() => {});
addon.timerArm(timer, 3600e9);
addon.signalWatch([addon.sigrt().min + 2], () => {});
const nl = createRtNetlink({ ref: false, recvBufferSize: 1 << 16, sendBufferSize: 0 });

const fds: Record<string, { target: string; cloexec: boolean }> = {};
for (const fd of readdirSync('/proc/self/fd')) {
  try {
    const flags = parseInt(/flags:\s+(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'))![1], 8);
    fds[fd] = { target: readlinkSync(`/proc/self/fd/${fd}`), cloexec: (flags & 0o2000000) !== 0 };
  } catch { /* the directory handle itself */ }
}
const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
out({ fds, raw });

const runner = new ScriptRunner();
const hold = mode === 'hold';
const result = await runner.run({ mode: 'shell', line, uid: 0, gid: 0 }, { timeoutMs: hold ? 0 : 10_000, captureBytes: 65_536 },
  (pid) => out({ started: pid }));
out({ result });
if (hold) setInterval(() => {}, 1000);
else {
  await runner.close();
  void nl;
  addon.timerClose(timer);
  addon.closeFd(raw);
  process.exit(0);
}
