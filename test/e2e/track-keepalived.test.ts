// Notify argument order and FIFO lines against keepalived 2.2.7: the same keepalived.conf (a sync group of two
// instances, one tracking a weight-0 vrrp_script, notify_* and generic notify scripts on instances and group,
// notify_fifo and vrrp_notify_fifo) runs on h1 under vipd in one lab and under keepalived in another, with a vipd
// peer (priority 150) on h2 in both; the same transitions are driven (start, peer appears, script fails, script
// recovers, peer stops, h1 stops) and the notify script arguments and FIFO lines are compared.
// Timing differs between the two; the lines and their order must not. Subnets 68-69.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { VrrpDaemon } from '../interop/helpers/daemons.ts';
import { TrackEnv, quietStop, trackConf, vrrpScriptText } from './helpers/track.ts';
import { sleep, waitFor } from './helpers/wait.ts';
import { keepalived227Available } from '../interop/helpers/preflight.ts';

const haveKeepalived = keepalived227Available();

interface Run { notify: string[]; fifo: string[]; vfifo: string[]; log: string }

async function scenario(kind: 'vipd' | 'keepalived', subnet: number): Promise<Run> {
  const env = TrackEnv.create({ hosts: 2, subnet, client: false });
  const [h1, h2] = env.hosts;
  const d = new VrrpDaemon(env.lab, h1, kind, join(env.dir, 'h1'));
  const peer = env.vipd(h2);
  try {
    const n = env.script('n.sh', `echo "$*" >> ${env.path('notify.log')}`);
    const chk = env.script('chk.sh', `test -e ${env.path('ok')}`);
    env.setFlag('ok', true);
    const fifo = env.fifoReader('fifo');
    const vfifo = env.fifoReader('vfifo');
    const notifies = (who: string) => ['master', 'backup', 'fault', 'stop'].map((st) => `notify_${st} "${n} ${st} ${who}"`);
    const inst = (name: string, vrid: number, prio: number, own: boolean) => ({
      name, vrid, priority: prio, version: 3 as const, advertInt: 0.1, vips: [`10.203.${subnet}.${vrid}/24`], state: 'BACKUP' as const,
      extra: own ? [...notifies(name), `notify "${n} generic"`, ...(name === 'VI_1' ? ['track_script {', '  chk', '}'] : [])] : [],
    });
    d.writeConf(trackConf({
      global: [`notify_fifo ${fifo.path}`, `vrrp_notify_fifo ${vfifo.path}`],
      blocks: [
        vrrpScriptText({ name: 'chk', script: chk, interval: 1, weight: 0, fall: 1, rise: 1 }),
        ['vrrp_sync_group G1 {', '  group {', '    VI_1', '    VI_2', '  }', ...notifies('G1').map((l) => `  ${l}`), `  notify "${n} generic"`, '}'].join('\n'),
      ],
      instances: [inst('VI_1', 51, 100, true), inst('VI_2', 52, 100, true)],
    }));
    peer.writeConfig(trackConf({ instances: [inst('VI_1', 51, 150, false), inst('VI_2', 52, 150, false)] }));
    const count = (st: string) => fifo.text().split('\n').filter((l) => l === `GROUP "G1" ${st} 0`).length;
    const step = async (what: string, st: string, nth: number) => {
      await waitFor(`${kind}: ${what} (GROUP G1 ${st} #${nth})`, () => count(st) >= nth, 10_000, 20)
        .catch((e: Error) => { throw new Error(`${e.message}\nfifo:\n${fifo.text()}\n${d.tail(40)}`); });
      await sleep(400); // the instances' own lines and the scripts' appends settle
    };
    d.start();
    await step('h1 alone becomes master', 'MASTER', 1);
    peer.start();
    await step('the peer (150) appears', 'BACKUP', 2);
    env.setFlag('ok', false);
    await step('chk fails (weight 0)', 'FAULT', 1);
    env.setFlag('ok', true);
    await step('chk recovers', 'BACKUP', 3);
    await peer.stop(5000);
    await step('the peer stops', 'MASTER', 2);
    await d.stop(8000);
    await Promise.race([Promise.all([fifo.done, vfifo.done]), sleep(3000)]);
    await sleep(1500); // STOP scripts run after the daemon let go of them
    return { notify: env.lines('notify.log'), fifo: fifo.text().split('\n').filter(Boolean), vfifo: vfifo.text().split('\n').filter(Boolean), log: d.tail(80) };
  } finally {
    await d.stop(3000).catch(() => undefined);
    await quietStop(peer);
    env.destroy();
  }
}

test('notify script arguments and FIFO lines match keepalived 2.2.7 for the same transitions', { skip: haveKeepalived ? false : 'keepalived 2.2.7 is not installed' }, async (t) => {
  const [ours, theirs] = await Promise.all([scenario('vipd', 68), scenario('keepalived', 69)]);
  const show = (what: string, a: string[], b: string[]) => `${what}\n--- vipd:\n${a.join('\n')}\n--- keepalived 2.2.7:\n${b.join('\n')}`;
  for (const which of ['fifo', 'vfifo'] as const) {
    const [a, b] = [ours[which], theirs[which]];
    const msg = show(which === 'fifo' ? 'notify_fifo' : 'vrrp_notify_fifo', a, b);
    assert.ok(b.length >= 21, `keepalived wrote the whole scenario: ${msg}\n${theirs.log}`);
    // Each target's lines, in order, exactly.
    for (const who of ['INSTANCE "VI_1"', 'INSTANCE "VI_2"', 'GROUP "G1"']) {
      assert.deepEqual(a.filter((l) => l.startsWith(who + ' ')), b.filter((l) => l.startsWith(who + ' ')), `${who}: ${msg}`);
    }
    // And the interleaving: each group line comes after the same instance lines. Between two group lines the
    // order of VI_1 and VI_2 changing together follows the order their timers fire, which is timing.
    const blocks = (xs: string[]) => xs.join('\n').split(/(?<=GROUP "G1" \w+ 0)\n/).map((blk) => blk.split('\n').sort().join('\n'));
    assert.deepEqual(blocks(a), blocks(b), `blocks between group lines: ${msg}`);
  }
  // Notify scripts: each target's state scripts (notify_master/backup/fault/stop with their own arguments) and
  // its generic notify (the four appended arguments) in order. Across targets the appends of separate processes
  // race, in keepalived as in vipd, so only each target's own sequence is compared.
  const msg = show('notify scripts', ours.notify, theirs.notify);
  for (const who of ['VI_1', 'VI_2', 'G1']) {
    const states = (xs: string[]) => xs.filter((l) => /^(master|backup|fault|stop) /.test(l) && l.split(' ')[1] === who);
    const generic = (xs: string[]) => xs.filter((l) => l.startsWith('generic ') && l.split(' ')[2] === who);
    assert.deepEqual(states(ours.notify), states(theirs.notify), `${who} notify_*: ${msg}`);
    assert.deepEqual(generic(ours.notify), generic(theirs.notify), `${who} generic notify: ${msg}`);
  }
  assert.ok(theirs.notify.length >= 40, `keepalived ran every notify: ${msg}`);
  assert.equal(ours.notify.length, theirs.notify.length, msg);
});
