// The files keepalived writes on signals: SIGUSR1 -> keepalived.data, SIGUSR2 -> keepalived.stats, in its layout,
// so tooling that reads them keeps working.
import { keepalivedStats } from '../core/names.ts';
import type { InstanceStatus } from './runtime.ts';

/**
 * keepalived.stats exactly as keepalived 2.2.7 writes it: the same 14 counters in the same order and nothing
 * else, since a parser written for keepalived's file may choke on a section it does not know. The numbers mean
 * what keepalived's mean (keepalivedStats), so a tool comparing the two daemons' files compares like with like.
 * vipd's own counters (version, checksum, multicast/unicast, unicast source, checksum forms...) are in the JSON
 * dump and `vipd status`.
 */
export function statsText(list: InstanceStatus[]): string {
  return list.map((i) => {
    const s = keepalivedStats(i.stats);
    return [
      `VRRP Instance: ${i.name}`,
      '  Advertisements:',
      `    Received: ${s.advert_rcvd}`,
      `    Sent: ${s.advert_sent}`,
      `  Became master: ${s.become_master}`,
      `  Released master: ${s.release_master}`,
      '  Packet Errors:',
      `    Length: ${s.packet_len_err}`,
      `    TTL: ${s.ip_ttl_err}`,
      `    Invalid Type: ${s.invalid_type_rcvd}`,
      `    Advertisement Interval: ${s.advert_interval_err}`,
      `    Address List: ${s.addr_list_err}`,
      '  Authentication Errors:',
      `    Invalid Type: ${s.invalid_authtype}`,
      `    Type Mismatch: ${s.authtype_mismatch}`,
      `    Failure: ${s.auth_failure}`,
      '  Priority Zero:',
      `    Received: ${s.pri_zero_rcvd}`,
      `    Sent: ${s.pri_zero_sent}`,
    ].join('\n');
  }).join('\n') + '\n';
}

/**
 * keepalived's JSON dump (SIGRTMIN+2, /tmp/keepalived.json): one entry per instance, `data` and `stats`; the
 * stats keepalived also has carry its meaning, vipd's own are beside them.
 */
export function jsonDump(list: InstanceStatus[]): string {
  return JSON.stringify(list.map((i) => ({
    data: {
      iname: i.name, ifp_ifname: i.interface, vrid: i.vrid, version: i.version, family: i.family === 4 ? 'inet' : 'inet6',
      state: ['INIT', 'BACKUP', 'MASTER', 'FAULT'].indexOf(i.state), base_priority: i.basePriority,
      effective_priority: i.effectivePriority, adver_int: i.advertIntCs * 10000, master_ipaddr: i.masterAddress,
      master_priority: i.masterPriority, vips: i.vips, last_transition: i.lastTransition,
    },
    stats: keepalivedStats(i.stats),
  })), null, 2) + '\n';
}

export function dataText(list: InstanceStatus[], now: Date): string {
  const lines = [`------< VRRP Topology >------ ${now.toUTCString()}`];
  for (const i of list) {
    lines.push(
      ` VRRP Instance = ${i.name}`,
      `   VRRP Version = ${i.version}`,
      `   State = ${i.state}`,
      `   Last transition = ${i.lastTransition}`,
      `   Interface = ${i.interface}`,
      `   Virtual Router ID = ${i.vrid}`,
      `   Priority = ${i.basePriority}`,
      `   Effective priority = ${i.effectivePriority}`,
      `   Advert interval = ${i.advertIntCs * 10} milli-sec`,
      `   Master router = ${i.masterAddress ?? '(none)'}`,
      `   Master priority = ${i.masterPriority ?? '(none)'}`,
      `   Virtual IP = ${i.vips.length}`,
      ...i.vips.map((v) => `     ${v} dev ${i.interface}`),
    );
  }
  return lines.join('\n') + '\n';
}
