// A reusable outgoing batch: datagram bytes in one Buffer, one 64-byte record each
// (offset, length, ifindex, ttl, source, destination) in another. The whole batch
// leaves in one sendmmsg() per 64 datagrams; filling it allocates nothing.
import { REC } from './native.ts';

export interface TxOptions {
  /** Source address bytes (16; IPv4 in the first 4). Absent or all-zero: the kernel picks. */
  src?: Uint8Array;
  /** Egress interface; 0 lets the routing table choose. */
  ifindex?: number;
  /** TTL / hop limit for this datagram; 0 keeps the socket's 255. */
  ttl?: number;
}

export class TxBatch {
  readonly data: Buffer;
  readonly meta: Buffer;
  readonly capacity: number;
  private count_ = 0;
  private used = 0;

  constructor(capacity = 64, bytes = 64 * 1024) {
    this.capacity = capacity;
    this.data = Buffer.alloc(bytes);
    this.meta = Buffer.alloc(capacity * REC.SIZE);
  }

  get count(): number { return this.count_; }

  clear(): void {
    this.count_ = 0;
    this.used = 0;
  }

  /**
   * Reserve `len` bytes for the next datagram and fill its record; returns the offset in
   * `data` where the caller writes the payload (so the core's tx region can be copied once).
   */
  reserve(len: number, dst: Uint8Array, ifindex = 0, ttl = 0, src?: Uint8Array): number {
    if (this.count_ >= this.capacity || this.used + len > this.data.length) {
      throw new RangeError(`TxBatch full (${this.count_}/${this.capacity} datagrams, ${this.used}+${len}/${this.data.length} bytes)`);
    }
    const r = this.count_ * REC.SIZE;
    const off = this.used;
    this.meta.writeUInt32LE(off, r + REC.OFF);
    this.meta.writeUInt32LE(len, r + REC.LEN);
    this.meta.writeInt32LE(ifindex, r + REC.IFINDEX);
    this.meta.writeInt32LE(ttl, r + REC.TTL);
    this.meta.fill(0, r + REC.SRC, r + REC.SIZE);
    if (src) this.meta.set(src.subarray(0, 16), r + REC.SRC);
    this.meta.set(dst.subarray(0, 16), r + REC.DST);
    this.count_++;
    // 8-byte alignment keeps each datagram's start aligned for anyone viewing it as words.
    this.used = (off + len + 7) & ~7;
    return off;
  }

  /** Append a copy of `payload` to `dst`. */
  add(payload: Uint8Array, dst: Uint8Array, opts: TxOptions = {}): void {
    const off = this.reserve(payload.length, dst, opts.ifindex ?? 0, opts.ttl ?? 0, opts.src);
    this.data.set(payload, off);
  }
}
