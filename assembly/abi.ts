// The binary contract between the core and its host. host/core/abi.ts mirrors every constant here, and
// test/host/abi.test.ts checks that the two agree with the built module. Bump ABI_VERSION on any change.

// @ts-ignore: decorator
@inline export const ABI_VERSION: i32 = 8;

// ---- Regions (static, from memory.data; the host reaches them through the *Ptr() exports) ----
// RX: [0,16) source address, [16,32) destination address (IPv6 only; IPv4 takes both from its header),
//     [32, 32+RX_CAP) the datagram: the whole IPv4 packet with its header, or the IPv6 payload (VRRP message).
// @ts-ignore: decorator
@inline export const RX_CAP: i32 = 4224;
// TX: [0,16) source, [16,32) destination, [32, 32+TX_CAP) the VRRP message (no IP header), written by the core;
//     for an AH instance (auth type 2) the whole IPv4 packet instead: header, AH header, message (send it with IP_HDRINCL).
// @ts-ignore: decorator
@inline export const TX_CAP: i32 = 4160;
// CFG: one instance configuration, laid out as the CFG_* offsets below.
// @ts-ignore: decorator
@inline export const CFG_CAP: i32 = 8192;
// OUT: one output record (OUT_* offsets). INFO: inspect()/stats()/decode results.
// @ts-ignore: decorator
@inline export const OUT_CAP: i32 = 64;
// @ts-ignore: decorator
@inline export const INFO_CAP: i32 = 512;
// @ts-ignore: decorator
@inline export const ADDR_OFF: i32 = 32; // where the datagram starts in RX and the message in TX

// ---- Output records: pollOutput() returns the kind and fills OUT ----
// i32 at 0 kind, 4 handle, 8 a, 12 b, 16 c, 20 d; f64 at 24 t.
// @ts-ignore: decorator
@inline export const OUT_TIMEOUT: i32 = 0;   // t = next deadline in µs (Infinity: none). Ends the drain.
// @ts-ignore: decorator
@inline export const OUT_TRANSMIT: i32 = 1;  // a = message length in TX, b = family, c = socket id, d = peer index (-1: group)
// @ts-ignore: decorator
@inline export const OUT_STATE: i32 = 2;     // a = from, b = to, c = reason
// @ts-ignore: decorator
@inline export const OUT_VIP_ADD: i32 = 3;   // the instance's addresses (VIPs, routes, rules) go up
// @ts-ignore: decorator
@inline export const OUT_VIP_DEL: i32 = 4;   // ... and come down
// @ts-ignore: decorator
@inline export const OUT_ANNOUNCE: i32 = 5;  // a = rounds of GARP/NA per VIP to send now, b = ANNOUNCE_* cause
// @ts-ignore: decorator
@inline export const OUT_PRIORITY: i32 = 6;  // a = old effective priority, b = new
// @ts-ignore: decorator
@inline export const OUT_RX_LOWER: i32 = 7;  // master heard a lower priority: a = its priority; sender at OUT+32 (16 bytes)
// @ts-ignore: decorator
@inline export const OUT_NEW_MASTER: i32 = 8; // backup (or a yielding master) follows a new master: a = priority; address at OUT+32

// @ts-ignore: decorator
@inline export const ANNOUNCE_BECOME_MASTER: i32 = 0;
// @ts-ignore: decorator
@inline export const ANNOUNCE_DELAYED: i32 = 1;
// @ts-ignore: decorator
@inline export const ANNOUNCE_REFRESH: i32 = 2;
// @ts-ignore: decorator
@inline export const ANNOUNCE_LOWER_PRIO: i32 = 3;

// ---- States (keepalived's numbers) ----
// @ts-ignore: decorator
@inline export const STATE_INIT: i32 = 0;
// @ts-ignore: decorator
@inline export const STATE_BACKUP: i32 = 1;
// @ts-ignore: decorator
@inline export const STATE_MASTER: i32 = 2;
// @ts-ignore: decorator
@inline export const STATE_FAULT: i32 = 3;

// ---- Why a state changed ----
// @ts-ignore: decorator
@inline export const WHY_STARTUP: i32 = 0;        // start(): INIT -> BACKUP
// @ts-ignore: decorator
@inline export const WHY_OWNER: i32 = 1;          // start() or fault cleared as priority-255 owner -> MASTER
// @ts-ignore: decorator
@inline export const WHY_MASTER_DOWN: i32 = 2;    // Master_Down_Timer fired
// @ts-ignore: decorator
@inline export const WHY_HIGHER_PRIORITY: i32 = 3; // master heard a better advert
// @ts-ignore: decorator
@inline export const WHY_FAULT: i32 = 4;
// @ts-ignore: decorator
@inline export const WHY_FAULT_CLEARED: i32 = 5;
// @ts-ignore: decorator
@inline export const WHY_SHUTDOWN: i32 = 6;
// @ts-ignore: decorator
@inline export const WHY_PRIORITY_ZERO: i32 = 7;  // the old master resigned; we waited Skew_Time
// @ts-ignore: decorator
@inline export const WHY_SYNC_GROUP: i32 = 8;     // another member of the vrrp_sync_group moved, and this one followed
// @ts-ignore: decorator
@inline export const WHY_PREEMPT: i32 = 9;        // fast preemption: a backup heard a lower-priority master
// @ts-ignore: decorator
@inline export const WHY_OVERSLEPT: i32 = 10;     // a master woke more than Master_Down_Interval late: someone else may be master

// ---- Receive verdicts: handleDatagram() returns 0 (accepted), >0 ignored by design, <0 invalid ----
// The negative codes follow keepalived's vrrp_check_packet order (keepalived-behaviour.md §10.2).
// @ts-ignore: decorator
@inline export const RX_OK: i32 = 0;
// @ts-ignore: decorator
@inline export const RX_UNKNOWN_VRID: i32 = 1;       // no instance for (socket, VRID)
// @ts-ignore: decorator
@inline export const RX_NOT_RUNNING: i32 = 2;        // instance in INIT or FAULT
// @ts-ignore: decorator
@inline export const RX_INTERVAL_MISMATCH: i32 = 3;  // v2 advert interval differs: dropped (§10.2 #7)
// @ts-ignore: decorator
@inline export const RX_OWNER_IGNORES: i32 = 4;      // owner_ignore_adverts on a priority-255 instance
// @ts-ignore: decorator
@inline export const RX_PEER_TTL_RANGE: i32 = 5;     // unicast peer TTL outside [min_ttl, max_ttl]
// @ts-ignore: decorator
@inline export const RX_AH_NOT_VRRP: i32 = 6;        // #6 an AH header whose next header is not VRRP: not ours
// @ts-ignore: decorator
@inline export const RX_TOO_SHORT: i32 = -1;         // shorter than the IP and VRRP headers
// @ts-ignore: decorator
@inline export const RX_BAD_IP_HEADER: i32 = -2;     // not IPv4, or a header length that does not fit
// @ts-ignore: decorator
@inline export const RX_BAD_PROTOCOL: i32 = -3;      // IP protocol neither 112 nor 51
// @ts-ignore: decorator
@inline export const RX_TRUNCATED: i32 = -4;         // IP total length beyond the bytes received
// @ts-ignore: decorator
@inline export const RX_AH_MISMATCH: i32 = -5;       // #1 AH header present <=> auth_type AH
// @ts-ignore: decorator
@inline export const RX_BAD_LENGTH: i32 = -6;        // #2 length != headers + count x address size
// @ts-ignore: decorator
@inline export const RX_BAD_TTL: i32 = -7;           // #3 TTL / hop limit != 255 (multicast)
// @ts-ignore: decorator
@inline export const RX_BAD_VERSION: i32 = -8;       // #4
// @ts-ignore: decorator
@inline export const RX_BAD_AUTH_TYPE: i32 = -9;     // #6 auth type not 0, 1 or 2
// @ts-ignore: decorator
@inline export const RX_AUTH_TYPE_MISMATCH: i32 = -10; // #6 auth type != configured
// @ts-ignore: decorator
@inline export const RX_AUTH_FAILURE: i32 = -11;     // #6 password differs
// @ts-ignore: decorator
@inline export const RX_BAD_TYPE: i32 = -12;         // #8 type != 1
// @ts-ignore: decorator
@inline export const RX_BAD_IP_LENGTH: i32 = -13;    // #9 IPv4 total length != received (beyond Ethernet padding)
// @ts-ignore: decorator
@inline export const RX_BAD_INTERVAL: i32 = -14;     // v3 interval 0 (RFC 9568 erratum 8301)
// @ts-ignore: decorator
@inline export const RX_BAD_CHECKSUM: i32 = -15;     // #11
// @ts-ignore: decorator
@inline export const RX_MCAST_MISMATCH: i32 = -16;   // #12 multicast destination <=> instance not unicast
// @ts-ignore: decorator
@inline export const RX_ADDR_LIST: i32 = -17;        // #14 address list differs (2.2.7 rejects)
// @ts-ignore: decorator
@inline export const RX_UNICAST_SRC: i32 = -18;      // #15 unicast source not a configured peer
// @ts-ignore: decorator
@inline export const RX_BAD_FAMILY: i32 = -19;       // family neither 4 nor 6, or length beyond RX_CAP (host misuse)
// @ts-ignore: decorator
@inline export const RX_AH_BAD_ICV: i32 = -20;       // #6 AH: the ICV (HMAC-MD5-96) is wrong: another password, or a changed packet
// @ts-ignore: decorator
@inline export const RX_AH_BAD_SPI: i32 = -21;       // #6 AH: the SPI is not the source address
// @ts-ignore: decorator
@inline export const RX_AH_REPLAY: i32 = -22;        // #6 AH: sequence number not above the last one seen

// ---- Checksum forms a received v3 advert matched (INFO and counters) ----
// @ts-ignore: decorator
@inline export const CSUM_NONE: i32 = 0;
// @ts-ignore: decorator
@inline export const CSUM_PLAIN: i32 = 1;       // message only (v2; v3 with v3_checksum_as_v2 / RFC 9568 IPv4)
// @ts-ignore: decorator
@inline export const CSUM_PSEUDO: i32 = 2;      // with the IP pseudo-header (v3 default, and always for IPv6)
// @ts-ignore: decorator
@inline export const CSUM_OLD_UNICAST: i32 = 3; // pseudo-header naming 224.0.0.18 for a unicast advert (keepalived <= 1.3.6)

// ---- Instance configuration (CFG region; little-endian) ----
// @ts-ignore: decorator
@inline export const CFG_VERSION: i32 = 0;        // u8 2 | 3
// @ts-ignore: decorator
@inline export const CFG_FAMILY: i32 = 1;         // u8 4 | 6
// @ts-ignore: decorator
@inline export const CFG_VRID: i32 = 2;           // u8 1..255
// @ts-ignore: decorator
@inline export const CFG_PRIORITY: i32 = 3;       // u8 1..255 (base priority; 255 = address owner)
// @ts-ignore: decorator
@inline export const CFG_ADVERT_US: i32 = 4;      // u32 configured advert_int in µs (the core rounds it)
// @ts-ignore: decorator
@inline export const CFG_FLAGS: i32 = 8;          // u32 F_* bits
// @ts-ignore: decorator
@inline export const CFG_PREEMPT_DELAY_US: i32 = 12; // u32
// @ts-ignore: decorator
@inline export const CFG_DOWN_ADVERTS: i32 = 16;  // u8 1..100 (down_timer_adverts, normally 3)
// @ts-ignore: decorator
@inline export const CFG_GARP_REPEAT: i32 = 17;   // u8 garp_master_repeat
// @ts-ignore: decorator
@inline export const CFG_GARP_LOWER_REPEAT: i32 = 18; // u8 garp_lower_prio_repeat
// @ts-ignore: decorator
@inline export const CFG_GARP_REFRESH_REPEAT: i32 = 19; // u8 garp_master_refresh_repeat
// @ts-ignore: decorator
@inline export const CFG_GARP_DELAY_US: i32 = 20; // u32 garp_master_delay (0: no second burst)
// @ts-ignore: decorator
@inline export const CFG_GARP_LOWER_DELAY_US: i32 = 24; // u32 garp_lower_prio_delay
// @ts-ignore: decorator
@inline export const CFG_GARP_REFRESH_US: i32 = 28; // u32 garp_master_refresh (0: off)
// @ts-ignore: decorator
@inline export const CFG_SOCKET: i32 = 32;        // i32 host's socket id (family, interface, group or unicast source)
// @ts-ignore: decorator
@inline export const CFG_NADDR: i32 = 36;         // u16 advertised addresses (at most 255)
// @ts-ignore: decorator
@inline export const CFG_NPEERS: i32 = 38;        // u16 unicast peers
// @ts-ignore: decorator
@inline export const CFG_AUTH_TYPE: i32 = 40;     // u8 0 none, 1 PASS, 2 AH (VRRPv2 over IPv4 only)
// @ts-ignore: decorator
@inline export const CFG_TX_TTL: i32 = 41;        // u8 TTL of the IPv4 header the core writes for AH (unicast_ttl; 0 means 255)
// @ts-ignore: decorator
@inline export const CFG_SYNC_GROUP: i32 = 42;    // u16 vrrp_sync_group id + 1 (0: none); members move together
// @ts-ignore: decorator
@inline export const CFG_AUTH_PASS: i32 = 44;     // 8 bytes, zero padded
// @ts-ignore: decorator
@inline export const CFG_SRC: i32 = 52;           // 16 bytes: our source address (IPv4 in the first 4)
// @ts-ignore: decorator
@inline export const CFG_GROUP: i32 = 68;         // 16 bytes: multicast destination
// @ts-ignore: decorator
@inline export const CFG_ADDRS: i32 = 84;         // naddr x 16 bytes, then npeers x CFG_PEER_SIZE
// @ts-ignore: decorator
@inline export const CFG_PEER_SIZE: i32 = 20;     // 16 address + u8 min_ttl + u8 max_ttl + 2 pad

// @ts-ignore: decorator
@inline export const F_NOPREEMPT: u32 = 1 << 0;
// @ts-ignore: decorator
@inline export const F_V3_CHECKSUM_AS_V2: u32 = 1 << 1;
// @ts-ignore: decorator
@inline export const F_UNICAST: u32 = 1 << 2;
// @ts-ignore: decorator
@inline export const F_CHECK_UNICAST_SRC: u32 = 1 << 3;
// @ts-ignore: decorator
@inline export const F_LOWER_PRIO_NO_ADVERT: u32 = 1 << 4;
// @ts-ignore: decorator
@inline export const F_HIGHER_PRIO_SEND_ADVERT: u32 = 1 << 5;
// @ts-ignore: decorator
@inline export const F_OWNER_IGNORE_ADVERTS: u32 = 1 << 6;
// @ts-ignore: decorator
@inline export const F_SKIP_CHECK_ADV_ADDR: u32 = 1 << 7;
// @ts-ignore: decorator
@inline export const F_WANT_MASTER: u32 = 1 << 8;          // `state MASTER`
// @ts-ignore: decorator
@inline export const F_ADDR_LIST_ACCEPT: u32 = 1 << 9;     // keepalived >= 2.3.3: log an address-list mismatch, accept
// @ts-ignore: decorator
@inline export const F_PEER_TTL_LIMITS: u32 = 1 << 10;     // some peer has min_ttl / max_ttl
// @ts-ignore: decorator
@inline export const F_FAST_PREEMPT: u32 = 1 << 11;        // preempt on the first lower-priority advert, not Master_Down_Interval later
// @ts-ignore: decorator
@inline export const F_STARTUP_CLAIM: u32 = 1 << 12;       // first takeover after start: advertise, install VIPs a moment later
// @ts-ignore: decorator
@inline export const F_AH_SEQ_SKIP: u32 = 1 << 13;         // AH: a new master skips AH_SEQ_SKIP sequence numbers
// @ts-ignore: decorator
@inline export const AH_SEQ_SKIP: u32 = 16;

// configure() results
// @ts-ignore: decorator
@inline export const CFG_OK: i32 = 0;
// @ts-ignore: decorator
@inline export const CFG_BAD_HANDLE: i32 = -1;
// @ts-ignore: decorator
@inline export const CFG_BAD_LENGTH: i32 = -2;
// @ts-ignore: decorator
@inline export const CFG_BAD_VERSION: i32 = -3;
// @ts-ignore: decorator
@inline export const CFG_BAD_FAMILY: i32 = -4;
// @ts-ignore: decorator
@inline export const CFG_BAD_VRID: i32 = -5;
// @ts-ignore: decorator
@inline export const CFG_BAD_PRIORITY: i32 = -6;
// @ts-ignore: decorator
@inline export const CFG_DUPLICATE_VRID: i32 = -7;
// @ts-ignore: decorator
@inline export const CFG_BAD_SOCKET: i32 = -8;
// @ts-ignore: decorator
@inline export const CFG_TOO_MANY_ADDRS: i32 = -9;
// @ts-ignore: decorator
@inline export const CFG_IDENTITY_CHANGED: i32 = -10; // reconfigure may not change socket, VRID or family
// @ts-ignore: decorator
@inline export const CFG_GROUP_TOO_BIG: i32 = -11;   // a sync group has at most MAX_GROUP members
// @ts-ignore: decorator
@inline export const CFG_BAD_AUTH: i32 = -12;         // auth type above 2, or AH with VRRPv3 or IPv6
// @ts-ignore: decorator
@inline export const MAX_GROUP: i32 = 64;

// ---- Per-instance counters (stats() writes them as f64 into INFO, in this order) ----
// The first fourteen are keepalived's stats file, in its order.
// @ts-ignore: decorator
@inline export const S_ADVERT_RCVD: i32 = 0;
// @ts-ignore: decorator
@inline export const S_ADVERT_SENT: i32 = 1;
// @ts-ignore: decorator
@inline export const S_BECAME_MASTER: i32 = 2;
// @ts-ignore: decorator
@inline export const S_RELEASE_MASTER: i32 = 3;
// @ts-ignore: decorator
@inline export const S_PACKET_LEN_ERR: i32 = 4;
// @ts-ignore: decorator
@inline export const S_ADVERT_INTERVAL_ERR: i32 = 5;
// @ts-ignore: decorator
@inline export const S_IP_TTL_ERR: i32 = 6;
// @ts-ignore: decorator
@inline export const S_INVALID_TYPE_RCVD: i32 = 7;
// @ts-ignore: decorator
@inline export const S_ADDR_LIST_ERR: i32 = 8;
// @ts-ignore: decorator
@inline export const S_INVALID_AUTHTYPE: i32 = 9;
// @ts-ignore: decorator
@inline export const S_AUTHTYPE_MISMATCH: i32 = 10;
// @ts-ignore: decorator
@inline export const S_AUTH_FAILURE: i32 = 11;
// @ts-ignore: decorator
@inline export const S_PRI_ZERO_RCVD: i32 = 12;
// @ts-ignore: decorator
@inline export const S_PRI_ZERO_SENT: i32 = 13;
// vipd's own
// @ts-ignore: decorator
@inline export const S_VERSION_ERR: i32 = 14;
// @ts-ignore: decorator
@inline export const S_CHECKSUM_ERR: i32 = 15;
// @ts-ignore: decorator
@inline export const S_IP_LEN_ERR: i32 = 16;
// @ts-ignore: decorator
@inline export const S_MCAST_MISMATCH: i32 = 17;
// @ts-ignore: decorator
@inline export const S_UNICAST_SRC_ERR: i32 = 18;
// @ts-ignore: decorator
@inline export const S_PEER_TTL_DROP: i32 = 19;
// @ts-ignore: decorator
@inline export const S_OWNER_IGNORED: i32 = 20;
// @ts-ignore: decorator
@inline export const S_INTERVAL_ADOPTED: i32 = 21;   // v3 advert with another interval, accepted and learned
// @ts-ignore: decorator
@inline export const S_CSUM_PLAIN: i32 = 22;
// @ts-ignore: decorator
@inline export const S_CSUM_PSEUDO: i32 = 23;
// @ts-ignore: decorator
@inline export const S_CSUM_OLD_UNICAST: i32 = 24;
// @ts-ignore: decorator
@inline export const S_LOWER_PRIO_RCVD: i32 = 25;
// @ts-ignore: decorator
@inline export const S_NOT_RUNNING_DROP: i32 = 26;
// @ts-ignore: decorator
@inline export const S_INTERVAL_ZERO: i32 = 27;
// @ts-ignore: decorator
@inline export const S_AH_MISMATCH: i32 = 28;
// @ts-ignore: decorator
@inline export const S_CLAIM_STARTED: i32 = 29;      // a first takeover after start advertised before taking the VIPs
// @ts-ignore: decorator
@inline export const S_CLAIM_YIELDED: i32 = 30;      // ... and a better router answered within the claim window
// @ts-ignore: decorator
@inline export const S_ADDR_MISSING_DROP: i32 = 31;  // refused at #14b (right count, other addresses): received to keepalived
// @ts-ignore: decorator
@inline export const S_AH_ICV_ERR: i32 = 32;         // AH refusals, each also counted in S_AUTH_FAILURE (keepalived's one counter)
// @ts-ignore: decorator
@inline export const S_AH_SPI_ERR: i32 = 33;
// @ts-ignore: decorator
@inline export const S_AH_REPLAY: i32 = 34;
// @ts-ignore: decorator
@inline export const S_AH_OTHER_DROP: i32 = 35;      // AH for another protocol, ignored (keepalived drops it uncounted)
// @ts-ignore: decorator
@inline export const N_STATS: i32 = 36;

// Engine-wide counters for packets that never reach an instance (globalStats() into INFO as f64).
// @ts-ignore: decorator
@inline export const G_TOO_SHORT: i32 = 0;
// @ts-ignore: decorator
@inline export const G_BAD_IP_HEADER: i32 = 1;
// @ts-ignore: decorator
@inline export const G_BAD_PROTOCOL: i32 = 2;
// @ts-ignore: decorator
@inline export const G_TRUNCATED: i32 = 3;
// @ts-ignore: decorator
@inline export const G_UNKNOWN_VRID: i32 = 4;
// @ts-ignore: decorator
@inline export const G_BAD_FAMILY: i32 = 5;
// @ts-ignore: decorator
@inline export const N_GSTATS: i32 = 6;

// ---- inspect(handle) into INFO: i32 at 0 state, 4 effective priority, 8 base priority, 12 master priority
// (-1: none seen), 16 own interval cs, 20 learned master interval cs, 24 version, 28 family; f64 at 32 next
// deadline (Infinity none), 40 master-down deadline, 48 µs Master_Down_Interval; 64..80 master address.
// @ts-ignore: decorator
@inline export const INFO_MASTER_ADDR: i32 = 64;

// ---- decodeAdvert() into INFO: i32 at 0 version, 4 type, 8 vrid, 12 priority, 16 count, 20 interval field
// (v2 seconds, v3 centiseconds), 24 auth type (v2), 28 checksum field, 32 checksum form matched (CSUM_*),
// 36 TTL, 40 message offset in RX, 44 message length, 48 expected length; source at 64, destination at 80.
// @ts-ignore: decorator
@inline export const INFO_SRC: i32 = 64;
// @ts-ignore: decorator
@inline export const INFO_DST: i32 = 80;
