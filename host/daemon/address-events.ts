/**
 * What an address appearing or disappearing means for the running instances (keepalived's
 * netlink_if_address_filter, 2.2.7). Pure: the runtime feeds it the event and a view of each instance, and
 * carries out the answer.
 *
 * - The instance's source address removed: with `track_src_ip` the instance goes to FAULT until the address is
 *   back. Without it, a source the configuration named stays the source (adverts keep it, as keepalived's do),
 *   and a source taken from the interface is taken again from what the interface has left (keepalived does the
 *   same; a unicast socket is bound to its source, so there a reload is needed, and the runtime says so).
 * - A VIP removed from a master by someone else: keepalived does nothing (acassen/keepalived#534: whoever
 *   removed it had a reason). vipd does not re-add it either, but says so loudly, and stops listing it as
 *   installed; the next transition to MASTER installs it again.
 */
import type { Family } from '../core/addr.ts';
import { parseIp } from '../net/ip-address.ts';

export interface AddressEventView {
  action: 'added' | 'removed';
  family: Family;
  ifindex: number;
  address: string;
}

export interface InstanceAddressView {
  handle: number;
  family: Family;
  state: string;
  src: string;
  /** The configuration named the source (unicast_src_ip / mcast_src_ip); otherwise it came from the interface. */
  srcConfigured: boolean;
  trackSrcIp: boolean;
  /** Sends unicast (its socket is bound to the source). */
  unicast: boolean;
  /** The instance's interface. */
  ifindex: number;
  /** Installed VIPs with the interface each is on. */
  installed: readonly { addr: string; ifindex: number | undefined }[];
  /** The source is gone and track_src_ip holds the instance in FAULT. */
  srcLost: boolean;
}

export type AddressAction =
  | { kind: 'src-lost'; handle: number; address: string }
  | { kind: 'src-back'; handle: number; address: string }
  | { kind: 'src-rederive'; handle: number; address: string }
  | { kind: 'src-kept'; handle: number; address: string; why: 'configured' | 'unicast' }
  | { kind: 'vip-gone'; handle: number; address: string };

export function addressActions(e: AddressEventView, instances: Iterable<InstanceAddressView>): AddressAction[] {
  const out: AddressAction[] = [];
  for (const i of instances) {
    if (i.family !== e.family) continue;
    if (sameAddress(i.src, e.address)) {
      if (e.action === 'added') {
        if (i.srcLost) out.push({ kind: 'src-back', handle: i.handle, address: e.address });
      } else if (i.trackSrcIp) {
        if (!i.srcLost) out.push({ kind: 'src-lost', handle: i.handle, address: e.address });
      } else if (i.srcConfigured || i.unicast) {
        out.push({ kind: 'src-kept', handle: i.handle, address: e.address, why: i.srcConfigured ? 'configured' : 'unicast' });
      } else if (e.ifindex === i.ifindex) {
        out.push({ kind: 'src-rederive', handle: i.handle, address: e.address });
      }
      continue;
    }
    if (e.action === 'removed' && i.state === 'MASTER'
      && i.installed.some((v) => sameAddress(v.addr, e.address) && (v.ifindex === undefined || v.ifindex === e.ifindex))) {
      out.push({ kind: 'vip-gone', handle: i.handle, address: e.address });
    }
  }
  return out;
}

/** Addresses as text compare equal when they are the same address (IPv6 has several spellings). */
export function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  if (!a.includes(':') || !b.includes(':')) return false;
  try {
    return parseIp(a).bytes.equals(parseIp(b).bytes);
  } catch {
    return false;
  }
}
