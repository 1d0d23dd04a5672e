// Notifications in keepalived's order and format, with real scripts, a real FIFO and a real SMTP server.
import assert from 'node:assert/strict';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { ScriptRunner, type PreparedCommand } from '../../host/exec/run-script.ts';
import { NotifyFifo } from '../../host/notify/fifo.ts';
import { alertMessage, alertText, fifoLine, genericNotifyArgs, rfc822Date } from '../../host/notify/format.ts';
import { type NotifyScripts, type NotifyTarget, Notifier } from '../../host/notify/notifier.ts';
import { SmtpAlerter, parseSmtpServer } from '../../host/notify/smtp.ts';

const dir = mkdtempSync(join(tmpdir(), 'vipd-notify-'));
const runner = new ScriptRunner({ maxConcurrent: 16 });
after(async () => { await runner.close(); rmSync(dir, { recursive: true, force: true }); });
const log = { info: () => {}, warn: () => {} };

/** A script that appends "<tag> <args...>" to the journal file. */
function recorder(tag: string): PreparedCommand {
  const p = join(dir, `rec-${tag}.sh`);
  writeFileSync(p, `#!/bin/sh\necho "${tag} $*" >> ${join(dir, 'journal')}\n`);
  chmodSync(p, 0o755);
  return { mode: 'exec', file: p, argv: [p, `${tag}-arg`], uid: 0, gid: 0 };
}
const none: NotifyScripts = { master: null, backup: null, fault: null, stop: null, deleted: null, masterRxLowerPri: null, generic: null };
const waitFor = async (pred: () => boolean, ms = 3000) => {
  const end = performance.now() + ms;
  while (!pred() && performance.now() < end) await new Promise((r) => setTimeout(r, 10));
  assert.ok(pred());
};
const journal = () => (existsSync(join(dir, 'journal')) ? readFileSync(join(dir, 'journal'), 'utf8') : '');

describe('formats', () => {
  it('FIFO lines and generic arguments', () => {
    assert.equal(fifoLine('INSTANCE', 'VI_1', 'MASTER', 100), 'INSTANCE "VI_1" MASTER 100\n');
    assert.equal(fifoLine('GROUP', 'G', 'BACKUP', 77), 'GROUP "G" BACKUP 0\n');
    assert.equal(fifoLine('INSTANCE', 'VI_1', 'MASTER_RX_LOWER_PRI', 100), 'INSTANCE "VI_1" MASTER_RX_LOWER_PRI 100\n');
    assert.deepEqual(genericNotifyArgs('INSTANCE', 'VI_1', 'FAULT', 80), ['INSTANCE', 'VI_1', 'FAULT', '80']);
    assert.deepEqual(genericNotifyArgs('GROUP', 'G', 'MASTER', 80), ['GROUP', 'G', 'MASTER', '0']);
  });
  it('alert subjects and bodies', () => {
    assert.deepEqual(alertText('INSTANCE', 'VI_1', 'MASTER', 'lb1'), { subject: '[lb1] VRRP Instance VI_1 - Entering MASTER state', body: '=> VRRP Instance is now owning VRRP VIPs <=' });
    assert.deepEqual(alertText('GROUP', 'G', 'FAULT', 'lb1'), { subject: '[lb1] VRRP Group G - Entering FAULT state', body: '=> All VRRP group instances are now in FAULT state <=' });
    assert.deepEqual(alertText('INSTANCE', 'VI_1', 'STOP', 'lb1')?.body, '=> VRRP Instance stopping <=');
    assert.equal(alertText('INSTANCE', 'VI_1', 'DELETED', 'lb1'), null);
    assert.match(rfc822Date(new Date(2026, 0, 5, 7, 8, 9)), /^Mon, 05 Jan 2026 07:08:09 [+-]\d{4}$/);
    assert.match(alertMessage('a@x', ['b@y', 'c@z'], 'S', 'B', new Date()), /\r\nFrom: a@x\r\nSubject: S\r\nX-Mailer: Keepalived\r\nTo: b@y, c@z\r\n\r\nB\r\n$/);
    assert.deepEqual(parseSmtpServer('192.0.2.1 2525'), { host: '192.0.2.1', port: 2525 });
    assert.deepEqual(parseSmtpServer('mail.example'), { host: 'mail.example', port: 25 });
  });
});

describe('Notifier', () => {
  it('runs the state script, then generic notify with INSTANCE name STATE priority, and writes the FIFO line', async () => {
    const fifoPath = join(dir, 'vrrp.fifo');
    const fifo = new NotifyFifo({ path: fifoPath, label: 'vrrp_', script: null, runner, log });
    assert.equal(await fifo.open(), true);
    assert.ok(statSync(fifoPath).isFIFO());
    const lines: string[] = [];
    const reader = createReadStream(fifoPath, { encoding: 'utf8' });
    reader.on('data', (d) => lines.push(...String(d).split(/(?<=\n)/)));
    const n = new Notifier({ runner, fifos: [fifo], mailer: null, log });
    const vi: NotifyTarget = {
      kind: 'INSTANCE', name: 'VI_1', smtpAlert: false, notifyPriorityChanges: true,
      scripts: { ...none, master: recorder('master'), backup: recorder('backup'), generic: recorder('notify') },
    };
    const g: NotifyTarget = { kind: 'GROUP', name: 'G', smtpAlert: false, notifyPriorityChanges: false, scripts: { ...none, generic: recorder('gnotify') } };
    try {
      n.stateChange(vi, 'BACKUP', 100);
      await waitFor(() => journal().split('\n').length >= 3);
      n.stateChange(vi, 'MASTER', 100);
      await waitFor(() => journal().split('\n').length >= 5);
      n.stateChange(g, 'MASTER', 100);
      n.masterRxLowerPri(vi, 100);
      n.priorityChange(vi, 'MASTER', 80);
      n.priorityChange(g, 'MASTER', 80);
      await waitFor(() => journal().includes('gnotify') && lines.length >= 5);
      // The state script is launched before the generic notify, but neither is waited for (keepalived's
      // behaviour): which one appends first is up to the scheduler. The state changes themselves are in order.
      const got = journal().trim().split('\n');
      const byChange = [got.slice(0, 2).sort(), got.slice(2, 4).sort(), got.slice(4)];
      assert.deepEqual(byChange, [
        ['backup backup-arg', 'notify notify-arg INSTANCE VI_1 BACKUP 100'],
        ['master master-arg', 'notify notify-arg INSTANCE VI_1 MASTER 100'],
        ['gnotify gnotify-arg GROUP G MASTER 0'],
      ]);
      assert.deepEqual(lines, [
        'INSTANCE "VI_1" BACKUP 100\n',
        'INSTANCE "VI_1" MASTER 100\n',
        'GROUP "G" MASTER 0\n',
        'INSTANCE "VI_1" MASTER_RX_LOWER_PRI 100\n',
        'INSTANCE "VI_1" MASTER_PRIORITY 80\n',
      ]);
    } finally {
      reader.destroy();
      await fifo.close();
    }
    assert.equal(existsSync(fifoPath), false, 'a FIFO we created is removed on close');
  });

  it('DELETED: reported as FAULT, unless notify_deleted is set (a script, or bare: DELETED on the fifo)', () => {
    const got: string[] = [];
    const fake = { write: (line: string) => { got.push(line); } } as unknown as NotifyFifo;
    const n = new Notifier({ runner, fifos: [fake], mailer: null, log });
    const base = { kind: 'INSTANCE' as const, smtpAlert: false, notifyPriorityChanges: false, scripts: none };
    n.stateChange({ ...base, name: 'VI_1' }, 'DELETED', 100);
    n.stateChange({ ...base, name: 'VI_2', deletedToFifo: true }, 'DELETED', 100);
    assert.deepEqual(got, ['INSTANCE "VI_1" FAULT 100\n', 'INSTANCE "VI_2" DELETED 100\n']);
  });

  it('a FIFO with no reader never stalls us: lines beyond the pipe buffer are dropped', async () => {
    const fifo = new NotifyFifo({ path: join(dir, 'noreader.fifo'), script: null, runner, log });
    assert.equal(await fifo.open(), true);
    const t0 = performance.now();
    for (let i = 0; i < 5000; i++) fifo.write(fifoLine('INSTANCE', 'VI_1', 'MASTER', i % 255));
    const queued = performance.now() - t0;
    await fifo.flush();
    assert.ok(queued < 200, `queueing took ${queued} ms`);
    assert.ok(fifo.written > 0 && fifo.dropped > 0, `written ${fifo.written} dropped ${fifo.dropped}`);
    assert.equal(fifo.written + fifo.dropped, 5000);
    await fifo.close();
  });

  it('starts the fifo script with the FIFO name as its last argument', async () => {
    const path = join(dir, 'scripted.fifo');
    const fifo = new NotifyFifo({ path, script: recorder('fifoscript'), runner, log });
    await fifo.open();
    await waitFor(() => journal().includes('fifoscript'));
    assert.match(journal(), new RegExp(`fifoscript fifoscript-arg ${path}\\n`));
    await fifo.close();
  });

  it('kills a STOP script after 1 s', async () => {
    const p = join(dir, 'stop-hang.sh');
    writeFileSync(p, `#!/bin/sh\necho stop-start >> ${join(dir, 'journal')}\nsleep 1000\n`);
    chmodSync(p, 0o755);
    const n = new Notifier({ runner, fifos: [], mailer: null, log, stopTimeoutMs: 300 });
    const t0 = performance.now();
    n.stateChange({ kind: 'INSTANCE', name: 'VI_9', smtpAlert: false, notifyPriorityChanges: false, scripts: { ...none, stop: { mode: 'exec', file: p, argv: [p], uid: 0, gid: 0 } } }, 'STOP', 100);
    await waitFor(() => journal().includes('stop-start'));
    assert.equal(runner.running, 1);
    await waitFor(() => runner.running === 0, 3000);
    const took = performance.now() - t0;
    assert.ok(took >= 290 && took < 2000, `stop script ended after ${took} ms`);
  });
});

describe('SMTP alerts', () => {
  it('mails keepalived\'s subject and body to a real SMTP server', async () => {
    const got: { from: string; to: string[]; data: string }[] = [];
    const server = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onData(stream, session, cb) {
        let data = '';
        stream.on('data', (c: Buffer) => { data += c.toString(); });
        stream.on('end', () => {
          got.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data });
          cb();
        });
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.server.address() as { port: number }).port;
    const logs: string[] = [];
    const mailer = new SmtpAlerter({
      host: '127.0.0.1', port, to: ['ops@example.com', 'oncall@example.com'], from: 'lb1@example.com', routerId: 'lb1', connectTimeoutMs: 5000,
    }, { info: (l) => logs.push(l) });
    const n = new Notifier({ runner, fifos: [], mailer, log });
    try {
      const vi: NotifyTarget = { kind: 'INSTANCE', name: 'VI_1', smtpAlert: true, notifyPriorityChanges: false, scripts: none };
      n.stateChange(vi, 'MASTER', 100);
      n.stateChange(vi, 'MASTER', 100); // same state again: keepalived sends no second mail
      n.stateChange({ ...vi, smtpAlert: false }, 'BACKUP', 100);
      n.stateChange({ kind: 'GROUP', name: 'G', smtpAlert: true, notifyPriorityChanges: false, scripts: none }, 'FAULT', 0);
      await waitFor(() => got.length === 2, 5000);
      await mailer.drain(1000);
      const byGroup = got.find((m) => m.data.includes('VRRP Group'))!;
      const byInst = got.find((m) => m.data.includes('VRRP Instance VI_1'))!;
      assert.equal(byInst.from, 'lb1@example.com');
      assert.deepEqual(byInst.to, ['ops@example.com', 'oncall@example.com']);
      assert.match(byInst.data, /^Date: .+\r\nFrom: lb1@example.com\r\nSubject: \[lb1\] VRRP Instance VI_1 - Entering MASTER state\r\nX-Mailer: Keepalived\r\nTo: ops@example.com, oncall@example.com\r\n\r\n=> VRRP Instance is now owning VRRP VIPs <=\r\n/);
      assert.match(byGroup.data, /Subject: \[lb1\] VRRP Group G - Entering FAULT state\r\n/);
      assert.match(byGroup.data, /\r\n\r\n=> All VRRP group instances are now in FAULT state <=\r\n/);
      assert.equal(mailer.sent, 2);
      assert.deepEqual(logs, ['SMTP alert successfully sent.', 'SMTP alert successfully sent.']);
    } finally {
      mailer.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('an unreachable server is logged, not thrown, within smtp_connect_timeout', async () => {
    const logs: string[] = [];
    const mailer = new SmtpAlerter({ host: '127.0.0.1', port: 1, to: ['a@b'], from: null, routerId: 'r', connectTimeoutMs: 1000 }, { info: (l) => logs.push(l) });
    await mailer.alert('INSTANCE', 'VI_1', 'FAULT');
    assert.equal(mailer.failed, 1);
    assert.match(logs[0], /^Error sending SMTP alert to 127\.0\.0\.1:1 - /);
    mailer.close();
  });
});
