// A syslog the test owns: a unix datagram socket in the test's directory (bound by a small python3 receiver, as
// Node cannot bind unix datagram sockets), and a command prefix that runs a program in a private mount namespace
// where /dev/log leads to that socket. The host's /dev stays untouched: /dev is overlaid inside the namespace only
// (upper layer in the test's directory), and the overlay goes away with the last process in it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const RECEIVER = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(float(sys.argv[2]))
print('ready', flush=True)
while True:
    try:
        d = s.recv(65536)
    except socket.timeout:
        break
    print(json.dumps(d.decode('utf-8', 'replace')), flush=True)
`;

export interface SyslogMessage {
  t: number;
  /** The <PRI> field: facility * 8 + severity. */
  pri: number;
  text: string;
}

export class SyslogCatcher {
  readonly messages: SyslogMessage[] = [];
  private constructor(private readonly child: ChildProcess, readonly socketPath: string, private readonly dir: string) {}

  /** Bind `<dir>/log.sock`; resolves once the receiver listens. It exits on its own after `idleS` silent seconds. */
  static async start(dir: string, idleS = 120): Promise<SyslogCatcher> {
    const socketPath = join(dir, 'log.sock');
    const child = spawn('python3', ['-c', RECEIVER, socketPath, String(idleS)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const c = new SyslogCatcher(child, socketPath, dir);
    let partial = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`syslog receiver did not start: ${err}`)); }, 5000);
      child.on('exit', () => { clearTimeout(timer); reject(new Error(`syslog receiver exited: ${err}`)); });
      child.stdout!.on('data', (d: Buffer) => {
        const parts = (partial + d.toString()).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) {
          if (line === 'ready') { clearTimeout(timer); resolve(); continue; }
          const text = JSON.parse(line) as string;
          const m = /^<(\d+)>/.exec(text);
          c.messages.push({ t: Date.now(), pri: m ? Number(m[1]) : -1, text });
        }
      });
    });
    return c;
  }

  /**
   * argv prefix: run the rest in a private mount namespace whose /dev/log is a symlink to our socket. Inside a lab
   * host: `lab.spawn(h, prefix[0], [...prefix.slice(1), node, ...])`.
   */
  wrap(): string[] {
    const up = join(this.dir, 'dev-upper');
    const work = join(this.dir, 'dev-work');
    mkdirSync(up, { recursive: true });
    mkdirSync(work, { recursive: true });
    const script = `mount -t overlay vipd-test-dev -o lowerdir=/dev,upperdir=${up},workdir=${work} /dev && ln -sfn ${this.socketPath} /dev/log && exec "$@"`;
    return ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh'];
  }

  find(re: RegExp): SyslogMessage | undefined {
    return this.messages.find((m) => re.test(m.text));
  }

  text(): string {
    return this.messages.map((m) => `  [syslog] ${m.text}`).join('\n');
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
