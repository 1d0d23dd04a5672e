// One VRRP socket per (family, interface, multicast group or unicast source), shared by its instances and
// demultiplexed by VRID, as keepalived does — counted in the running daemon's file descriptors: each fd's socket
// inode looked up in its namespace's /proc/PID/net/raw, raw6 and packet tables. A reload that adds an instance to
// an existing group opens nothing new. Subnet 87.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Cluster, configText, type InstanceSpec } from './helpers/daemon.ts';
import { waitFor } from './helpers/wait.ts';

const SUBNET = 87;
const VRRP_PROTO = 112;

interface SocketCount { raw4: number; raw6: number; packet: number }

/** Inodes of the sockets a /proc/PID/net table lists (raw, raw6: only those of IP protocol 112). */
function tableInodes(pid: number, table: 'raw' | 'raw6' | 'packet'): Set<number> {
  const rows = readFileSync(`/proc/${pid}/net/${table}`, 'utf8').trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
  if (table === 'packet') return new Set(rows.map((r) => Number(r[8]))); // sk RefCnt Type Proto Iface R Rmem User Inode
  // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode; raw sockets show the protocol as the port.
  return new Set(rows.filter((r) => parseInt(r[1].split(':')[1], 16) === VRRP_PROTO).map((r) => Number(r[9])));
}

function sockets(pid: number): SocketCount {
  const mine = new Set<number>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) mine.add(Number(m[1]));
    } catch { /* closed meanwhile */ }
  }
  const count = (t: 'raw' | 'raw6' | 'packet') => [...tableInodes(pid, t)].filter((i) => mine.has(i)).length;
  return { raw4: count('raw'), raw6: count('raw6'), packet: count('packet') };
}

test('4 instances on eth0 (two IPv4 multicast, one IPv6 multicast, one IPv4 unicast) use 3 VRRP sockets and 1 AF_PACKET socket; a reload adding a fifth to the IPv4 group opens none', async () => {
  const c = Cluster.create(1, SUBNET);
  try {
    const v4 = (n: number) => `${c.vip(n)}/24`;
    const base = { priority: 100, version: 3 as const, advertInt: 0.1 };
    const instances: InstanceSpec[] = [
      { ...base, name: 'VI_1', vrid: 1, vips: [v4(101)] },
      { ...base, name: 'VI_2', vrid: 2, vips: [v4(102)] },
      { ...base, name: 'VI_3', vrid: 3, vips: [`${c.vip(0x103, 6)}/64`] },
      { ...base, name: 'VI_4', vrid: 4, vips: [v4(104)], unicast: { src: c.addr(1), peers: [`10.203.${SUBNET}.2`] } },
    ];
    const v = c.vipds[0];
    c.start([configText(instances)]);
    const allMaster = async (names: string[]) => {
      const s = await v.status().catch(() => null); // not answering yet while it starts
      return s !== null && names.every((n) => s.instances.find((i) => i.name === n)?.state === 'MASTER');
    };
    await waitFor('every instance MASTER', () => allMaster(['VI_1', 'VI_2', 'VI_3', 'VI_4']), 10_000, 50)
      .catch((e: Error) => { throw new Error(`${e.message}\n${v.logText()}`); });
    const pid = v.child!.pid!;
    assert.deepEqual(sockets(pid), { raw4: 2, raw6: 1, packet: 1 },
      'IPv4: one socket for 224.0.0.18 on eth0 (VI_1, VI_2) and one for the unicast source (VI_4); IPv6: one for ff02::12 (VI_3); one AF_PACKET socket for every announcement');

    const since = Date.now();
    v.writeConfig(configText([...instances, { ...base, name: 'VI_5', vrid: 5, vips: [v4(105)] }]));
    v.signal('SIGHUP');
    await waitFor('VI_5 MASTER after the reload', () => allMaster(['VI_1', 'VI_2', 'VI_3', 'VI_4', 'VI_5']), 10_000, 50)
      .catch((e: Error) => { throw new Error(`${e.message}\n${v.logText()}`); });
    assert.equal(v.countLog(/\(VI_[1-4]\) Entering (BACKUP|MASTER) STATE/, since), 0, 'the reload kept the running instances as they were');
    assert.deepEqual(sockets(pid), { raw4: 2, raw6: 1, packet: 1 }, 'VI_5 shares the IPv4 multicast socket');

    assert.deepEqual(await c.stopAll([101, 102, 104, 105].map((n) => c.vip(n)).concat(c.vip(0x103, 6))), [], `clean stop\n${v.logText()}`);
  } finally {
    c.destroy();
  }
});
