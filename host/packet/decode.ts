// `vipd packet decode`: what an advert says and whether vipd would find it sound, with no instance configured.
import type { Family } from '../core/addr.ts';
import { RX_MESSAGES } from '../core/names.ts';
import { type Core, type DecodedAdvert } from '../core/wasm-core.ts';
import * as abi from '../core/abi.ts';
import { commonFamily } from './addresses.ts';
import { vrrpChecksum } from './checksum.ts';
import { PacketInputError } from './errors.ts';
import { splitIpv6 } from './ip.ts';
import { AH_LEN, type AhFields, ahFields } from './ah.ts';

export interface DecodeOptions {
  /** Pseudo-header addresses for a bare message (IPv6 when they are IPv6). */
  src?: string;
  dst?: string;
  /** TTL / hop limit the bare message arrived with (default 255). */
  ttl?: number;
  /** Try the message-only checksum first for v3 over IPv4 (keepalived's vrrp_v3_checksum_as_v2). */
  v3ChecksumAsV2?: boolean;
  /** auth_pass to check an AH packet's ICV with (keepalived's auth_type AH). */
  authPass?: string;
}

/** What a given input turned out to be. */
export type InputKind = 'ipv4-packet' | 'ipv6-packet' | 'vrrp-message';

export interface PacketReport {
  input: InputKind;
  family: Family;
  valid: boolean;
  /** RX_* name and keepalived's wording, when invalid. */
  reason?: string;
  reasonCode?: number;
  reasonText?: string;
  version?: number;
  type?: number;
  vrid?: number;
  priority?: number;
  count?: number;
  /** v2: seconds; v3: centiseconds (see intervalUnit). */
  interval?: number;
  intervalUnit?: 's' | 'cs';
  /** v2 only (null for v3). */
  authType?: number | null;
  authData?: string | null;
  checksum?: string;
  /**
   * Which checksum form matched: plain (message only), pseudo-header, old-unicast, none, not-checked (the length
   * is already wrong), or unverified (a bare v3 message without --src/--dst: see checksumNote).
   */
  checksumForm?: string;
  /** Why the checksum could not be judged. */
  checksumNote?: string;
  /** When no form matched: what each form would have been. */
  expectedChecksum?: { plain: string; pseudoHeader?: string };
  ttl?: number;
  src?: string;
  dst?: string;
  addresses?: string[];
  length?: number;
  expectedLength?: number;
  /** IPv4 with protocol 51: keepalived's AH header (icvValid only when a password was given). */
  ah?: AhFields;
}

const hex16 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

/** Anything that fails before the VRRP header is readable: only the verdict is worth printing. */
const NO_FIELDS = new Set([abi.RX_TOO_SHORT, abi.RX_BAD_IP_HEADER, abi.RX_BAD_PROTOCOL, abi.RX_TRUNCATED, abi.RX_BAD_FAMILY]);

export function decodePacket(core: Core, bytes: Uint8Array, o: DecodeOptions = {}): PacketReport {
  // The core reads a datagram of at most RX_CAP bytes (a bare IPv4 message gets a 20-byte header first); more
  // than that is no advert at all, and the core's answer (a host error) would name the wrong culprit.
  if (bytes.length > abi.RX_CAP - 20) {
    throw new PacketInputError(`${bytes.length} bytes is longer than any VRRP advert (at most ${abi.RX_CAP - 20})`);
  }
  const top = bytes[0] >> 4;
  let input: InputKind;
  let d: DecodedAdvert;
  let family: Family;
  let msgBytes: Uint8Array | undefined;
  // Pseudo-header addresses a bare message was not given (the defaults stand in for them).
  let missing: string[] = [];
  if (top === 4 || top === 6) {
    if (o.src !== undefined || o.dst !== undefined || o.ttl !== undefined) {
      throw new PacketInputError('--src, --dst and --ttl describe a bare VRRP message; this input is a whole IP packet');
    }
  }
  if (top === 4) {
    input = 'ipv4-packet';
    family = 4;
    d = core.decodeAdvert(bytes, { family: 4, ipHeader: true, preferPlain: o.v3ChecksumAsV2 });
    if (d.length > 0) {
      const ihl = (bytes[0] & 0xf) * 4;
      // The message starts after the IP header and, when present, the AH header (the core found it there too).
      // keepalived's AH header is always 24 bytes; the core does not read its length field either.
      msgBytes = bytes.subarray(ihl + (bytes[9] === 51 ? AH_LEN : 0)).subarray(0, d.length);
    }
  } else if (top === 6) {
    input = 'ipv6-packet';
    family = 6;
    const p = splitIpv6(bytes);
    msgBytes = p.payload;
    d = core.decodeAdvert(p.payload, { family: 6, src: p.src, dst: p.dst, ttl: p.hopLimit });
  } else {
    input = 'vrrp-message';
    family = commonFamily([['--src', o.src], ['--dst', o.dst]], 4);
    missing = [o.src === undefined ? '--src' : '', o.dst === undefined ? '--dst' : ''].filter(Boolean);
    const src = o.src ?? (family === 4 ? '0.0.0.0' : '::');
    const dst = o.dst ?? (family === 4 ? '224.0.0.18' : 'ff02::12');
    msgBytes = bytes;
    d = core.decodeAdvert(bytes, { family, src, dst, ttl: o.ttl ?? 255, preferPlain: o.v3ChecksumAsV2 });
  }
  if (NO_FIELDS.has(d.reasonCode)) {
    return { input, family, valid: false, reason: d.reason, reasonCode: d.reasonCode, reasonText: RX_MESSAGES[d.reasonCode] };
  }
  // The core looks at the checksum only once the version is known and the length fits the address count.
  const checked = (d.version === 2 || d.version === 3) && d.length === d.expectedLength;
  // A v3 sum covers a pseudo-header with both addresses. With one of them guessed, a sum that matches no form
  // says nothing either way: the advert is neither valid nor invalid on that count. The checksum is the decoder's
  // last check, so an advert refused only for it passed every other one.
  const unverified = missing.length > 0 && d.version === 3 && checked && d.checksumForm === 'none';
  const valid = d.valid || (unverified && d.reasonCode === abi.RX_BAD_CHECKSUM);
  const r: PacketReport = { input, family, valid };
  if (!valid) {
    r.reason = d.reason;
    r.reasonCode = d.reasonCode;
    r.reasonText = RX_MESSAGES[d.reasonCode];
  }
  Object.assign(r, {
    version: d.version, type: d.type, vrid: d.vrid, priority: d.priority, count: d.count,
    interval: d.interval, intervalUnit: d.intervalUnit,
    authType: d.version === 2 ? d.authType : null, authData: d.version === 2 ? d.authData : null,
    checksum: hex16(d.checksum), checksumForm: !checked ? 'not-checked' : unverified ? 'unverified' : d.checksumForm,
  });
  if (unverified) {
    r.checksumNote = `the VRRPv3 checksum covers the source and destination addresses: give ${missing.join(' and ')} to check it`;
  } else if (d.checksumForm === 'none' && checked && msgBytes && d.length === msgBytes.length && msgBytes.length >= 8) {
    const m = msgBytes;
    r.expectedChecksum = { plain: hex16(vrrpChecksum(m, 'plain', family)) };
    if (d.version !== 2) r.expectedChecksum.pseudoHeader = hex16(vrrpChecksum(m, 'pseudo', family, d.src, d.dst));
  }
  Object.assign(r, {
    ttl: d.ttl, src: d.src, dst: d.dst, addresses: d.addresses, length: d.length, expectedLength: d.expectedLength,
  });
  const ah = input === 'ipv4-packet' ? ahFields(bytes, o.authPass) : null;
  if (ah) {
    r.ah = ah;
    // The core decodes without an instance, so it cannot judge the ICV; with the password, the tool does.
    if (ah.icvValid === false && r.valid) {
      Object.assign(r, { valid: false, reason: 'ah-bad-icv', reasonCode: abi.RX_AH_BAD_ICV, reasonText: RX_MESSAGES[abi.RX_AH_BAD_ICV] });
    }
  }
  return r;
}
