// One received datagram through the core: the daemon's per-datagram path (the socket's batch loop calls it for
// every datagram, 100 000 times a second under a flood). It allocates nothing: no closure, no clock reading (the
// datagram's arrival time, clamped to the batch's read time, is its time), no view of the bytes.
import type { Family } from '../core/addr.ts';
import type { Core } from '../core/wasm-core.ts';
import type { RxPacket } from '../net/vrrp-socket.ts';
import type { Driver } from './driver.ts';

/** Feeds `p` (received on core socket `socket`) at its arrival time, drains the outputs; the core's verdict. */
export function feedDatagram(core: Core, driver: Driver, socket: number, family: Family, p: RxPacket): number {
  const t = p.rxTimeUs;
  const r = core.feed(t, socket, family, p.ttl, p.data, p.offset, p.length, p.meta, p.srcOffset);
  driver.settle(t);
  return r;
}
