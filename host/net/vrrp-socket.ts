// VRRP (IP protocol 112) sockets over the native addon: one raw socket per
// (family, interface[, bound unicast source]), event-loop driven, batched both ways.
//
// Receive: libuv wakes us when the fd is readable; the addon drains it with
// recvmmsg (up to `batch` datagrams per call, bounded rounds per wake-up) and calls
// JS once per batch. The handler then sees each datagram through one reused
// RxPacket view: no objects are created per packet.
// Send: fill a TxBatch, call send(); one sendmmsg per 64 datagrams.
import { native, REC, REC_F_TRUNC, errnoName, type NativeWatcher } from './native.ts';
import { type Family, formatIp, parseIp, VRRP_GROUP_V4, VRRP_GROUP_V6 } from './ip-address.ts';
import type { TxBatch } from './tx-batch.ts';
import { monotonicNsToUs } from './clock.ts';

/**
 * One received datagram. The same object is reused for every packet: read it (or copy
 * from it) inside the handler, never keep it. IPv4: the bytes are the whole IP packet,
 * header included. IPv6: the bytes are the VRRP payload (the kernel strips the header).
 */
export class RxPacket {
  /** Shared receive buffer; this packet is data[offset, offset + length). */
  readonly data: Buffer;
  /** Shared record buffer; this packet's record starts at `record` (see REC in native.ts). */
  readonly meta: Buffer;
  readonly family: Family;
  offset = 0;
  length = 0;
  record = 0;
  /** IPv4 TTL or IPv6 hop limit as received; -1 if the kernel did not say. */
  ttl = -1;
  ifindex = 0;
  /** The datagram was longer than the receive slot and was cut. */
  truncated = false;
  /**
   * Datagrams the kernel has dropped on this socket so far (receive queue full), as of when this one was queued;
   * it only grows. 0 until the first drop.
   */
  drops = 0;
  /**
   * When the kernel received it, on performance.now()'s clock in µs; never later than when the batch was read (the
   * read time stands in when the kernel gave no stamp). The protocol's timers start from when an advert arrived,
   * not from when the event loop got to it.
   */
  rxTimeUs = 0;

  constructor(family: Family, data: Buffer, meta: Buffer) {
    this.family = family;
    this.data = data;
    this.meta = meta;
  }

  /** Offset in `meta` of the 16-byte source address; destination follows at +16. */
  get srcOffset(): number { return this.record + REC.SRC; }
  get dstOffset(): number { return this.record + REC.DST; }
  /** Text forms; they allocate, so keep them off the fast path. */
  src(): string { return formatIp(this.family, this.meta, this.srcOffset); }
  dst(): string { return formatIp(this.family, this.meta, this.dstOffset); }
  bytes(): Buffer { return this.data.subarray(this.offset, this.offset + this.length); }
}

export type RxHandler = (p: RxPacket) => void;
export type RxErrorHandler = (err: Error) => void;

export interface VrrpSocketOptions {
  family: Family;
  /** Interface the socket is bound to (SO_BINDTODEVICE) and sends multicast on. */
  ifindex: number;
  /** Join the VRRP group (224.0.0.18 / ff02::12) on `ifindex`. */
  multicast?: boolean;
  /** Bind to this local address: only datagrams addressed to it arrive (unicast mode). */
  bindAddress?: string;
  /** Datagrams per recvmmsg (max 64). */
  batch?: number;
  /** Bytes per receive slot; 4096 fits the largest VRRP packet (v3, 255 IPv6 addresses). */
  slotSize?: number;
  /** SO_RCVBUF(FORCE) in bytes (keepalived's kernel_rx_buf_size); 0 keeps the default. */
  rcvbuf?: number;
  /**
   * 112 (the default), or 51 for keepalived's AH authentication (IPv4): it receives AH packets and sends what the
   * core built for AH instances, whole IPv4 packets, as they are (IP_HDRINCL).
   */
  proto?: 112 | 51;
  onError?: RxErrorHandler;
}

export interface SendReport {
  sent: number;
  /** Present only when some datagram failed: [record index, errno name]. */
  failed?: Array<[number, string]>;
}

export class VrrpSocket {
  readonly family: Family;
  readonly ifindex: number;
  private fd: number;
  private watcher: NativeWatcher | undefined;
  private readonly groups = new Set<number>();

  private constructor(family: Family, ifindex: number, fd: number) {
    this.family = family;
    this.ifindex = ifindex;
    this.fd = fd;
  }

  /**
   * Open and start receiving. Must run in the network namespace the socket belongs to
   * (see withNetns in netns.ts). Throws with an errno `code` if the kernel refuses.
   */
  static open(opts: VrrpSocketOptions, onPacket: RxHandler): VrrpSocket {
    const n = native();
    const fd = n.openVrrp(opts.family, opts.ifindex, opts.rcvbuf ?? 0, opts.proto ?? 112);
    const sock = new VrrpSocket(opts.family, opts.ifindex, fd);
    try {
      if (opts.bindAddress) {
        const a = parseIp(opts.bindAddress);
        if (a.family !== opts.family) throw new Error(`bind address ${opts.bindAddress} is not IPv${opts.family}`);
        n.bindAddress(fd, opts.family, a.bytes, opts.ifindex);
      }
      if (opts.multicast) sock.join(opts.ifindex);
      sock.startReceive(opts.batch ?? 32, opts.slotSize ?? 4096, onPacket, opts.onError);
    } catch (e) {
      sock.close();
      throw e;
    }
    return sock;
  }

  /** Join the VRRP multicast group on another interface (the socket stays bound to its own). */
  join(ifindex: number): void {
    native().joinGroup(this.fd, this.family, ifindex, this.group(), true);
    this.groups.add(ifindex);
  }

  leave(ifindex: number): void {
    if (!this.groups.delete(ifindex)) return;
    native().joinGroup(this.fd, this.family, ifindex, this.group(), false);
  }

  /**
   * Send every datagram in the batch (records 0..count-1). A datagram the kernel refuses
   * (e.g. an unreachable unicast peer) is reported and skipped; the rest still go out.
   */
  send(batch: TxBatch): SendReport {
    const n = native();
    let from = 0;
    let failed: Array<[number, string]> | undefined;
    // Each call either sends >= 1 datagram or skips exactly one: at most `count` calls.
    while (from < batch.count) {
      const r = n.sendBatch(this.fd, this.family, batch.data, batch.meta, from, batch.count - from);
      if (r < 0) {
        (failed ??= []).push([from, errnoName(-r)]);
        from += 1;
      } else {
        from += r;
      }
    }
    const sent = batch.count - (failed?.length ?? 0);
    return failed ? { sent, failed } : { sent };
  }

  /** Reads what the kernel holds for this socket now (before a takeover deadline is acted on). */
  drain(): number {
    return this.watcher ? native().drain(this.watcher) : 0;
  }

  /** Receive-side wake-ups, pacing pauses, datagrams read and drains (status `rx`). */
  rxStats(): RxStats {
    const [wakeups, pauses, datagrams, drains] = this.watcher ? native().watchStats(this.watcher) : [0, 0, 0, 0];
    return { wakeups, pauses, datagrams, drains };
  }

  close(): void {
    if (this.fd < 0) return;
    const n = native();
    if (this.watcher) n.unwatch(this.watcher);
    this.watcher = undefined;
    n.closeFd(this.fd);
    this.fd = -1;
  }

  private group(): Buffer {
    return parseIp(this.family === 4 ? VRRP_GROUP_V4 : VRRP_GROUP_V6).bytes;
  }

  private startReceive(batch: number, slot: number, onPacket: RxHandler, onError?: RxErrorHandler): void {
    const n = native();
    const size = Math.min(Math.max(1, batch), n.BATCH_MAX);
    const data = Buffer.alloc(size * slot);
    const meta = Buffer.alloc(size * REC.SIZE);
    const view = new RxPacket(this.family, data, meta);
    const report = onError ?? ((err: Error) => { throw err; });
    this.watcher = n.watch(this.fd, this.family, data, meta, slot, size, (count) => {
      if (count < 0) {
        report(Object.assign(new Error(`VRRP receive: ${errnoName(-count)}`), { code: errnoName(-count) }));
        return;
      }
      deliverBatch(view, count, performance.now() * 1000, onPacket);
    });
  }
}

export interface RxStats {
  /** Readable wake-ups of the event loop for this socket. */
  wakeups: number;
  /** Times reading paused for a millisecond because datagrams came as a stream (native/vipd_net.c, pacing). */
  pauses: number;
  datagrams: number;
  /** Reads made before a takeover deadline (drain()). */
  drains: number;
}

/**
 * Hands the batch's `count` datagrams (records 0..count-1 of view.meta) to `onPacket`, one at a time through the
 * same `view`. `readUs`: when the batch was read. One clock reading per batch, not per datagram: the receive path
 * allocates nothing per datagram, and a float returned from a call per datagram is an allocation (V8 boxes it)
 * 100 000 times a second under a flood (test/host/rx-path-alloc.test.ts).
 */
export function deliverBatch(view: RxPacket, count: number, readUs: number, onPacket: RxHandler): void {
  const meta = view.meta;
  for (let i = 0; i < count; i++) {
    const r = i * REC.SIZE;
    view.record = r;
    view.offset = meta.readUInt32LE(r + REC.OFF);
    view.length = meta.readUInt32LE(r + REC.LEN);
    view.ifindex = meta.readInt32LE(r + REC.IFINDEX);
    view.ttl = meta.readInt32LE(r + REC.TTL);
    view.truncated = (meta.readUInt32LE(r + REC.FLAGS) & REC_F_TRUNC) !== 0;
    view.drops = meta.readUInt32LE(r + REC.DROPS);
    const ns = meta.readDoubleLE(r + REC.RXTIME);
    const at = ns > 0 ? monotonicNsToUs(ns) : readUs;
    view.rxTimeUs = at <= readUs ? at : readUs;
    onPacket(view);
  }
}
