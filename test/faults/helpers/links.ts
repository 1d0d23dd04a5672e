// Interfaces that disappear under a running daemon: delete a lab host's eth0 (its veth pair goes with it) and plug
// a new one in with the same name, MAC and address; a second interface of a host's own for an instance of its own.
// Everything runs inside the lab's namespaces.
import { execFileSync } from 'node:child_process';
import type { Lab, LabHost } from '../../../host/lab/netns.ts';

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Deletes h's eth0; the bridge-side end of the veth goes with it. */
export function deleteEth0(h: LabHost): void {
  ip(['-n', h.ns, 'link', 'del', 'eth0']);
}

/** A new eth0 for h, as the lab built the first one: veth into the bridge, same MAC, its IPv4 address, up. */
export function replugEth0(lab: Lab, h: LabHost): void {
  const l = h.links[0];
  ip(['-n', lab.bridgeNs, 'link', 'add', l.bridgePort, 'type', 'veth', 'peer', 'name', l.ifname, 'address', l.mac, 'netns', h.ns]);
  ip(['-n', lab.bridgeNs, 'link', 'set', l.bridgePort, 'master', l.bridge, 'up']);
  ip(['-n', h.ns, 'addr', 'add', `${l.ipv4}/24`, 'brd', '+', 'dev', l.ifname]);
  ip(['-n', h.ns, 'link', 'set', l.ifname, 'up']);
}

/**
 * A second interface `name` on h with `addr` (CIDR), up: one end of a veth pair whose other end (`name`p) stays in
 * h's namespace too (this kernel has no dummy driver). Deleting either end deletes both.
 */
export function addLocalVeth(h: LabHost, name: string, addr: string): void {
  ip(['-n', h.ns, 'link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`]);
  ip(['-n', h.ns, 'addr', 'add', addr, 'dev', name]);
  ip(['-n', h.ns, 'link', 'set', `${name}p`, 'up']);
  ip(['-n', h.ns, 'link', 'set', name, 'up']);
}

export function deleteLink(h: LabHost, name: string): void {
  ip(['-n', h.ns, 'link', 'del', name]);
}

/** Every IPv4/IPv6 address in h's namespace (no interface needs to exist). */
export function allAddresses(h: LabHost): string[] {
  const out = ip(['-n', h.ns, '-o', 'addr', 'show']);
  return [...out.matchAll(/inet6? ([0-9a-f.:]+)\//g)].map((m) => m[1]);
}
