// Receive validation for an advert that reached an instance: keepalived 2.2.7's vrrp_check_packet, check by
// check, in its order (keepalived-behaviour.md §10.2). Each failure has its own reason code and counter; a
// peer's bad packet never throws. The caller has already located the message (wire/ip.ts) and found the
// instance by (socket, VRID), and has dropped it if the instance is not running.
//
// The address list is checked in two places, as 2.2.7 does: the count right after the type (#14a, before the IP
// length and the checksum), the addresses themselves after #13 (#14b). keepalived counts an advert as received
// (advert_rcvd) after #12, so a #14b, #15 or peer-TTL refusal is a received advert to it: the host's
// keepalivedStats (host/core/names.ts) adds them back, which is why #14b has a counter of its own.
import * as abi from '../abi';
import * as ip from '../wire/ip';
import {
  HDR_LEN, PROTO_VRRP, TYPE_ADVERT, addrs, advertLen, authType, checksumField, count, intervalV2, intervalV3,
  msgType, version,
} from '../wire/advert';
import { messageChecksum, pseudo4, pseudo6 } from '../wire/checksum';
import * as ah from '../wire/ah';
import { Instance } from './instance';

/** Which checksum form the last accepted packet matched (abi CSUM_*). */
export let csumForm: i32 = abi.CSUM_NONE;
/** The AH sequence number of the last packet that passed the AH checks (fsm syncs a master's counter to it). */
export let ahSeqRx: u32 = 0;

// 224.0.0.18 as the pseudo-header destination that keepalived <= 1.3.6 used for unicast adverts.
const OLD_GROUP = memory.data<u8>([224, 0, 0, 18]);

// @ts-ignore: decorator
@inline function isMulticast(family: i32, a: usize): bool {
  const b = <i32>load<u8>(a);
  return family == 4 ? (b & 0xf0) == 0xe0 : b == 0xff;
}

/** Which form the received checksum matches, or CSUM_NONE. */
export function matchChecksum(msg: usize, len: i32, family: i32, preferPlain: bool, unicast: bool,
                              src: usize, dst: usize): i32 {
  const got = checksumField(msg);
  if (version(msg) == 2) return messageChecksum(msg, len, 0) == got ? abi.CSUM_PLAIN : abi.CSUM_NONE;
  if (family == 6) return messageChecksum(msg, len, pseudo6(src, dst, len)) == got ? abi.CSUM_PSEUDO : abi.CSUM_NONE;
  // IPv4 v3: either form is accepted whatever we send; try ours first.
  const plain = messageChecksum(msg, len, 0) == got;
  if (preferPlain && plain) return abi.CSUM_PLAIN;
  if (messageChecksum(msg, len, pseudo4(src, dst, len)) == got) return abi.CSUM_PSEUDO;
  if (plain) return abi.CSUM_PLAIN;
  if (unicast && messageChecksum(msg, len, pseudo4(src, OLD_GROUP, len)) == got) return abi.CSUM_OLD_UNICAST;
  return abi.CSUM_NONE;
}

/** Does the advert list exactly our advertised addresses (same count, each of ours present)? */
function sameAddresses(i: Instance, msg: usize): bool {
  const n = count(msg);
  if (n != i.naddr) return false;
  const alen = i.alen;
  const theirs = addrs(msg);
  const ours = changetype<usize>(i.addrs);
  // keepalived lists the addresses in configuration order: one comparison settles the usual case.
  if (memory.compare(ours, theirs, <usize>(n * alen)) == 0) return true;
  for (let k = 0; k < n; k++) {
    let found = false;
    for (let j = 0; j < n && !found; j++) found = memory.compare(ours + k * alen, theirs + j * alen, alen) == 0;
    if (!found) return false;
  }
  return true;
}

/** Index of the configured peer with this address, or -1. */
export function peerIndex(i: Instance, a: usize): i32 {
  const p = changetype<usize>(i.peers);
  for (let k = 0; k < i.npeers; k++) if (memory.compare(p + (k << 4), a, i.alen) == 0) return k;
  return -1;
}

// @ts-ignore: decorator
@inline function fail(i: Instance, stat: i32, code: i32): i32 {
  i.count(stat);
  return code;
}

/**
 * #6 for AH, in keepalived's order: an AH header for another protocol is not ours; then the ICV, the SPI (the
 * source address) and the sequence number, which must be above the last one seen and becomes it. Only a packet
 * whose ICV is right moves the counter, so a forged packet cannot push it up.
 */
function checkAh(i: Instance, unicast: bool): i32 {
  const hdr = ip.ipHdr;
  const a = hdr + ip.ihl;
  if (<i32>load<u8>(a) != PROTO_VRRP) {
    i.count(abi.S_AH_OTHER_DROP);
    return abi.RX_AH_NOT_VRRP;
  }
  if (!ah.icvValid(hdr, ip.ihl, ip.ipTotal, unicast, changetype<usize>(i.ahInner), changetype<usize>(i.ahOuter))) {
    i.count(abi.S_AUTH_FAILURE);
    return fail(i, abi.S_AH_ICV_ERR, abi.RX_AH_BAD_ICV);
  }
  if (load<u32>(a + 4) != load<u32>(hdr + 12)) {
    i.count(abi.S_AUTH_FAILURE);
    return fail(i, abi.S_AH_SPI_ERR, abi.RX_AH_BAD_SPI);
  }
  const seq = ah.seqOf(a);
  if (seq <= i.ahSeq) {
    i.count(abi.S_AUTH_FAILURE);
    return fail(i, abi.S_AH_REPLAY, abi.RX_AH_REPLAY);
  }
  i.ahSeq = seq;
  ahSeqRx = seq;
  if (i.state == abi.STATE_BACKUP) i.ahCycle = false;
  return abi.RX_OK;
}

/** Runs checks #1..#15 of §10.2 for instance i; returns RX_OK or the verdict. */
export function check(i: Instance): i32 {
  const msg = ip.msg;
  const len = ip.msgLen;
  const unicast = i.has(abi.F_UNICAST);
  // #1 AH present exactly when configured (IPv4)
  if (i.family == 4 && ip.hasAh != (i.authType == 2)) {
    i.count(abi.S_AUTHTYPE_MISMATCH); // keepalived's counter for it
    return fail(i, abi.S_AH_MISMATCH, abi.RX_AH_MISMATCH);
  }
  // #2 exact length for the packet's own version (as keepalived computes it: IPv6 has no v2 auth data) and count
  if (len != advertLen(i.family == 4 ? version(msg) : 3, count(msg), i.alen)) return fail(i, abi.S_PACKET_LEN_ERR, abi.RX_BAD_LENGTH);
  // #3 TTL / hop limit 255, multicast only (unicast peers may set their own TTL limits, #15)
  if (!unicast && ip.ttl != 255) return fail(i, abi.S_IP_TTL_ERR, abi.RX_BAD_TTL);
  // #4 version
  if (version(msg) != i.version) return fail(i, abi.S_VERSION_ERR, abi.RX_BAD_VERSION);
  // #6 v2 authentication
  if (i.version == 2) {
    const at = authType(msg);
    if (at > 2) return fail(i, abi.S_INVALID_AUTHTYPE, abi.RX_BAD_AUTH_TYPE);
    if (at != i.authType) return fail(i, abi.S_AUTHTYPE_MISMATCH, abi.RX_AUTH_TYPE_MISMATCH);
    if (at == 1) {
      const theirs = load<u64>(msg + HDR_LEN + count(msg) * 4);
      if (theirs != load<u64>(changetype<usize>(i.authPass))) return fail(i, abi.S_AUTH_FAILURE, abi.RX_AUTH_FAILURE);
    } else if (at == 2) {
      const v = checkAh(i, unicast);
      if (v != abi.RX_OK) return v;
    }
    // #7 v2 interval must match: ignored, not an error (the backup keeps counting down)
    if (intervalV2(msg) != i.adverIntWire) return fail(i, abi.S_ADVERT_INTERVAL_ERR, abi.RX_INTERVAL_MISMATCH);
  }
  // #8 type
  if (msgType(msg) != TYPE_ADVERT) return fail(i, abi.S_INVALID_TYPE_RCVD, abi.RX_BAD_TYPE);
  // #14a address count, when check_vip_addr holds: always as master; as backup unless skip_check_adv_addr is set
  // and the sender is the master we already know
  const knownMaster = i.masterPriority >= 0 && memory.compare(changetype<usize>(i.masterAddr), ip.src, i.alen) == 0;
  const checkAddrs = i.state == abi.STATE_MASTER || !i.has(abi.F_SKIP_CHECK_ADV_ADDR) || !knownMaster;
  const countOk = count(msg) == i.naddr;
  if (checkAddrs && !countOk) {
    i.count(abi.S_ADDR_LIST_ERR);
    if (!i.has(abi.F_ADDR_LIST_ACCEPT)) return abi.RX_ADDR_LIST;
  }
  // #9 IPv4 total length against what arrived (Ethernet padding tolerated)
  if (!ip.ipLenOk) return fail(i, abi.S_IP_LEN_ERR, abi.RX_BAD_IP_LENGTH);
  // #10 v3 interval: a different one is learned later; zero is meaningless (RFC 9568 erratum 8301)
  if (i.version == 3 && intervalV3(msg) == 0) return fail(i, abi.S_INTERVAL_ZERO, abi.RX_BAD_INTERVAL);
  // #11 checksum
  csumForm = matchChecksum(msg, len, i.family, i.has(abi.F_V3_CHECKSUM_AS_V2), unicast, ip.src, ip.dst);
  if (csumForm == abi.CSUM_NONE) return fail(i, abi.S_CHECKSUM_ERR, abi.RX_BAD_CHECKSUM);
  // #12 multicast destination exactly when we are not unicast
  if (isMulticast(i.family, ip.dst) == unicast) return fail(i, abi.S_MCAST_MISMATCH, abi.RX_MCAST_MISMATCH);
  // #13 an owner told to ignore adverts
  if (i.has(abi.F_OWNER_IGNORE_ADVERTS) && i.basePriority == 255) return fail(i, abi.S_OWNER_IGNORED, abi.RX_OWNER_IGNORES);
  // #14b the addresses, same count (a count mismatch was settled at #14a)
  if (checkAddrs && countOk && !sameAddresses(i, msg)) {
    i.count(abi.S_ADDR_LIST_ERR);
    if (!i.has(abi.F_ADDR_LIST_ACCEPT)) return fail(i, abi.S_ADDR_MISSING_DROP, abi.RX_ADDR_LIST);
  }
  // #15 unicast source must be a peer; a peer may bound the TTL
  if (unicast && (i.has(abi.F_CHECK_UNICAST_SRC) || i.has(abi.F_PEER_TTL_LIMITS))) {
    const k = peerIndex(i, ip.src);
    if (k < 0) return fail(i, abi.S_UNICAST_SRC_ERR, abi.RX_UNICAST_SRC);
    if (ip.ttl < <i32>unchecked(i.peerMinTtl[k]) || ip.ttl > <i32>unchecked(i.peerMaxTtl[k])) {
      return fail(i, abi.S_PEER_TTL_DROP, abi.RX_PEER_TTL_RANGE);
    }
  }
  if (csumForm == abi.CSUM_PLAIN) i.count(abi.S_CSUM_PLAIN);
  else if (csumForm == abi.CSUM_PSEUDO) i.count(abi.S_CSUM_PSEUDO);
  else i.count(abi.S_CSUM_OLD_UNICAST);
  return abi.RX_OK;
}

