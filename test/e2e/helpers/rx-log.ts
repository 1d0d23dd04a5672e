// Copies every packet a VrrpSocket hands over (tests want to keep them; the daemon never does).
import type { RxPacket } from '../../../host/net/vrrp-socket.ts';

export interface Received {
  bytes: Buffer;
  src: string;
  dst: string;
  ttl: number;
  ifindex: number;
  truncated: boolean;
  /** The socket's kernel drop count as of this datagram (SO_RXQ_OVFL). */
  drops: number;
}

export class RxLog {
  readonly packets: Received[] = [];
  readonly handler = (p: RxPacket): void => {
    this.packets.push({
      bytes: Buffer.from(p.bytes()), src: p.src(), dst: p.dst(), ttl: p.ttl, ifindex: p.ifindex, truncated: p.truncated,
      drops: p.drops,
    });
  };
  clear(): void { this.packets.length = 0; }
}
