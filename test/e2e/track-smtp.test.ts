// SMTP alerts: an smtp-server listening inside the daemon's namespace (on 127.0.0.1) receives the mail of a
// transition, from vipd and, with the same configuration in another lab, from keepalived 2.2.7; subject, body
// and the headers that do not depend on the clock must be the same. Subnets 70-71, 170, 75.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { withNetns } from '../../host/net/netns.ts';
import { VrrpDaemon } from '../interop/helpers/daemons.ts';
import { TrackEnv, trackConf } from './helpers/track.ts';
import { waitFor } from './helpers/wait.ts';
import { keepalived227Available } from '../interop/helpers/preflight.ts';

// Port 25 is free inside the lab namespace; `smtp_server ADDR PORT` has its own test below.
const haveKeepalived = keepalived227Available();

interface Mail { from: string; to: string[]; data: string }

async function alertMail(kind: 'vipd' | 'keepalived', subnet: number, port = 25): Promise<{ mails: Mail[]; log: string }> {
  const env = TrackEnv.create({ hosts: 1, subnet, client: false });
  const d = new VrrpDaemon(env.lab, env.hosts[0], kind, join(env.dir, 'h1'));
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (c: Buffer) => { data += c.toString(); });
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data });
        cb();
      });
    },
  });
  try {
    // listen(port) without a host binds synchronously, so the socket is made inside the namespace.
    withNetns(env.hosts[0].ns, () => { server.listen(port); });
    d.writeConf(trackConf({
      global: [port === 25 ? 'smtp_server 127.0.0.1' : `smtp_server 127.0.0.1 ${port}`, 'smtp_connect_timeout 5', 'notification_email {', '  ops@example.com', '  oncall@example.com', '}',
        'notification_email_from vipd@example.com'],
      instances: [{ priority: 100, version: 3, advertInt: 0.1, vips: [`10.203.${subnet}.100/24`], state: 'MASTER', extra: ['smtp_alert'] }],
    }));
    d.start();
    await waitFor(`${kind}: the MASTER alert mail`, () => mails.some((m) => /Entering MASTER state/.test(m.data)), 10_000, 20)
      .catch((e: Error) => { throw new Error(`${e.message}\n${d.tail(30)}`); });
    await d.stop(8000);
    return { mails, log: d.tail(40) };
  } finally {
    await d.stop(3000).catch(() => undefined);
    await new Promise<void>((r) => server.close(() => r()));
    env.destroy();
  }
}

function parse(data: string): { headers: Map<string, string>; body: string } {
  const [head, ...rest] = data.replace(/\r\n/g, '\n').split('\n\n');
  const headers = new Map<string, string>();
  for (const l of head.split('\n')) {
    const k = l.indexOf(':');
    if (k > 0) headers.set(l.slice(0, k).toLowerCase(), l.slice(k + 1).trim());
  }
  return { headers, body: rest.join('\n\n').trim() };
}

test('smtp_alert: the MASTER transition mails "[router_id] VRRP Instance VI_1 - Entering MASTER state" to every notification_email', async () => {
  const { mails, log } = await alertMail('vipd', 70);
  const master = mails.filter((m) => /Entering MASTER state/.test(m.data));
  assert.equal(master.length, 1, `one MASTER mail:\n${mails.map((m) => m.data).join('\n----\n')}\n${log}`);
  const m = master[0];
  assert.equal(m.from, 'vipd@example.com');
  assert.deepEqual(m.to.sort(), ['oncall@example.com', 'ops@example.com']);
  const { headers, body } = parse(m.data);
  assert.equal(headers.get('subject'), '[vipd_track] VRRP Instance VI_1 - Entering MASTER state');
  assert.equal(headers.get('x-mailer'), 'Keepalived');
  assert.match(body, /=> VRRP Instance is now owning VRRP VIPs <=/);
});

test('smtp_alert mail is the same as keepalived 2.2.7\'s (subject, body, From, To, X-Mailer)', { skip: haveKeepalived ? false : 'keepalived 2.2.7 is not installed' }, async () => {
  const [ours, theirs] = await Promise.all([alertMail('vipd', 70 + 100), alertMail('keepalived', 71)]);
  const pick = (r: { mails: Mail[] }) => {
    const m = r.mails.find((x) => /Entering MASTER state/.test(x.data))!;
    const p = parse(m.data);
    return { from: m.from, to: [...m.to].sort(), subject: p.headers.get('subject'), hFrom: p.headers.get('from'), hTo: p.headers.get('to'), mailer: p.headers.get('x-mailer'), body: p.body };
  };
  assert.deepEqual(pick(ours), pick(theirs), `vipd:\n${ours.mails.map((m) => m.data).join('\n----\n')}\nkeepalived:\n${theirs.mails.map((m) => m.data).join('\n----\n')}\n${theirs.log}`);
});

test('smtp_server with a port (127.0.0.1 2525) is used', async () => {
  const { mails } = await alertMail('vipd', 75, 2525);
  assert.ok(mails.some((m) => /Subject: \[vipd_track\] VRRP Instance VI_1 - Entering MASTER state/.test(m.data)));
});
