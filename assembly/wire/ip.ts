// Finds the VRRP message inside what the host received. IPv4 arrives with its header (raw sockets deliver
// it), so TTL, addresses and lengths come from there; IPv6 arrives as the payload with the addresses in RX and
// the hop limit passed alongside. Results land in the module's fields, not in an allocated object.
import {
  ADDR_OFF, RX_BAD_IP_HEADER, RX_BAD_PROTOCOL, RX_OK, RX_TOO_SHORT, RX_TRUNCATED,
} from '../abi';
import { HDR_LEN, PROTO_AH, PROTO_VRRP, be16 } from './advert';
import { AH_LEN } from './ah';

export let msg: usize = 0;      // the VRRP message
export let msgLen: i32 = 0;     // its length by the IP header (IPv4) or as received (IPv6)
export let ttl: i32 = 0;
export let src: usize = 0;
export let dst: usize = 0;
export let hasAh: bool = false;
export let ipHdr: usize = 0;    // IPv4: the header (the AH ICV covers it)
export let ihl: i32 = 0;
export let ipTotal: i32 = 0;    // IPv4 total length
export let ipLenOk: bool = true; // false: the IPv4 total length disagrees with what was received (check #9)

// Ethernet pads frames to 60 bytes, so an IP packet of up to 46 bytes may arrive with trailing padding when a
// host reads frames rather than IP datagrams.
// @ts-ignore: decorator
@inline const MIN_ETH_PAYLOAD: i32 = 46;

/** Locates the message in RX; returns RX_OK or a negative reason. */
export function locate(rx: usize, family: i32, hopLimit: i32, len: i32): i32 {
  const data = rx + ADDR_OFF;
  hasAh = false;
  ipLenOk = true;
  if (family == 6) {
    if (len < HDR_LEN) return RX_TOO_SHORT;
    msg = data;
    msgLen = len;
    ttl = hopLimit;
    src = rx;
    dst = rx + 16;
    return RX_OK;
  }
  if (len < 20) return RX_TOO_SHORT;
  const vihl = <i32>load<u8>(data);
  const hdrLen = (vihl & 0xf) << 2;
  if ((vihl >> 4) != 4 || hdrLen < 20 || hdrLen > len) return RX_BAD_IP_HEADER;
  const totLen = be16(data + 2);
  if (totLen < hdrLen) return RX_BAD_IP_HEADER;
  if (totLen > len) return RX_TRUNCATED;
  ipLenOk = totLen == len || (len <= MIN_ETH_PAYLOAD);
  ttl = load<u8>(data, 8);
  ipHdr = data;
  ihl = hdrLen;
  ipTotal = totLen;
  src = data + 12;
  dst = data + 16;
  let off = hdrLen;
  const proto = <i32>load<u8>(data, 9);
  if (proto == PROTO_AH) {
    // keepalived's AH header is always 24 bytes (HMAC-MD5-96); it does not read the length field, nor do we.
    if (off + AH_LEN > totLen) return RX_TOO_SHORT;
    hasAh = true;
    off += AH_LEN;
  } else if (proto != PROTO_VRRP) {
    return RX_BAD_PROTOCOL;
  }
  if (off + HDR_LEN > totLen) return RX_TOO_SHORT;
  msg = data + off;
  msgLen = totLen - off;
  return RX_OK;
}

