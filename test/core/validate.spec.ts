// Receive validation: every RX_* verdict with its counter, and keepalived 2.2.7's order (keepalived-behaviour.md
// §10.2): a packet with two faults reports the earlier check. Each spec feeds one datagram to a router that is
// running (BACKUP unless stated) and checks the verdict and exactly which counters moved.
import * as abi from '../../assembly/abi';
import * as core from '../../assembly/index';
import {
  CS_BAD, CS_OLD_UNICAST, CS_PLAIN, CS_PSEUDO, adv, becomeMaster, expectNothing, expectState, fault, feed, feedRaw, gstat,
  info, reset, router, runUntil, skip, stat, stateOf,
} from './helpers';

const T: f64 = 1000000;

function snap(): f64[] {
  const s: f64[] = [];
  for (let k = 0; k < abi.N_STATS; k++) s.push(stat(k));
  return s;
}

/** Exactly the counters in `which` moved by one since `before`; all others stayed. */
function moved(before: f64[], which: i32[]): void {
  const after = snap();
  for (let k = 0; k < abi.N_STATS; k++) {
    const want: f64 = which.includes(k) ? 1 : 0;
    expect(after[k] - before[k]).toBe(want, 'counter S_' + k.toString());
  }
}

function gsnap(): f64[] {
  const s: f64[] = [];
  for (let k = 0; k < abi.N_GSTATS; k++) s.push(gstat(k));
  return s;
}

function gmoved(before: f64[], k: i32, n: f64 = 1): void {
  for (let j = 0; j < abi.N_GSTATS; j++) expect(gstat(j) - before[j]).toBe(j == k ? n : 0, 'global counter G_' + j.toString());
}

describe('accepted adverts', () => {
  beforeEach(() => { reset(); });

  it('v2: RX_OK, advert_rcvd and the plain checksum form', () => {
    router().up(0);
    const s = snap();
    expect(feed(T, adv())).toBe(abi.RX_OK);
    moved(s, [abi.S_ADVERT_RCVD, abi.S_CSUM_PLAIN]);
  });

  it('v3/IPv4 accepts the pseudo-header form, the plain form, and counts which', () => {
    router().v3().up(0);
    let s = snap();
    expect(feed(T, adv().checksum(CS_PSEUDO))).toBe(abi.RX_OK);
    moved(s, [abi.S_ADVERT_RCVD, abi.S_CSUM_PSEUDO]);
    s = snap();
    expect(feed(T + 1, adv().checksum(CS_PLAIN))).toBe(abi.RX_OK);
    moved(s, [abi.S_ADVERT_RCVD, abi.S_CSUM_PLAIN]);
  });

  it('v3/IPv4 with v3_checksum_as_v2 still accepts the pseudo-header form', () => {
    router().v3().flag(abi.F_V3_CHECKSUM_AS_V2).up(0);
    const s = snap();
    expect(feed(T, adv().checksum(CS_PSEUDO))).toBe(abi.RX_OK);
    moved(s, [abi.S_ADVERT_RCVD, abi.S_CSUM_PSEUDO]);
  });

  it('v3 unicast accepts the old (<= 1.3.6) pseudo-header naming 224.0.0.18', () => {
    router().v3().peer('192.0.2.2').up(0);
    const s = snap();
    expect(feed(T, adv().checksum(CS_OLD_UNICAST))).toBe(abi.RX_OK);
    moved(s, [abi.S_ADVERT_RCVD, abi.S_CSUM_OLD_UNICAST]);
  });

  it('v3/IPv6 with the IPv6 pseudo-header', () => {
    router().v6().up(0);
    const s = snap();
    expect(feed(T, adv())).toBe(abi.RX_OK);
    moved(s, [abi.S_ADVERT_RCVD, abi.S_CSUM_PSEUDO]);
  });

  it('priority 0 is counted (pri_zero_rcvd)', () => {
    router().up(0);
    const s = snap();
    expect(feed(T, adv().prio(0))).toBe(abi.RX_OK);
    moved(s, [abi.S_ADVERT_RCVD, abi.S_CSUM_PLAIN, abi.S_PRI_ZERO_RCVD]);
  });

  it('Ethernet padding up to the 46-byte minimum payload is tolerated', () => {
    router().up(0);
    expect(feed(T, adv().pad(6))).toBe(abi.RX_OK, 'v2, 40 + 6 bytes');
    router().v3().up(0);
    expect(feed(T + 1, adv().pad(14))).toBe(abi.RX_OK, 'v3, 32 + 14 bytes');
  });

  it('IP options are skipped by the header length', () => {
    router().up(0);
    expect(feed(T, adv().hdrLen(7))).toBe(abi.RX_OK);
  });
});

describe('ignored by design (positive verdicts)', () => {
  beforeEach(() => { reset(); });

  it('RX_UNKNOWN_VRID: another VRID, another socket, or another family (G_UNKNOWN_VRID)', () => {
    router().up(0);
    const g = gsnap();
    const s = snap();
    expect(feed(T, adv().id(52))).toBe(abi.RX_UNKNOWN_VRID);
    expect(core.receivedBy()).toBe(-1, 'no instance reached');
    expect(feed(T, adv().onSocket(9999))).toBe(abi.RX_UNKNOWN_VRID);
    const a6 = adv();
    a6.family = 6;
    a6.version = 3;
    a6.src = 'fe80::2';
    a6.dst = 'ff02::12';
    a6.vips = ['fe80::33'];
    expect(feed(T, a6)).toBe(abi.RX_UNKNOWN_VRID);
    gmoved(g, abi.G_UNKNOWN_VRID, 3);
    moved(s, []);
  });

  it('RX_NOT_RUNNING: configured but not started (INIT), and in FAULT', () => {
    const r = router();
    expect(r.configure()).toBe(abi.CFG_OK);
    let s = snap();
    expect(feed(T, adv().checksum(CS_BAD))).toBe(abi.RX_NOT_RUNNING, 'INIT, before any check');
    moved(s, [abi.S_NOT_RUNNING_DROP]);
  });

  it('RX_NOT_RUNNING in FAULT', () => {
    router().up(0);
    fault(T, true);
    expect(stateOf()).toBe(abi.STATE_FAULT);
    const s = snap();
    expect(feed(2 * T, adv())).toBe(abi.RX_NOT_RUNNING);
    moved(s, [abi.S_NOT_RUNNING_DROP]);
  });

  it('RX_INTERVAL_MISMATCH (v2, #7): dropped, so the backup keeps counting down and takes over', () => {
    const r = router().up(0);
    expectState(abi.STATE_INIT, abi.STATE_BACKUP, abi.WHY_STARTUP, 0);
    const s = snap();
    expect(feed(1000000, adv().interval(2))).toBe(abi.RX_INTERVAL_MISMATCH);
    expect(core.receivedBy()).toBe(r.handle, 'the refusing instance is named for the host');
    expect(feed(2000000, adv().interval(2))).toBe(abi.RX_INTERVAL_MISMATCH);
    expect(feed(3000000, adv().interval(2))).toBe(abi.RX_INTERVAL_MISMATCH);
    expect(stat(abi.S_ADVERT_INTERVAL_ERR) - s[abi.S_ADVERT_INTERVAL_ERR]).toBe(3);
    expect(stat(abi.S_ADVERT_RCVD) - s[abi.S_ADVERT_RCVD]).toBe(0);
    expectNothing(3608999);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, 3609375);
  });

  it('RX_OWNER_IGNORES (#13): owner_ignore_adverts on a priority-255 instance', () => {
    router().prio(255).flag(abi.F_OWNER_IGNORE_ADVERTS).up(0);
    runUntil(1200000);
    skip();
    const s = snap();
    expect(feed(1500000, adv().prio(254))).toBe(abi.RX_OWNER_IGNORES);
    moved(s, [abi.S_OWNER_IGNORED]);
    expectNothing(1999999); // no immediate advert, no rx-lower: only the regular advert at 2 s follows
  });

  it('owner_ignore_adverts does nothing for a non-owner', () => {
    router().prio(254).flag(abi.F_OWNER_IGNORE_ADVERTS).up(0);
    expect(feed(T, adv())).toBe(abi.RX_OK);
  });

  it('RX_PEER_TTL_RANGE (#15): a unicast peer outside its [min_ttl, max_ttl]', () => {
    router().peer('192.0.2.2', 250, 255).up(0);
    let s = snap();
    expect(feed(T, adv().hops(249))).toBe(abi.RX_PEER_TTL_RANGE);
    moved(s, [abi.S_PEER_TTL_DROP]);
    expect(feed(T, adv().hops(250))).toBe(abi.RX_OK);
    router().peer('192.0.2.2', 0, 64).up(0);
    s = snap();
    expect(feed(T, adv().hops(65))).toBe(abi.RX_PEER_TTL_RANGE);
    moved(s, [abi.S_PEER_TTL_DROP]);
    expect(feed(T, adv().hops(1))).toBe(abi.RX_OK);
  });
});

describe('invalid before an instance is found (negative verdicts, global counters)', () => {
  beforeEach(() => { reset(); router().up(0); });

  it('RX_TOO_SHORT: under 20 bytes, a header with no room for the VRRP header, IPv6 under 8', () => {
    const g = gsnap();
    expect(feed(T, adv().len(19))).toBe(abi.RX_TOO_SHORT);
    expect(feed(T, adv().totLen(-13).len(27))).toBe(abi.RX_TOO_SHORT, 'IP length leaves 7 message bytes');
    expect(feedRaw(T, 1, 6, 255, 7)).toBe(abi.RX_TOO_SHORT);
    gmoved(g, abi.G_TOO_SHORT, 3);
  });

  it('RX_TOO_SHORT: an AH header cut short', () => {
    const g = gsnap();
    expect(feed(T, adv().ah().totLen(-24 - 20 + 4))).toBe(abi.RX_TOO_SHORT);
    gmoved(g, abi.G_TOO_SHORT);
  });

  it('RX_BAD_IP_HEADER: IP version 6, IHL under 5, IHL past the data, total length under IHL', () => {
    const g = gsnap();
    expect(feed(T, adv().ipver(6))).toBe(abi.RX_BAD_IP_HEADER);
    expect(feed(T, adv().hdrLen(4))).toBe(abi.RX_BAD_IP_HEADER);
    expect(feed(T, adv().hdrLen(15).len(40))).toBe(abi.RX_BAD_IP_HEADER);
    expect(feed(T, adv().totLen(-30))).toBe(abi.RX_BAD_IP_HEADER);
    gmoved(g, abi.G_BAD_IP_HEADER, 4);
  });

  it('RX_BAD_PROTOCOL: neither 112 nor 51', () => {
    const g = gsnap();
    expect(feed(T, adv().protocol(17))).toBe(abi.RX_BAD_PROTOCOL);
    gmoved(g, abi.G_BAD_PROTOCOL);
  });

  it('RX_TRUNCATED: IP total length beyond the bytes received', () => {
    const g = gsnap();
    expect(feed(T, adv().totLen(1))).toBe(abi.RX_TRUNCATED);
    gmoved(g, abi.G_TRUNCATED);
  });

  it('RX_BAD_FAMILY: family 5, a negative length, a length beyond RX_CAP', () => {
    const g = gsnap();
    expect(feedRaw(T, 1, 5, 255, 40)).toBe(abi.RX_BAD_FAMILY);
    expect(feedRaw(T, 1, 4, 255, -1)).toBe(abi.RX_BAD_FAMILY);
    expect(feedRaw(T, 1, 4, 255, abi.RX_CAP + 1)).toBe(abi.RX_BAD_FAMILY);
    gmoved(g, abi.G_BAD_FAMILY, 3);
  });
});

describe('invalid for the instance (vrrp_check_packet, #1..#15)', () => {
  beforeEach(() => { reset(); });

  it('RX_AH_MISMATCH (#1): AH present without auth_type AH, and missing with it', () => {
    router().up(0);
    let s = snap();
    expect(feed(T, adv().ah())).toBe(abi.RX_AH_MISMATCH);
    moved(s, [abi.S_AH_MISMATCH, abi.S_AUTHTYPE_MISMATCH]);
    router().ah().up(0);
    s = snap();
    const a = adv();
    a.withAh = false;
    expect(feed(T, a)).toBe(abi.RX_AH_MISMATCH);
    moved(s, [abi.S_AH_MISMATCH, abi.S_AUTHTYPE_MISMATCH]);
  });

  it('§10.2 #1 "KO (authtype_mismatch)": an AH mismatch also counts authtype_mismatch', () => {
    router().up(0);
    const s = snap();
    expect(feed(T, adv().ah())).toBe(abi.RX_AH_MISMATCH);
    expect(stat(abi.S_AUTHTYPE_MISMATCH) - s[abi.S_AUTHTYPE_MISMATCH]).toBe(1, 'keepalived stats file: authtype_mismatch');
  });

  it('RX_BAD_LENGTH (#2): count says 2 addresses, one is there', () => {
    router().up(0);
    const s = snap();
    expect(feed(T, adv().count(2))).toBe(abi.RX_BAD_LENGTH);
    moved(s, [abi.S_PACKET_LEN_ERR]);
  });

  it('RX_BAD_LENGTH (#2) for IPv6', () => {
    router().v6().up(0);
    const s = snap();
    expect(feed(T, adv().count(3))).toBe(abi.RX_BAD_LENGTH);
    moved(s, [abi.S_PACKET_LEN_ERR]);
  });

  it('RX_BAD_TTL (#3): multicast TTL / hop limit must be 255', () => {
    router().up(0);
    let s = snap();
    expect(feed(T, adv().hops(254))).toBe(abi.RX_BAD_TTL);
    moved(s, [abi.S_IP_TTL_ERR]);
    router().v6().up(0);
    s = snap();
    expect(feed(T, adv().hops(1))).toBe(abi.RX_BAD_TTL);
    moved(s, [abi.S_IP_TTL_ERR]);
  });

  it('#3 does not apply to unicast', () => {
    router().peer('192.0.2.2').up(0);
    expect(feed(T, adv().hops(3))).toBe(abi.RX_OK);
  });

  it('RX_BAD_VERSION (#4): a version-4 (or 1) header to a v3 instance', () => {
    router().v3().up(0);
    const s = snap();
    expect(feed(T, adv().ver(4))).toBe(abi.RX_BAD_VERSION);
    expect(feed(T, adv().ver(1))).toBe(abi.RX_BAD_VERSION);
    expect(stat(abi.S_VERSION_ERR) - s[abi.S_VERSION_ERR]).toBe(2);
    expect(stat(abi.S_ADVERT_RCVD) - s[abi.S_ADVERT_RCVD]).toBe(0);
  });

  it('§10.2 #2/#4: a well-formed v3 advert at a v2 instance is a version error, not a length error', () => {
    // keepalived sizes the expected length by the packet's own version (expected_vrrp_pkt_len), so a v2 node
    // "ignores v3 adverts" through check #4; the core sizes it by the instance's version and reports #2.
    router().up(0);
    const a = adv();
    a.version = 3;
    a.intervalField = 100;
    const s = snap();
    expect(feed(T, a)).toBe(abi.RX_BAD_VERSION);
    moved(s, [abi.S_VERSION_ERR]);
  });

  it('§10.2 #2/#4: a well-formed v2 advert at a v3 instance is a version error', () => {
    router().v3().up(0);
    const a = adv();
    a.version = 2;
    a.intervalField = 1;
    const s = snap();
    expect(feed(T, a)).toBe(abi.RX_BAD_VERSION);
    moved(s, [abi.S_VERSION_ERR]);
  });

  it('§10.2 #3 before #4: a v3 advert with TTL 64 at a v2 instance reports the TTL', () => {
    router().up(0);
    const a = adv().hops(64);
    a.version = 3;
    a.intervalField = 100;
    expect(feed(T, a)).toBe(abi.RX_BAD_TTL);
  });

  it('RX_BAD_AUTH_TYPE (#6): v2 auth type 3', () => {
    router().up(0);
    const s = snap();
    expect(feed(T, adv().auth(3))).toBe(abi.RX_BAD_AUTH_TYPE);
    moved(s, [abi.S_INVALID_AUTHTYPE]);
  });

  it('RX_AUTH_TYPE_MISMATCH (#6): no auth at a PASS instance, PASS at a no-auth instance', () => {
    router().pass('secret').up(0);
    let s = snap();
    expect(feed(T, adv().auth(0))).toBe(abi.RX_AUTH_TYPE_MISMATCH);
    moved(s, [abi.S_AUTHTYPE_MISMATCH]);
    router().up(0);
    s = snap();
    expect(feed(T, adv().auth(1, 'secret'))).toBe(abi.RX_AUTH_TYPE_MISMATCH);
    moved(s, [abi.S_AUTHTYPE_MISMATCH]);
  });

  it('RX_AUTH_FAILURE (#6): the PASS bytes differ (all 8 compared)', () => {
    router().pass('secret').up(0);
    const s = snap();
    expect(feed(T, adv().auth(1, 'secreT'))).toBe(abi.RX_AUTH_FAILURE);
    expect(feed(T, adv().auth(1, 'secret!'))).toBe(abi.RX_AUTH_FAILURE, 'a seventh byte where ours is zero');
    expect(stat(abi.S_AUTH_FAILURE) - s[abi.S_AUTH_FAILURE]).toBe(2);
    expect(feed(T, adv().auth(1, 'secret'))).toBe(abi.RX_OK);
  });

  it('RX_BAD_TYPE (#8): type 2', () => {
    router().up(0);
    const s = snap();
    expect(feed(T, adv().kind(2))).toBe(abi.RX_BAD_TYPE);
    moved(s, [abi.S_INVALID_TYPE_RCVD]);
  });

  it('RX_BAD_IP_LENGTH (#9): bytes beyond the IP total length past the Ethernet minimum', () => {
    router().up(0);
    let s = snap();
    expect(feed(T, adv().pad(7))).toBe(abi.RX_BAD_IP_LENGTH, '47 bytes');
    moved(s, [abi.S_IP_LEN_ERR]);
    router().v3().up(0);
    s = snap();
    expect(feed(T, adv().pad(15))).toBe(abi.RX_BAD_IP_LENGTH);
    moved(s, [abi.S_IP_LEN_ERR]);
  });

  it('RX_BAD_INTERVAL (#10): v3 interval 0 (RFC 9568 erratum 8301)', () => {
    router().v3().up(0);
    const s = snap();
    expect(feed(T, adv().interval(0))).toBe(abi.RX_BAD_INTERVAL);
    moved(s, [abi.S_INTERVAL_ZERO]);
  });

  it('RX_BAD_CHECKSUM (#11): v2, v3/IPv4, v3/IPv6', () => {
    router().up(0);
    let s = snap();
    expect(feed(T, adv().checksum(CS_BAD))).toBe(abi.RX_BAD_CHECKSUM);
    expect(feed(T, adv().checksum(CS_PSEUDO))).toBe(abi.RX_BAD_CHECKSUM, 'v2 never covers a pseudo-header');
    expect(stat(abi.S_CHECKSUM_ERR) - s[abi.S_CHECKSUM_ERR]).toBe(2);
    router().v3().up(0);
    s = snap();
    expect(feed(T, adv().checksum(CS_BAD))).toBe(abi.RX_BAD_CHECKSUM);
    moved(s, [abi.S_CHECKSUM_ERR]);
    router().v6().up(0);
    s = snap();
    expect(feed(T, adv().checksum(CS_BAD))).toBe(abi.RX_BAD_CHECKSUM);
    expect(feed(T, adv().checksum(CS_PLAIN))).toBe(abi.RX_BAD_CHECKSUM, 'IPv6 always covers the pseudo-header');
    expect(stat(abi.S_CHECKSUM_ERR) - s[abi.S_CHECKSUM_ERR]).toBe(2);
  });

  it('the old unicast pseudo-header form is accepted only by unicast instances', () => {
    router().v3().up(0);
    // to a unicast destination the old form differs from the real one; a multicast instance rejects it at #11
    expect(feed(T, adv().to('192.0.2.1').checksum(CS_OLD_UNICAST))).toBe(abi.RX_BAD_CHECKSUM);
  });

  it('RX_MCAST_MISMATCH (#12): unicast to a multicast instance, multicast to a unicast one', () => {
    router().up(0);
    let s = snap();
    expect(feed(T, adv().to('192.0.2.1'))).toBe(abi.RX_MCAST_MISMATCH);
    moved(s, [abi.S_MCAST_MISMATCH]);
    router().peer('192.0.2.2').up(0);
    s = snap();
    expect(feed(T, adv().to('224.0.0.18'))).toBe(abi.RX_MCAST_MISMATCH);
    moved(s, [abi.S_MCAST_MISMATCH]);
    router().v6().up(0);
    s = snap();
    expect(feed(T, adv().to('fe80::1'))).toBe(abi.RX_MCAST_MISMATCH);
    moved(s, [abi.S_MCAST_MISMATCH]);
  });

  it('RX_ADDR_LIST (#14): another address, a missing one, a count of 0 (2.2.7 rejects)', () => {
    router().addrs(['192.0.2.100', '192.0.2.101']).up(0);
    const s = snap();
    expect(feed(T, adv().addrs(['192.0.2.100', '192.0.2.102']))).toBe(abi.RX_ADDR_LIST);
    expect(feed(T, adv().addrs(['192.0.2.100']))).toBe(abi.RX_ADDR_LIST);
    expect(feed(T, adv().addrs([]))).toBe(abi.RX_ADDR_LIST);
    expect(stat(abi.S_ADDR_LIST_ERR) - s[abi.S_ADDR_LIST_ERR]).toBe(3);
    expect(stat(abi.S_ADVERT_RCVD) - s[abi.S_ADVERT_RCVD]).toBe(0);
    expect(feed(T, adv().addrs(['192.0.2.101', '192.0.2.100']))).toBe(abi.RX_OK, 'order does not matter');
  });

  it('F_ADDR_LIST_ACCEPT (>= 2.3.3): counted, and the advert is accepted', () => {
    router().flag(abi.F_ADDR_LIST_ACCEPT).up(0);
    const s = snap();
    expect(feed(T, adv().addrs(['192.0.2.200']))).toBe(abi.RX_OK);
    moved(s, [abi.S_ADDR_LIST_ERR, abi.S_ADVERT_RCVD, abi.S_CSUM_PLAIN]);
  });

  it('skip_check_adv_addr: a backup skips #14 for the master it knows, not for a new sender', () => {
    router().flag(abi.F_SKIP_CHECK_ADV_ADDR).up(0);
    expect(feed(T, adv().addrs(['192.0.2.200']))).toBe(abi.RX_ADDR_LIST, 'no master known yet');
    expect(feed(T, adv())).toBe(abi.RX_OK);
    skip();
    const s = snap();
    expect(feed(2 * T, adv().addrs(['192.0.2.200']))).toBe(abi.RX_OK, 'the known master');
    moved(s, [abi.S_ADVERT_RCVD, abi.S_CSUM_PLAIN]);
    expect(feed(2 * T, adv().from('192.0.2.3').addrs(['192.0.2.200']))).toBe(abi.RX_ADDR_LIST, 'another sender');
  });

  it('skip_check_adv_addr does not apply to a master', () => {
    router().flag(abi.F_SKIP_CHECK_ADV_ADDR).prio(200).up(0);
    expect(feed(T, adv().prio(100))).toBe(abi.RX_OK);
    becomeMaster();
    expect(feed(5 * T, adv().prio(100).addrs(['192.0.2.200']))).toBe(abi.RX_ADDR_LIST);
  });

  it('RX_UNICAST_SRC (#15): check_unicast_src and a source that is no peer', () => {
    router().peer('192.0.2.7').flag(abi.F_CHECK_UNICAST_SRC).up(0);
    const s = snap();
    expect(feed(T, adv())).toBe(abi.RX_UNICAST_SRC);
    moved(s, [abi.S_UNICAST_SRC_ERR]);
    expect(feed(T, adv().from('192.0.2.7'))).toBe(abi.RX_OK);
    router().peer('192.0.2.7').up(0);
    expect(feed(T, adv())).toBe(abi.RX_OK, 'without check_unicast_src any source goes');
  });
});

describe('order: the earlier check wins (§10.2)', () => {
  beforeEach(() => { reset(); });

  it('#1 AH before #2 length', () => {
    router().up(0);
    expect(feed(T, adv().ah().count(2))).toBe(abi.RX_AH_MISMATCH);
  });
  it('#2 length before #3 TTL', () => {
    router().up(0);
    expect(feed(T, adv().count(2).hops(1))).toBe(abi.RX_BAD_LENGTH);
  });
  it('#3 TTL before #4 version', () => {
    router().v3().up(0);
    expect(feed(T, adv().hops(64).ver(4))).toBe(abi.RX_BAD_TTL);
  });
  it('#4 version before #8 type', () => {
    router().v3().up(0);
    expect(feed(T, adv().ver(4).kind(2))).toBe(abi.RX_BAD_VERSION);
  });
  it('#6 invalid auth type before the auth type comparison', () => {
    router().pass('pw').up(0);
    expect(feed(T, adv().auth(3))).toBe(abi.RX_BAD_AUTH_TYPE);
  });
  it('#6 auth before #7 interval', () => {
    router().pass('pw').up(0);
    expect(feed(T, adv().auth(0).interval(2))).toBe(abi.RX_AUTH_TYPE_MISMATCH);
    expect(feed(T, adv().auth(1, 'px').interval(2))).toBe(abi.RX_AUTH_FAILURE);
  });
  it('#7 interval before #8 type', () => {
    router().up(0);
    expect(feed(T, adv().interval(2).kind(2))).toBe(abi.RX_INTERVAL_MISMATCH);
  });
  it('#8 type before #9 IP length', () => {
    router().up(0);
    expect(feed(T, adv().kind(2).pad(20))).toBe(abi.RX_BAD_TYPE);
  });
  it('#9 IP length before #10 v3 interval', () => {
    router().v3().up(0);
    expect(feed(T, adv().pad(20).interval(0))).toBe(abi.RX_BAD_IP_LENGTH);
  });
  it('#10 v3 interval before #11 checksum', () => {
    router().v3().up(0);
    expect(feed(T, adv().interval(0).checksum(CS_BAD))).toBe(abi.RX_BAD_INTERVAL);
  });
  it('#11 checksum before #12 multicast', () => {
    router().up(0);
    expect(feed(T, adv().to('192.0.2.1').checksum(CS_BAD))).toBe(abi.RX_BAD_CHECKSUM);
  });
  it('#12 multicast before #13 owner', () => {
    router().prio(255).flag(abi.F_OWNER_IGNORE_ADVERTS).up(0);
    expect(feed(T, adv().to('192.0.2.1'))).toBe(abi.RX_MCAST_MISMATCH);
  });
  it('#13 owner before #14 address list', () => {
    router().prio(255).flag(abi.F_OWNER_IGNORE_ADVERTS).up(0);
    expect(feed(T, adv().addrs(['10.0.0.1']))).toBe(abi.RX_OWNER_IGNORES);
  });
  it('#14 address list before #15 unicast source', () => {
    router().peer('192.0.2.7').flag(abi.F_CHECK_UNICAST_SRC).up(0);
    expect(feed(T, adv().addrs(['10.0.0.1']))).toBe(abi.RX_ADDR_LIST);
  });
  it('#15 unicast source before the peer TTL range', () => {
    router().peer('192.0.2.7', 250, 255).flag(abi.F_CHECK_UNICAST_SRC).up(0);
    expect(feed(T, adv().hops(1))).toBe(abi.RX_UNICAST_SRC);
  });
  it('not running before any check', () => {
    router().configure();
    expect(feed(T, adv().count(9).checksum(CS_BAD))).toBe(abi.RX_NOT_RUNNING);
  });
  it('an IP-level fault before the VRID lookup', () => {
    router().up(0);
    expect(feed(T, adv().id(99).protocol(6))).toBe(abi.RX_BAD_PROTOCOL);
  });
});
