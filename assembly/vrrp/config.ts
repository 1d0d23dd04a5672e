// Reads one instance's configuration from the CFG region (layout in abi.ts). Cold path: may allocate.
import * as abi from '../abi';
import { Instance } from './instance';
import { roundInterval, wireToUs } from './timers';
import { hmacKey } from '../wire/md5';

/** Validates CFG and, when it is sound, writes it into `i`. Returns CFG_OK or a negative CFG_* code. */
export function readConfig(i: Instance, cfg: usize, len: i32, allowPriorityZero: bool): i32 {
  if (len < abi.CFG_ADDRS || len > abi.CFG_CAP) return abi.CFG_BAD_LENGTH;
  const version = <i32>load<u8>(cfg + abi.CFG_VERSION);
  const family = <i32>load<u8>(cfg + abi.CFG_FAMILY);
  const vrid = <i32>load<u8>(cfg + abi.CFG_VRID);
  const prio = <i32>load<u8>(cfg + abi.CFG_PRIORITY);
  const naddr = <i32>load<u16>(cfg + abi.CFG_NADDR);
  const npeers = <i32>load<u16>(cfg + abi.CFG_NPEERS);
  const sock = load<i32>(cfg + abi.CFG_SOCKET);
  if (family != 4 && family != 6) return abi.CFG_BAD_FAMILY;
  if ((version != 2 && version != 3) || (family == 6 && version == 2)) return abi.CFG_BAD_VERSION;
  if (vrid < 1) return abi.CFG_BAD_VRID;
  if (prio < 1 && !allowPriorityZero) return abi.CFG_BAD_PRIORITY;
  if (sock < 0 || sock >= 65536) return abi.CFG_BAD_SOCKET;
  if (naddr > 255) return abi.CFG_TOO_MANY_ADDRS;
  const authType = <i32>load<u8>(cfg + abi.CFG_AUTH_TYPE);
  if (authType > 2 || (authType == 2 && (version != 2 || family != 4))) return abi.CFG_BAD_AUTH;
  if (len < abi.CFG_ADDRS + naddr * 16 + npeers * abi.CFG_PEER_SIZE) return abi.CFG_BAD_LENGTH;

  i.version = version;
  i.family = family;
  i.vrid = vrid;
  i.sock = sock;
  i.alen = family == 4 ? 4 : 16;
  i.basePriority = prio;
  i.adverIntWire = roundInterval(version, <i64>load<u32>(cfg + abi.CFG_ADVERT_US));
  i.adverIntUs = wireToUs(version, i.adverIntWire);
  i.flags = load<u32>(cfg + abi.CFG_FLAGS);
  i.preemptDelayUs = <i64>load<u32>(cfg + abi.CFG_PREEMPT_DELAY_US);
  const down = <i32>load<u8>(cfg + abi.CFG_DOWN_ADVERTS);
  i.downAdverts = down < 1 ? 3 : down > 100 ? 100 : down;
  i.garpRepeat = load<u8>(cfg + abi.CFG_GARP_REPEAT);
  i.garpLowerRepeat = load<u8>(cfg + abi.CFG_GARP_LOWER_REPEAT);
  i.garpRefreshRepeat = load<u8>(cfg + abi.CFG_GARP_REFRESH_REPEAT);
  i.garpDelayUs = <i64>load<u32>(cfg + abi.CFG_GARP_DELAY_US);
  i.garpLowerDelayUs = <i64>load<u32>(cfg + abi.CFG_GARP_LOWER_DELAY_US);
  i.garpRefreshUs = <i64>load<u32>(cfg + abi.CFG_GARP_REFRESH_US);
  i.authType = authType;
  const ttl = <i32>load<u8>(cfg + abi.CFG_TX_TTL);
  i.txTtl = ttl == 0 ? 255 : ttl;
  i.syncGroup = load<u16>(cfg + abi.CFG_SYNC_GROUP);
  memory.copy(changetype<usize>(i.authPass), cfg + abi.CFG_AUTH_PASS, 8);
  if (authType == 2) hmacKey(changetype<usize>(i.authPass), 8, changetype<usize>(i.ahInner), changetype<usize>(i.ahOuter));
  memory.copy(changetype<usize>(i.src), cfg + abi.CFG_SRC, 16);
  memory.copy(changetype<usize>(i.group), cfg + abi.CFG_GROUP, 16);

  const alen = i.alen;
  if (i.naddr != naddr || i.addrs.length != naddr * alen) i.addrs = new StaticArray<u8>(naddr * alen);
  i.naddr = naddr;
  const a = cfg + abi.CFG_ADDRS;
  for (let k = 0; k < naddr; k++) memory.copy(changetype<usize>(i.addrs) + k * alen, a + k * 16, alen);

  i.npeers = npeers;
  i.peers = new StaticArray<u8>(npeers * 16);
  i.peerMinTtl = new StaticArray<u8>(npeers);
  i.peerMaxTtl = new StaticArray<u8>(npeers);
  const p = a + naddr * 16;
  for (let k = 0; k < npeers; k++) {
    const e = p + k * abi.CFG_PEER_SIZE;
    memory.copy(changetype<usize>(i.peers) + (k << 4), e, 16);
    unchecked(i.peerMinTtl[k] = load<u8>(e + 16));
    const mx = load<u8>(e + 17);
    unchecked(i.peerMaxTtl[k] = mx == 0 ? 255 : mx);
  }
  return abi.CFG_OK;
}
