// `vipd packet encode`: the advert the core would send for the given fields, as bytes.
import type { Family } from '../core/addr.ts';
import type { Core } from '../core/wasm-core.ts';
import { commonFamily } from './addresses.ts';
import { PacketInputError } from './errors.ts';
import { ipv4Wrap, ipv6Wrap } from './ip.ts';
import { intIn } from './numbers.ts';

/** Options as typed on the command line (strings), checked here. */
export interface EncodeArgs {
  version: string;
  vrid: string;
  priority: string;
  /** v2: seconds; v3: centiseconds. */
  interval: string;
  authPass?: string;
  /** keepalived's auth_type AH: the result is a whole IPv4 packet. */
  authAh?: string;
  v3ChecksumAsV2?: boolean;
  src: string;
  dst: string;
  addresses: string[];
  /** Put an IPv4/IPv6 header (TTL/hop limit 255) in front of the message. */
  ip?: boolean;
}

export interface EncodeRequest {
  version: 2 | 3;
  family: Family;
  vrid: number;
  priority: number;
  intervalWire: number;
  authPass?: string;
  authAh?: string;
  v3ChecksumAsV2: boolean;
  src: string;
  dst: string;
  addresses: string[];
  ip: boolean;
}

/** keepalived's auth_pass as the wire carries it: 1..8 bytes, one per Latin-1 character. */
function checkPassword(flag: string, pw: string): void {
  if (pw.length === 0 || pw.length > 8 || !/^[\x20-\xff]*$/.test(pw)) {
    throw new PacketInputError(`${flag} must be 1..8 printable Latin-1 characters`);
  }
}

function isMulticast4(a: string): boolean {
  const first = Number(a.split('.')[0]);
  return first >= 224 && first <= 239;
}

export function checkEncodeArgs(a: EncodeArgs): EncodeRequest {
  const version = intIn('--version', a.version, 2, 3) as 2 | 3;
  const vrid = intIn('--vrid', a.vrid, 1, 255);
  const priority = intIn('--priority', a.priority, 0, 255);
  const intervalWire = version === 2 ? intIn('--interval (seconds, v2)', a.interval, 1, 255)
    : intIn('--interval (centiseconds, v3)', a.interval, 1, 4095);
  if (a.addresses.length > 255) throw new PacketInputError(`at most 255 addresses, not ${a.addresses.length}`);
  const family = commonFamily([['--src', a.src], ['--dst', a.dst], ...a.addresses.map((x, k): [string, string] => [`address ${k + 1}`, x])], 4);
  if (version === 2 && family === 6) throw new PacketInputError('VRRP version 2 has no IPv6 form: use --version 3');
  if (a.authPass !== undefined) {
    if (version !== 2) throw new PacketInputError('--auth-pass is for version 2 only (v3 has no authentication)');
    checkPassword('--auth-pass', a.authPass);
  }
  if (a.authAh !== undefined) {
    if (a.authPass !== undefined) throw new PacketInputError('--auth-pass and --auth-ah: an advert has one authentication type');
    if (version !== 2 || family !== 4) throw new PacketInputError('--auth-ah is for version 2 over IPv4 only');
    checkPassword('--auth-ah', a.authAh);
  }
  if (a.v3ChecksumAsV2 && version !== 3) throw new PacketInputError('--v3-checksum-as-v2 is for version 3 only');
  return {
    version, family, vrid, priority, intervalWire, authPass: a.authPass, authAh: a.authAh, v3ChecksumAsV2: !!a.v3ChecksumAsV2,
    src: a.src, dst: a.dst, addresses: a.addresses, ip: !!a.ip,
  };
}

/** The VRRP message (or, with `ip`, the whole packet) for a checked request. */
export function encodePacket(core: Core, r: EncodeRequest): Uint8Array {
  const msg = core.encodeAdvert({
    socket: 0, version: r.version, family: r.family, vrid: r.vrid, priority: r.priority,
    advertIntUs: r.version === 2 ? r.intervalWire * 1_000_000 : r.intervalWire * 10_000,
    src: r.src, group: r.dst, vips: r.addresses, authPass: r.authPass, v3ChecksumAsV2: r.v3ChecksumAsV2,
    authAh: r.authAh,
    // AH leaves the TTL out of the ICV for unicast only, and the core knows unicast by its peers.
    peers: r.authAh !== undefined && !isMulticast4(r.dst) ? [{ address: r.dst }] : undefined,
  });
  // With AH the core built the whole IPv4 packet already.
  if (!r.ip || r.authAh !== undefined) return msg;
  return r.family === 4 ? ipv4Wrap(msg, r.src, r.dst, 255) : ipv6Wrap(msg, r.src, r.dst, 255);
}
