// A vrrp_sync_group of two instances on two interfaces (lab option links: 2: eth0 on br0, eth1 on br1), real vipd
// processes: h1 (100) holds both VIPs against h2 (90); h1's eth1 goes down -> VI_2 FAULT forces VI_1 to FAULT ->
// h2 takes both VIPs; eth1 back -> both instances of h1 leave FAULT and (fast preemption) take both VIPs back.
// The group's generic notify (GROUP G1 STATE 0) and the instances' notifies are logged by a script and checked.
// Subnets 67 and 167.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrackEnv, quietStop, trackConf, tryInstance } from './helpers/track.ts';
import { sleep, waitFor } from './helpers/wait.ts';
import { execFileSync } from 'node:child_process';

const SUBNET = 67;

test('sync group over eth0 and eth1: one interface down -> both instances FAULT, the peer takes both; back -> both MASTER again', async () => {
  const env = TrackEnv.create({ hosts: 2, subnet: SUBNET, client: false, links: 2 });
  const [h1] = env.hosts;
  const v = env.hosts.map((h) => env.vipd(h));
  const vip1 = `10.203.${SUBNET}.100`;
  const vip2 = `10.203.${SUBNET + 100}.100`;
  try {
    assert.deepEqual(h1.links.map((l) => [l.ifname, l.ipv4]), [['eth0', `10.203.${SUBNET}.1`], ['eth1', `10.203.${SUBNET + 100}.1`]]);
    const log = env.script('notify.sh', `echo "$*" >> ${env.path('notify-$1.log')}`);
    const inst = (name: string, ifname: string, vrid: number, vip: string, prio: number) => [
      `vrrp_instance ${name} {`, '  state BACKUP', `  interface ${ifname}`, `  virtual_router_id ${vrid}`, `  priority ${prio}`,
      '  advert_int 0.1', '  version 3', `  virtual_ipaddress {`, `    ${vip}/24`, '  }',
      `  notify "${log} h${prio === 100 ? 1 : 2}"`, '}'].join('\n');
    const conf = (prio: number) => trackConf({
      blocks: [['vrrp_sync_group G1 {', '  group {', '    VI_1', '    VI_2', '  }', `  notify "${log} h${prio === 100 ? 1 : 2}"`, '}'].join('\n')],
      instances: [inst('VI_1', 'eth0', 51, vip1, prio), inst('VI_2', 'eth1', 52, vip2, prio)],
    });
    v[0].writeConfig(conf(100));
    v[1].writeConfig(conf(90));
    const addrs = (k: number) => execFileSync('ip', ['-n', env.hosts[k].ns, '-o', 'addr'], { encoding: 'utf8' });
    const holdsBoth = (k: number) => waitFor(`h${k + 1} holds both VIPs, the other none`, () => {
      const mine = addrs(k), theirs = addrs(1 - k);
      return mine.includes(`${vip1}/24`) && mine.includes(`${vip2}/24`) && !theirs.includes(`${vip1}/`) && !theirs.includes(`${vip2}/`);
    }, 8000, 10).catch((e: Error) => { throw new Error(`${e.message}\n${v[0].logText()}\n${v[1].logText()}`); });
    const states = async (k: number) => [(await tryInstance(v[k], 'VI_1'))?.state, (await tryInstance(v[k], 'VI_2'))?.state];
    // h1 first, so that the start-up election does not depend on which process got going first.
    v[0].start();
    await waitFor('h1 MASTER/MASTER', async () => (await states(0)).join() === 'MASTER,MASTER', 8000, 20);
    v[1].start();
    await holdsBoth(0);
    await waitFor('h1 MASTER/MASTER, h2 BACKUP/BACKUP', async () =>
      (await states(0)).join() === 'MASTER,MASTER' && (await states(1)).join() === 'BACKUP,BACKUP', 5000, 50);
    // Both addresses are on the right interfaces.
    assert.match(execFileSync('ip', ['-n', h1.ns, '-o', 'addr', 'show', 'dev', 'eth1'], { encoding: 'utf8' }), new RegExp(`${vip2}/24`));
    assert.match(execFileSync('ip', ['-n', h1.ns, '-o', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' }), new RegExp(`${vip1}/24`));

    // h1's eth1 goes down (the host sees it): VI_2 FAULT, and the group forces VI_1 to FAULT as well.
    const tCut = Date.now();
    env.lab.cutLink(h1, 'host', 'eth1');
    await holdsBoth(1);
    await waitFor('h1 FAULT/FAULT', async () => (await states(0)).join() === 'FAULT,FAULT', 3000, 20)
      .catch(async (e: Error) => { throw new Error(`${e.message}: ${(await states(0)).join()}\n${v[0].logText()}`); });
    assert.equal((await states(1)).join(), 'MASTER,MASTER');
    assert.ok(Date.now() - tCut < 3000);

    // eth1 back: both instances leave FAULT together and take both VIPs back.
    env.lab.restoreLink(h1, 'host', 'eth1');
    await holdsBoth(0);
    await waitFor('h1 MASTER/MASTER, h2 BACKUP/BACKUP again', async () =>
      (await states(0)).join() === 'MASTER,MASTER' && (await states(1)).join() === 'BACKUP,BACKUP', 5000, 50);
    await sleep(300); // let the last notifies land

    // Notifies on h1: instances and the group, in keepalived's generic format.
    const h1lines = env.lines('notify-h1.log');
    const seq = (who: string) => h1lines.filter((l) => l.split(' ')[2] === who).map((l) => l.split(' ').slice(1).join(' '));
    const cycle = ['BACKUP', 'MASTER', 'FAULT', 'BACKUP', 'MASTER'];
    assert.deepEqual(seq('G1'), cycle.map((st) => `GROUP G1 ${st} 0`), `group notifies:\n${h1lines.join('\n')}`);
    for (const name of ['VI_1', 'VI_2']) {
      assert.deepEqual(seq(name), cycle.map((st) => `INSTANCE ${name} ${st} 100`), `${name} notifies:\n${h1lines.join('\n')}`);
    }
    // h2 saw the mirror image: backup, then master while h1 was in FAULT, then backup again.
    const h2lines = env.lines('notify-h2.log');
    assert.deepEqual(h2lines.filter((l) => l.split(' ')[2] === 'G1').map((l) => l.split(' ')[3]), ['BACKUP', 'MASTER', 'BACKUP'], h2lines.join('\n'));
    const problems: string[] = [];
    await Promise.all(v.map((x) => x.stop(5000).catch((e: Error) => { problems.push(e.message); })));
    for (const k of [0, 1]) for (const a of [vip1, vip2]) if (addrs(k).includes(`${a}/`)) problems.push(`h${k + 1} still holds ${a}`);
    assert.deepEqual(problems, []);
  } finally {
    await Promise.all(v.map((x) => quietStop(x)));
    env.destroy();
  }
});
