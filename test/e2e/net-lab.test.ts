// The namespace lab: connectivity, the VRRP drop switch on the bridge, link cut/restore,
// and cleanup on every exit path (destroy, process exit, SIGINT, SIGTERM, crash + cleanupStale).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Lab, cleanupStale, listNamespaces } from '../../host/lab/netns.ts';
import { withNetns } from '../../host/net/netns.ts';
import { VrrpSocket } from '../../host/net/vrrp-socket.ts';
import { TxBatch } from '../../host/net/tx-batch.ts';
import { parseIp } from '../../host/net/ip-address.ts';
import { advertV2 } from './helpers/vrrp-adverts.ts';
import { RxLog } from './helpers/rx-log.ts';
import { sleep, waitFor } from './helpers/wait.ts';

const CHILD = fileURLToPath(new URL('./helpers/lab-child.ts', import.meta.url));
const labs: Lab[] = [];
after(() => { for (const l of labs) l.destroy(); });

const ours = (prefix: string) => listNamespaces().filter((n) => n.startsWith(prefix + '-'));

test('a lab of 3 hosts and a client: namespaces, addresses, both families reachable across the bridge; destroy removes all', async () => {
  const lab = Lab.create({ hosts: 3, subnet: 4 });
  labs.push(lab);
  assert.match(lab.prefix, new RegExp(`^vl${process.pid}n\\d+$`));
  assert.deepEqual(ours(lab.prefix).sort(), ['br', 'c', 'h1', 'h2', 'h3'].map((r) => `${lab.prefix}-${r}`).sort());
  assert.deepEqual(lab.hosts.map((h) => h.ipv4), ['10.203.4.1', '10.203.4.2', '10.203.4.3']);
  assert.equal(lab.client?.ipv6, 'fd00:203:4::c8');
  assert.match(lab.exec('h2', ['ip', '-o', 'addr', 'show', 'dev', 'eth0']), /inet 10\.203\.4\.2\/24 brd 10\.203\.4\.255/);
  assert.match(lab.linkLocal(lab.hosts[0]), /^fe80::cb:4ff:fe00:1$/);
  const ping4 = await lab.run('c', ['ping', '-c', '1', '-W', '2', '10.203.4.3']);
  assert.equal(ping4.code, 0, ping4.stdout + ping4.stderr);
  const ping6 = await lab.run('h1', ['ping', '-6', '-c', '1', '-W', '2', 'fd00:203:4::2']);
  assert.equal(ping6.code, 0, ping6.stdout + ping6.stderr);
  // Cut on the bridge side: h3 unreachable; restored: reachable again.
  lab.cutLink('h3', 'bridge');
  assert.notEqual((await lab.run('c', ['ping', '-c', '1', '-W', '1', '10.203.4.3'])).code, 0);
  lab.restoreLink('h3', 'bridge');
  await waitFor('h3 reachable again', async () => (await lab.run('c', ['ping', '-c', '1', '-W', '1', '10.203.4.3'])).code === 0, 5000, 100);
  lab.destroy();
  assert.deepEqual(ours(lab.prefix), []);
});

test('dropVrrp on the bridge: all VRRP, only from one host, then allowed again', async () => {
  const lab = Lab.create({ hosts: 2, subnet: 5, client: false });
  labs.push(lab);
  const [h1, h2] = lab.hosts;
  const log1 = new RxLog(), log2 = new RxLog();
  const ifidx = (h: typeof h1) => Number(lab.exec(h, ['cat', '/sys/class/net/eth0/ifindex']));
  const s1 = withNetns(h1.ns, () => VrrpSocket.open({ family: 4, ifindex: ifidx(h1), multicast: true }, log1.handler));
  const s2 = withNetns(h2.ns, () => VrrpSocket.open({ family: 4, ifindex: ifidx(h2), multicast: true }, log2.handler));
  try {
    const batch = new TxBatch();
    batch.add(advertV2(5, 100, 1, ['10.203.5.50']), parseIp('224.0.0.18').bytes);
    // Wait (bounded) for the packets that should arrive, then a little longer for any that should not.
    const exchange = async (expect: [number, number]) => {
      log1.clear(); log2.clear();
      s1.send(batch); s2.send(batch);
      await waitFor(`${expect} packets`, () => log1.packets.length >= expect[0] && log2.packets.length >= expect[1]);
      await sleep(150);
      return [log1.packets.length, log2.packets.length];
    };
    assert.deepEqual(await exchange([1, 1]), [1, 1], 'baseline: both hear each other');
    lab.dropVrrp();
    assert.deepEqual(await exchange([0, 0]), [0, 0], 'all VRRP dropped');
    lab.dropVrrp({ from: 'h1' });
    assert.deepEqual(await exchange([1, 0]), [1, 0], "only h1's adverts dropped");
    lab.allowVrrp();
    assert.deepEqual(await exchange([1, 1]), [1, 1], 'allowed again');
    // Random loss: 100 adverts at 50 % must lose some and keep some (p(all or none) ~ 2^-99).
    lab.dropVrrp({ lossPercent: 50 });
    const many = new TxBatch(100);
    for (let i = 0; i < 100; i++) many.add(advertV2(6, 100, 1, []), parseIp('224.0.0.18').bytes);
    log2.clear();
    s1.send(many);
    await sleep(500);
    assert.ok(log2.packets.length > 0 && log2.packets.length < 100, `received ${log2.packets.length}/100`);
  } finally {
    s1.close();
    s2.close();
    lab.destroy();
  }
});

function runChild(mode: string, signal?: NodeJS.Signals): Promise<{ prefix: string; code: number | null; sig: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`child ${mode} timed out`)); }, 20_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (signal && out.includes('\n')) child.kill(signal);
    });
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      resolve({ prefix: out.trim(), code, sig });
    });
  });
}

test('process exit without destroy(): the exit hook removes the lab', async () => {
  const r = await runChild('exit');
  assert.match(r.prefix, /^vl\d+n1$/);
  assert.equal(r.code, 0);
  assert.deepEqual(ours(r.prefix), []);
});

test('SIGINT and SIGTERM: the lab is removed and the process still dies of the signal', async () => {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    const r = await runChild('signal', sig);
    assert.match(r.prefix, /^vl\d+n1$/);
    assert.equal(r.sig, sig);
    assert.deepEqual(ours(r.prefix), [], `${sig} left namespaces behind`);
  }
});

test('SIGKILL leaves the lab behind; cleanupStale removes it (and keeps live labs)', async () => {
  const live = Lab.create({ hosts: 1, client: false });
  labs.push(live);
  const r = await runChild('crash');
  assert.equal(r.sig, 'SIGKILL');
  assert.equal(ours(r.prefix).length, 3, 'crashed lab still there');
  const removed = cleanupStale();
  assert.ok(removed.includes(`${r.prefix}-h1`));
  assert.deepEqual(ours(r.prefix), []);
  assert.equal(ours(live.prefix).length, 2, 'a live process keeps its lab');
  live.destroy();
  assert.deepEqual(ours(live.prefix), []);
});
