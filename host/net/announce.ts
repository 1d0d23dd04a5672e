// Sends gratuitous ARPs and unsolicited NAs: frames from announce-frames.ts, queued
// into one reusable batch and written with one sendmmsg on a single AF_PACKET socket
// (each frame names its interface). When to announce is the core's decision; this
// file only does it. No process is ever spawned.
import { readFileSync } from 'node:fs';
import { native, REC, errnoName } from './native.ts';
import { GARP_LEN, NA_LEN, writeGarp, writeUnsolicitedNa } from './announce-frames.ts';
import type { SendReport } from './vrrp-socket.ts';

export class Announcer {
  private fd: number;
  private readonly data: Buffer;
  private readonly meta: Buffer;
  private readonly capacity: number;
  private count = 0;

  /** Opens the AF_PACKET socket in the calling thread's network namespace. */
  constructor(capacity = 256) {
    this.capacity = capacity;
    this.data = Buffer.alloc(capacity * NA_LEN);
    this.meta = Buffer.alloc(capacity * REC.SIZE);
    this.fd = native().openPacket();
  }

  get pending(): number { return this.count; }

  /** Queue a GARP for `vip` (4 bytes) on `ifindex` from `mac`. Flushes first if the batch is full. */
  garp(ifindex: number, mac: Uint8Array, vip: Uint8Array): void {
    const off = this.slot(ifindex, GARP_LEN);
    writeGarp(this.data, off, mac, vip);
  }

  /** Queue an unsolicited NA for `vip` (16 bytes); `router` = the interface forwards IPv6. */
  unsolicitedNa(ifindex: number, mac: Uint8Array, vip: Uint8Array, router: boolean): void {
    const off = this.slot(ifindex, NA_LEN);
    writeUnsolicitedNa(this.data, off, mac, vip, router);
  }

  /** Send everything queued; a frame the kernel refuses (link down, ENOBUFS) is reported and skipped. */
  flush(): SendReport {
    const n = native();
    const count = this.count;
    this.count = 0;
    let from = 0;
    let failed: Array<[number, string]> | undefined;
    while (from < count) {
      const r = n.sendFrames(this.fd, this.data, this.meta, from, count - from);
      if (r < 0) {
        (failed ??= []).push([from, errnoName(-r)]);
        from += 1;
      } else {
        from += r;
      }
    }
    const sent = count - (failed?.length ?? 0);
    return failed ? { sent, failed } : { sent };
  }

  close(): void {
    if (this.fd < 0) return;
    native().closeFd(this.fd);
    this.fd = -1;
  }

  private slot(ifindex: number, len: number): number {
    if (this.count >= this.capacity) this.flush();
    const i = this.count++;
    const off = i * NA_LEN;
    const r = i * REC.SIZE;
    this.meta.writeUInt32LE(off, r + REC.OFF);
    this.meta.writeUInt32LE(len, r + REC.LEN);
    this.meta.writeInt32LE(ifindex, r + REC.IFINDEX);
    return off;
  }
}

/**
 * Whether IPv6 forwarding is on for `ifname` (the NA Router flag). Reads /proc of the
 * calling thread's namespace, as keepalived does; call it on a slow timer, not per NA.
 */
export function ipv6Forwarding(ifname: string): boolean {
  try {
    return readFileSync(`/proc/sys/net/ipv6/conf/${ifname}/forwarding`, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}
