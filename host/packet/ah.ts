// keepalived's IPsec AH header, read on the host side for `vipd packet decode`: its fields, and whether the ICV is
// right for a password. The ICV is computed here with node:crypto, not with the core's HMAC, so the packet tool
// is a second opinion on the core (test/host/ah-crosscheck.test.ts compares the two).
import { createHmac } from 'node:crypto';

export interface AhFields {
  nextHeader: number;
  /** keepalived puts the sender's IPv4 address here. */
  spi: string;
  sequence: number;
  icv: string;
  /** With a password: whether the ICV is right for it. */
  icvValid?: boolean;
}

/** keepalived's AH header: next header, length, reserved, SPI, sequence, 12-byte ICV. */
export const AH_LEN = 24;

/** The 12-byte HMAC-MD5-96 ICV of an IPv4+AH packet: TOS, fragment field, checksum (and, unicast, TTL) zeroed. */
export function ahIcv(packet: Uint8Array, password: string, unicast: boolean): Buffer {
  const ihl = (packet[0] & 0xf) * 4;
  const total = (packet[2] << 8) | packet[3];
  const b = Buffer.from(packet.subarray(0, total));
  b[1] = 0;
  b[6] = 0;
  b[7] = 0;
  b[10] = 0;
  b[11] = 0;
  if (unicast) b[8] = 0;
  b.fill(0, ihl + 12, ihl + AH_LEN);
  const key = Buffer.alloc(8);
  Buffer.from(password, 'latin1').copy(key, 0, 0, 8);
  return createHmac('md5', key).update(b).digest().subarray(0, 12);
}

/** The AH header of an IPv4 packet with protocol 51, or null when there is none (or it does not fit). */
export function ahFields(packet: Uint8Array, password?: string): AhFields | null {
  if (packet.length < 20 || packet[0] >> 4 !== 4 || packet[9] !== 51) return null;
  const ihl = (packet[0] & 0xf) * 4;
  const total = (packet[2] << 8) | packet[3];
  if (ihl + AH_LEN > Math.min(total, packet.length)) return null;
  const a = Buffer.from(packet.subarray(ihl, ihl + AH_LEN));
  const f: AhFields = {
    nextHeader: a[0],
    spi: `${a[4]}.${a[5]}.${a[6]}.${a[7]}`,
    sequence: a.readUInt32BE(8),
    icv: a.subarray(12).toString('hex'),
  };
  if (password !== undefined && total <= packet.length) {
    // keepalived leaves the TTL out of the ICV for unicast adverts only: judge by the destination.
    const unicast = packet[16] < 224 || packet[16] > 239;
    f.icvValid = ahIcv(packet, password, unicast).equals(a.subarray(12));
  }
  return f;
}
