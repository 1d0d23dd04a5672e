// Names for the core's numbers, in keepalived's words where keepalived has words.
import * as abi from './abi.ts';

export type StateName = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';
export const STATE_NAMES: readonly StateName[] = ['INIT', 'BACKUP', 'MASTER', 'FAULT'];

export type ReasonName =
  | 'startup' | 'owner' | 'master-down' | 'higher-priority' | 'fault' | 'fault-cleared' | 'shutdown' | 'priority-zero'
  | 'sync-group' | 'preempt' | 'overslept';
export const REASON_NAMES: readonly ReasonName[] = [
  'startup', 'owner', 'master-down', 'higher-priority', 'fault', 'fault-cleared', 'shutdown', 'priority-zero',
  'sync-group', 'preempt', 'overslept',
];

export type AnnounceCause = 'become-master' | 'delayed' | 'refresh' | 'lower-priority';
export const ANNOUNCE_CAUSES: readonly AnnounceCause[] = ['become-master', 'delayed', 'refresh', 'lower-priority'];

/** Receive verdicts by code: 0 accepted, >0 ignored by design, <0 invalid. */
export const RX_NAMES: Readonly<Record<number, string>> = {
  [abi.RX_OK]: 'ok',
  [abi.RX_UNKNOWN_VRID]: 'unknown-vrid',
  [abi.RX_NOT_RUNNING]: 'not-running',
  [abi.RX_INTERVAL_MISMATCH]: 'interval-mismatch',
  [abi.RX_OWNER_IGNORES]: 'owner-ignores-adverts',
  [abi.RX_PEER_TTL_RANGE]: 'peer-ttl-out-of-range',
  [abi.RX_AH_NOT_VRRP]: 'ah-not-vrrp',
  [abi.RX_TOO_SHORT]: 'too-short',
  [abi.RX_BAD_IP_HEADER]: 'bad-ip-header',
  [abi.RX_BAD_PROTOCOL]: 'bad-protocol',
  [abi.RX_TRUNCATED]: 'truncated',
  [abi.RX_AH_MISMATCH]: 'ah-mismatch',
  [abi.RX_BAD_LENGTH]: 'bad-length',
  [abi.RX_BAD_TTL]: 'bad-ttl',
  [abi.RX_BAD_VERSION]: 'bad-version',
  [abi.RX_BAD_AUTH_TYPE]: 'bad-auth-type',
  [abi.RX_AUTH_TYPE_MISMATCH]: 'auth-type-mismatch',
  [abi.RX_AUTH_FAILURE]: 'auth-failure',
  [abi.RX_BAD_TYPE]: 'bad-type',
  [abi.RX_BAD_IP_LENGTH]: 'bad-ip-length',
  [abi.RX_BAD_INTERVAL]: 'bad-interval',
  [abi.RX_BAD_CHECKSUM]: 'bad-checksum',
  [abi.RX_MCAST_MISMATCH]: 'multicast-unicast-mismatch',
  [abi.RX_ADDR_LIST]: 'address-list-mismatch',
  [abi.RX_UNICAST_SRC]: 'unicast-source-not-peer',
  [abi.RX_BAD_FAMILY]: 'bad-family',
  [abi.RX_AH_BAD_ICV]: 'ah-bad-icv',
  [abi.RX_AH_BAD_SPI]: 'ah-bad-spi',
  [abi.RX_AH_REPLAY]: 'ah-replay',
};

/** keepalived's log wording for each invalid verdict. */
export const RX_MESSAGES: Readonly<Record<number, string>> = {
  [abi.RX_TOO_SHORT]: 'ip/vrrp header too short',
  [abi.RX_BAD_IP_HEADER]: 'invalid IP header',
  [abi.RX_BAD_PROTOCOL]: 'IP protocol is neither VRRP nor AH',
  [abi.RX_TRUNCATED]: 'packet truncated',
  [abi.RX_AH_MISMATCH]: 'AH header presence does not match the configured auth type',
  [abi.RX_BAD_LENGTH]: 'packet length does not match the address count',
  [abi.RX_BAD_TTL]: 'invalid TTL/HL',
  [abi.RX_BAD_VERSION]: 'wrong version',
  [abi.RX_BAD_AUTH_TYPE]: 'invalid auth type',
  [abi.RX_AUTH_TYPE_MISMATCH]: 'received a packet with a different auth type',
  [abi.RX_AUTH_FAILURE]: 'received an invalid passwd',
  [abi.RX_BAD_TYPE]: 'invalid packet type',
  [abi.RX_BAD_IP_LENGTH]: 'IP total length does not match the received length',
  [abi.RX_BAD_INTERVAL]: 'advertisement interval 0',
  [abi.RX_BAD_CHECKSUM]: 'invalid VRRP checksum',
  [abi.RX_MCAST_MISMATCH]: 'multicast/unicast destination does not match the instance',
  [abi.RX_ADDR_LIST]: 'ignoring advert: address list does not match the configured VIPs',
  [abi.RX_UNICAST_SRC]: 'unicast source is not a configured peer',
  [abi.RX_BAD_FAMILY]: 'bad family or length from the host',
  [abi.RX_AH_BAD_ICV]: 'IPSEC-AH : invalid IPSEC HMAC-MD5 value. Due to fields mutation or bad password !',
  [abi.RX_AH_BAD_SPI]: 'IPSEC AH : invalid IPSEC SPI value (not the source address)',
  [abi.RX_AH_REPLAY]: 'IPSEC-AH : sequence number already processed. Packet dropped',
};

export const STAT_NAMES = [
  'advert_rcvd', 'advert_sent', 'become_master', 'release_master', 'packet_len_err', 'advert_interval_err',
  'ip_ttl_err', 'invalid_type_rcvd', 'addr_list_err', 'invalid_authtype', 'authtype_mismatch', 'auth_failure',
  'pri_zero_rcvd', 'pri_zero_sent',
  'version_err', 'checksum_err', 'ip_len_err', 'mcast_mismatch', 'unicast_src_err', 'peer_ttl_drop',
  'owner_ignored', 'interval_adopted', 'csum_plain', 'csum_pseudo', 'csum_old_unicast', 'lower_prio_rcvd',
  'not_running_drop', 'interval_zero', 'ah_mismatch', 'claim_started', 'claim_yielded', 'addr_missing_drop',
  'ah_icv_err', 'ah_spi_err', 'ah_replay', 'ah_other_drop',
] as const;
export type StatName = (typeof STAT_NAMES)[number];
/** The core's counters, one per cause (Core.stats): each refusal is counted once, under the check that made it. */
export type Stats = Record<StatName, number>;
/** What vipd reports (status, dumps): keepalived's fields as keepalived counts them, plus `advert_accepted`. */
export type ReportedStats = Stats & { advert_accepted: number };

/**
 * The core's counters in keepalived 2.2.7's terms (vrrp_check_packet), for everything that shows keepalived's
 * field names: keepalived.stats, the JSON dump and `vipd status`. keepalived puts several causes under one name,
 * and counts an advert as received before its last checks:
 * - packet_len_err: also an IPv4 total length that disagrees with what arrived (vipd's ip_len_err);
 * - ip_ttl_err: also a unicast peer's TTL outside its min_ttl..max_ttl (peer_ttl_drop);
 * - addr_list_err: also a multicast advert at a unicast instance or the reverse (mcast_mismatch);
 * - advert_rcvd: also the adverts refused after the multicast check: other addresses with the right count
 *   (addr_missing_drop), a source that is no peer (unicast_src_err), a peer TTL out of range.
 * vipd's own counters keep their single meaning beside them, and `advert_accepted` is what the core accepted.
 * Applying it to stats already converted changes nothing.
 */
export function keepalivedStats(s: Stats | ReportedStats): ReportedStats {
  if ('advert_accepted' in s) return s;
  return {
    ...s,
    advert_rcvd: s.advert_rcvd + s.addr_missing_drop + s.unicast_src_err + s.peer_ttl_drop,
    packet_len_err: s.packet_len_err + s.ip_len_err,
    ip_ttl_err: s.ip_ttl_err + s.peer_ttl_drop,
    addr_list_err: s.addr_list_err + s.mcast_mismatch,
    advert_accepted: s.advert_rcvd,
  };
}

export const GSTAT_NAMES = ['too_short', 'bad_ip_header', 'bad_protocol', 'truncated', 'unknown_vrid', 'bad_family'] as const;
export type GlobalStats = Record<(typeof GSTAT_NAMES)[number], number>;

export const CSUM_NAMES = ['none', 'plain', 'pseudo-header', 'old-unicast'] as const;
export type ChecksumForm = (typeof CSUM_NAMES)[number];
