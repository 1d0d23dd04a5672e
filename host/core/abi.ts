// Mirror of assembly/abi.ts: the binary contract with the core. test/host/abi.test.ts checks that every
// constant here equals its twin in assembly/abi.ts and that the module exports what CoreExports lists.

export const ABI_VERSION = 8;

// ---- Regions (static, from memory.data; the host reaches them through the *Ptr() exports) ----
// RX: [0,16) source address, [16,32) destination address (IPv6 only; IPv4 takes both from its header),
//     [32, 32+RX_CAP) the datagram: the whole IPv4 packet with its header, or the IPv6 payload (VRRP message).
export const RX_CAP = 4224;
// TX: [0,16) source, [16,32) destination, [32, 32+TX_CAP) the VRRP message (no IP header), written by the core.
export const TX_CAP = 4160;
// CFG: one instance configuration, laid out as the CFG_* offsets below.
export const CFG_CAP = 8192;
// OUT: one output record (OUT_* offsets). INFO: inspect()/stats()/decode results.
export const OUT_CAP = 64;
export const INFO_CAP = 512;
export const ADDR_OFF = 32; // where the datagram starts in RX and the message in TX

// ---- Output records: pollOutput() returns the kind and fills OUT ----
// i32 at 0 kind, 4 handle, 8 a, 12 b, 16 c, 20 d; f64 at 24 t.
export const OUT_TIMEOUT = 0;   // t = next deadline in µs (Infinity: none). Ends the drain.
export const OUT_TRANSMIT = 1;  // a = message length in TX, b = family, c = socket id, d = peer index (-1: group)
export const OUT_STATE = 2;     // a = from, b = to, c = reason
export const OUT_VIP_ADD = 3;   // the instance's addresses (VIPs, routes, rules) go up
export const OUT_VIP_DEL = 4;   // ... and come down
export const OUT_ANNOUNCE = 5;  // a = rounds of GARP/NA per VIP to send now, b = ANNOUNCE_* cause
export const OUT_PRIORITY = 6;  // a = old effective priority, b = new
export const OUT_RX_LOWER = 7;  // master heard a lower priority: a = its priority; sender at OUT+32 (16 bytes)
export const OUT_NEW_MASTER = 8; // backup (or a yielding master) follows a new master: a = priority; address at OUT+32

export const ANNOUNCE_BECOME_MASTER = 0;
export const ANNOUNCE_DELAYED = 1;
export const ANNOUNCE_REFRESH = 2;
export const ANNOUNCE_LOWER_PRIO = 3;

// ---- States (keepalived's numbers) ----
export const STATE_INIT = 0;
export const STATE_BACKUP = 1;
export const STATE_MASTER = 2;
export const STATE_FAULT = 3;

// ---- Why a state changed ----
export const WHY_STARTUP = 0;        // start(): INIT -> BACKUP
export const WHY_OWNER = 1;          // start() or fault cleared as priority-255 owner -> MASTER
export const WHY_MASTER_DOWN = 2;    // Master_Down_Timer fired
export const WHY_HIGHER_PRIORITY = 3; // master heard a better advert
export const WHY_FAULT = 4;
export const WHY_FAULT_CLEARED = 5;
export const WHY_SHUTDOWN = 6;
export const WHY_PRIORITY_ZERO = 7;  // the old master resigned; we waited Skew_Time
export const WHY_SYNC_GROUP = 8;     // another member of the vrrp_sync_group moved, and this one followed
export const WHY_PREEMPT = 9;        // fast preemption: a backup heard a lower-priority master
export const WHY_OVERSLEPT = 10;     // a master woke more than Master_Down_Interval late: someone else may be master

// ---- Receive verdicts: handleDatagram() returns 0 (accepted), >0 ignored by design, <0 invalid ----
// The negative codes follow keepalived's vrrp_check_packet order (keepalived-behaviour.md §10.2).
export const RX_OK = 0;
export const RX_UNKNOWN_VRID = 1;       // no instance for (socket, VRID)
export const RX_NOT_RUNNING = 2;        // instance in INIT or FAULT
export const RX_INTERVAL_MISMATCH = 3;  // v2 advert interval differs: dropped (§10.2 #7)
export const RX_OWNER_IGNORES = 4;      // owner_ignore_adverts on a priority-255 instance
export const RX_PEER_TTL_RANGE = 5;     // unicast peer TTL outside [min_ttl, max_ttl]
export const RX_AH_NOT_VRRP = 6;        // #6 an AH header whose next header is not VRRP: not ours
export const RX_TOO_SHORT = -1;         // shorter than the IP and VRRP headers
export const RX_BAD_IP_HEADER = -2;     // not IPv4, or a header length that does not fit
export const RX_BAD_PROTOCOL = -3;      // IP protocol neither 112 nor 51
export const RX_TRUNCATED = -4;         // IP total length beyond the bytes received
export const RX_AH_MISMATCH = -5;       // #1 AH header present <=> auth_type AH
export const RX_BAD_LENGTH = -6;        // #2 length != headers + count x address size
export const RX_BAD_TTL = -7;           // #3 TTL / hop limit != 255 (multicast)
export const RX_BAD_VERSION = -8;       // #4
export const RX_BAD_AUTH_TYPE = -9;     // #6 auth type not 0, 1 or 2
export const RX_AUTH_TYPE_MISMATCH = -10; // #6 auth type != configured
export const RX_AUTH_FAILURE = -11;     // #6 password differs
export const RX_BAD_TYPE = -12;         // #8 type != 1
export const RX_BAD_IP_LENGTH = -13;    // #9 IPv4 total length != received (beyond Ethernet padding)
export const RX_BAD_INTERVAL = -14;     // v3 interval 0 (RFC 9568 erratum 8301)
export const RX_BAD_CHECKSUM = -15;     // #11
export const RX_MCAST_MISMATCH = -16;   // #12 multicast destination <=> instance not unicast
export const RX_ADDR_LIST = -17;        // #14 address list differs (2.2.7 rejects)
export const RX_UNICAST_SRC = -18;      // #15 unicast source not a configured peer
export const RX_BAD_FAMILY = -19;       // family neither 4 nor 6, or length beyond RX_CAP (host misuse)
export const RX_AH_BAD_ICV = -20;       // #6 AH: the ICV (HMAC-MD5-96) is wrong: another password, or a changed packet
export const RX_AH_BAD_SPI = -21;       // #6 AH: the SPI is not the source address
export const RX_AH_REPLAY = -22;        // #6 AH: sequence number not above the last one seen

// ---- Checksum forms a received v3 advert matched (INFO and counters) ----
export const CSUM_NONE = 0;
export const CSUM_PLAIN = 1;       // message only (v2; v3 with v3_checksum_as_v2 / RFC 9568 IPv4)
export const CSUM_PSEUDO = 2;      // with the IP pseudo-header (v3 default, and always for IPv6)
export const CSUM_OLD_UNICAST = 3; // pseudo-header naming 224.0.0.18 for a unicast advert (keepalived <= 1.3.6)

// ---- Instance configuration (CFG region; little-endian) ----
export const CFG_VERSION = 0;        // u8 2 | 3
export const CFG_FAMILY = 1;         // u8 4 | 6
export const CFG_VRID = 2;           // u8 1..255
export const CFG_PRIORITY = 3;       // u8 1..255 (base priority; 255 = address owner)
export const CFG_ADVERT_US = 4;      // u32 configured advert_int in µs (the core rounds it)
export const CFG_FLAGS = 8;          // u32 F_* bits
export const CFG_PREEMPT_DELAY_US = 12; // u32
export const CFG_DOWN_ADVERTS = 16;  // u8 1..100 (down_timer_adverts, normally 3)
export const CFG_GARP_REPEAT = 17;   // u8 garp_master_repeat
export const CFG_GARP_LOWER_REPEAT = 18; // u8 garp_lower_prio_repeat
export const CFG_GARP_REFRESH_REPEAT = 19; // u8 garp_master_refresh_repeat
export const CFG_GARP_DELAY_US = 20; // u32 garp_master_delay (0: no second burst)
export const CFG_GARP_LOWER_DELAY_US = 24; // u32 garp_lower_prio_delay
export const CFG_GARP_REFRESH_US = 28; // u32 garp_master_refresh (0: off)
export const CFG_SOCKET = 32;        // i32 host's socket id (family, interface, group or unicast source)
export const CFG_NADDR = 36;         // u16 advertised addresses (at most 255)
export const CFG_NPEERS = 38;        // u16 unicast peers
export const CFG_AUTH_TYPE = 40;     // u8 0 none, 1 PASS, 2 AH (VRRPv2 over IPv4 only)
export const CFG_TX_TTL = 41;        // u8 TTL of the IPv4 header the core writes for AH (unicast_ttl; 0 means 255)
export const CFG_SYNC_GROUP = 42;    // u16 vrrp_sync_group id + 1 (0: none); members move together
export const CFG_AUTH_PASS = 44;     // 8 bytes, zero padded
export const CFG_SRC = 52;           // 16 bytes: our source address (IPv4 in the first 4)
export const CFG_GROUP = 68;         // 16 bytes: multicast destination
export const CFG_ADDRS = 84;         // naddr x 16 bytes, then npeers x CFG_PEER_SIZE
export const CFG_PEER_SIZE = 20;     // 16 address + u8 min_ttl + u8 max_ttl + 2 pad

export const F_NOPREEMPT = 1 << 0;
export const F_V3_CHECKSUM_AS_V2 = 1 << 1;
export const F_UNICAST = 1 << 2;
export const F_CHECK_UNICAST_SRC = 1 << 3;
export const F_LOWER_PRIO_NO_ADVERT = 1 << 4;
export const F_HIGHER_PRIO_SEND_ADVERT = 1 << 5;
export const F_OWNER_IGNORE_ADVERTS = 1 << 6;
export const F_SKIP_CHECK_ADV_ADDR = 1 << 7;
export const F_WANT_MASTER = 1 << 8;          // `state MASTER`
export const F_ADDR_LIST_ACCEPT = 1 << 9;     // keepalived >= 2.3.3: log an address-list mismatch, accept
export const F_PEER_TTL_LIMITS = 1 << 10;     // some peer has min_ttl / max_ttl
export const F_FAST_PREEMPT = 1 << 11;        // preempt on the first lower-priority advert, not Master_Down_Interval later
export const F_AH_SEQ_SKIP = 1 << 13;         // AH: a new master skips AH_SEQ_SKIP sequence numbers
export const AH_SEQ_SKIP = 16;
export const F_STARTUP_CLAIM = 1 << 12;       // first takeover after start: advertise, install VIPs a moment later

// configure() results
export const CFG_OK = 0;
export const CFG_BAD_HANDLE = -1;
export const CFG_BAD_LENGTH = -2;
export const CFG_BAD_VERSION = -3;
export const CFG_BAD_FAMILY = -4;
export const CFG_BAD_VRID = -5;
export const CFG_BAD_PRIORITY = -6;
export const CFG_DUPLICATE_VRID = -7;
export const CFG_BAD_SOCKET = -8;
export const CFG_TOO_MANY_ADDRS = -9;
export const CFG_IDENTITY_CHANGED = -10; // reconfigure may not change socket, VRID or family
export const CFG_GROUP_TOO_BIG = -11;   // a sync group has at most MAX_GROUP members
export const CFG_BAD_AUTH = -12;        // auth type above 2, or AH with VRRPv3 or IPv6
export const MAX_GROUP = 64;

// ---- Per-instance counters (stats() writes them as f64 into INFO, in this order) ----
// The first fourteen are keepalived's stats file, in its order.
export const S_ADVERT_RCVD = 0;
export const S_ADVERT_SENT = 1;
export const S_BECAME_MASTER = 2;
export const S_RELEASE_MASTER = 3;
export const S_PACKET_LEN_ERR = 4;
export const S_ADVERT_INTERVAL_ERR = 5;
export const S_IP_TTL_ERR = 6;
export const S_INVALID_TYPE_RCVD = 7;
export const S_ADDR_LIST_ERR = 8;
export const S_INVALID_AUTHTYPE = 9;
export const S_AUTHTYPE_MISMATCH = 10;
export const S_AUTH_FAILURE = 11;
export const S_PRI_ZERO_RCVD = 12;
export const S_PRI_ZERO_SENT = 13;
// vipd's own
export const S_VERSION_ERR = 14;
export const S_CHECKSUM_ERR = 15;
export const S_IP_LEN_ERR = 16;
export const S_MCAST_MISMATCH = 17;
export const S_UNICAST_SRC_ERR = 18;
export const S_PEER_TTL_DROP = 19;
export const S_OWNER_IGNORED = 20;
export const S_INTERVAL_ADOPTED = 21;   // v3 advert with another interval, accepted and learned
export const S_CSUM_PLAIN = 22;
export const S_CSUM_PSEUDO = 23;
export const S_CSUM_OLD_UNICAST = 24;
export const S_LOWER_PRIO_RCVD = 25;
export const S_NOT_RUNNING_DROP = 26;
export const S_INTERVAL_ZERO = 27;
export const S_AH_MISMATCH = 28;
export const S_CLAIM_STARTED = 29;      // a first takeover after start advertised before taking the VIPs
export const S_CLAIM_YIELDED = 30;      // ... and a better router answered within the claim window
export const S_ADDR_MISSING_DROP = 31;  // refused at #14b (right count, other addresses): received to keepalived
export const S_AH_ICV_ERR = 32;         // AH refusals, each also counted in S_AUTH_FAILURE (keepalived's one counter)
export const S_AH_SPI_ERR = 33;
export const S_AH_REPLAY = 34;
export const S_AH_OTHER_DROP = 35;      // AH for another protocol, ignored (keepalived drops it uncounted)
export const N_STATS = 36;

// Engine-wide counters for packets that never reach an instance (globalStats() into INFO as f64).
export const G_TOO_SHORT = 0;
export const G_BAD_IP_HEADER = 1;
export const G_BAD_PROTOCOL = 2;
export const G_TRUNCATED = 3;
export const G_UNKNOWN_VRID = 4;
export const G_BAD_FAMILY = 5;
export const N_GSTATS = 6;

// ---- inspect(handle) into INFO: i32 at 0 state, 4 effective priority, 8 base priority, 12 master priority
// (-1: none seen), 16 own interval cs, 20 learned master interval cs, 24 version, 28 family; f64 at 32 next
// deadline (Infinity none), 40 master-down deadline, 48 µs Master_Down_Interval; 64..80 master address.
export const INFO_MASTER_ADDR = 64;

// ---- decodeAdvert() into INFO: i32 at 0 version, 4 type, 8 vrid, 12 priority, 16 count, 20 interval field
// (v2 seconds, v3 centiseconds), 24 auth type (v2), 28 checksum field, 32 checksum form matched (CSUM_*),
// 36 TTL, 40 message offset in RX, 44 message length, 48 expected length; source at 64, destination at 80.
export const INFO_SRC = 64;
export const INFO_DST = 80;
