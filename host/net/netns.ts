// Run a synchronous function with the JS thread inside another network namespace.
// Sockets (VRRP, AF_PACKET, netlink) belong to the namespace they were created in,
// so a process can open them inside a lab namespace and keep using them after it
// comes back. keepalived's `net_namespace` needs the same move for the whole daemon.
import { native } from './native.ts';

let home: number | undefined;

/** `name` is a name under /run/netns (as `ip netns add` makes) or an absolute path. */
export function withNetns<T>(name: string, fn: () => T): T {
  const n = native();
  // The thread's own namespace, captured once, before the first move.
  home ??= n.nsOpen('/proc/thread-self/ns/net');
  const target = n.nsOpen(name.startsWith('/') ? name : `/run/netns/${name}`);
  try {
    n.nsSet(target);
    try {
      const result = fn();
      if (result instanceof Promise) throw new Error('withNetns: fn must be synchronous (an await would run in the wrong namespace)');
      return result;
    } finally {
      n.nsSet(home);
    }
  } finally {
    n.closeFd(target);
  }
}
