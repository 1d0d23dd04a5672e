// Wire format: the four golden vectors, encode/decode round trips, and the packet tool's decoder verdicts.
import * as core from '../../assembly/index';
import * as abi from '../../assembly/abi';
import {
  Advert, CS_BAD, CS_PLAIN, CS_PSEUDO, Router, adv, addr, fmt, ocFinish, ocSum, reset, router, vrrpChecksum, wrap,
} from './helpers';

/** The golden configuration: VRID 51, priority 100, VIP 192.0.2.100, 192.0.2.2 -> 224.0.0.18. */
function golden(): Router {
  return router().id(51).prio(100).from('192.0.2.2').to('224.0.0.18').addrs(['192.0.2.100']);
}

function encode(r: Router): i32 {
  const n = core.encodeAdvert(r.write());
  expect(n > 0).toBe(true, 'encodeAdvert');
  return n;
}

function txByte(k: i32): i32 { return <i32>load<u8>(core.txPtr() + abi.ADDR_OFF + k); }
function txChecksum(): i32 { return (txByte(6) << 8) | txByte(7); }

function decode(family: i32, ttl: i32, len: i32, preferPlain: bool = false): i32 {
  return core.decodeAdvert(family, ttl, len, preferPlain);
}
function infoI(off: i32): i32 { return load<i32>(core.infoPtr() + off); }

describe('golden vectors', () => {
  beforeEach(() => { reset(); });

  it('v2, 1 s: checksum 0xb865, bytes as RFC 3768 §5 lays them out', () => {
    const n = encode(golden().interval(1000000));
    expect(n).toBe(20);
    const want: u8[] = [0x21, 51, 100, 1, 0, 1, 0xb8, 0x65, 192, 0, 2, 100, 0, 0, 0, 0, 0, 0, 0, 0];
    for (let k = 0; k < 20; k++) expect(txByte(k)).toBe(<i32>want[k], 'byte ' + k.toString());
  });

  it('v3/IPv4, 100 cs, pseudo-header: 0x0571', () => {
    const n = encode(golden().v3().interval(1000000));
    expect(n).toBe(12);
    expect(txByte(0)).toBe(0x31);
    expect((txByte(4) << 8) | txByte(5)).toBe(100);
    expect(txChecksum()).toBe(0x0571);
  });

  it('v3/IPv4, 100 cs, message only (v3_checksum_as_v2): 0xa802', () => {
    encode(golden().v3().interval(1000000).flag(abi.F_V3_CHECKSUM_AS_V2));
    expect(txChecksum()).toBe(0xa802);
  });

  it('v3/IPv6 fe80::1 -> ff02::12 with fe80::33 and 2001:db8::100: 0x3eca', () => {
    const n = encode(golden().v6().from('fe80::1').to('ff02::12').addrs(['fe80::33', '2001:db8::100']).interval(1000000));
    expect(n).toBe(8 + 32);
    expect(txChecksum()).toBe(0x3eca);
  });

  it('the spec helpers build the same four checksums on their own', () => {
    golden().interval(1000000);
    let a = adv().prio(100).from('192.0.2.2');
    a.build();
    expect(<i32>load<u16>(core.rxPtr() + abi.ADDR_OFF + 20 + 6)).toBe(0x65b8); // little-endian load of b8 65
    golden().v3().interval(1000000);
    a = adv().prio(100).from('192.0.2.2');
    a.build();
    expect(<i32>load<u16>(core.rxPtr() + abi.ADDR_OFF + 20 + 6)).toBe(0x7105);
    a.checksum(CS_PLAIN).build();
    expect(<i32>load<u16>(core.rxPtr() + abi.ADDR_OFF + 20 + 6)).toBe(0x02a8);
    golden().v6().interval(1000000);
    a = adv().prio(100).from('fe80::1').to('ff02::12');
    a.build();
    expect(<i32>load<u16>(core.rxPtr() + abi.ADDR_OFF + 6)).toBe(0xca3e);
  });
});

describe('encode', () => {
  beforeEach(() => { reset(); });

  it('v2 carries the PASS password in the 8 auth bytes, zero padded', () => {
    encode(golden().pass('secret'));
    expect(txByte(4)).toBe(1, 'auth type PASS');
    const pw = 'secret';
    for (let k = 0; k < 8; k++) expect(txByte(12 + k)).toBe(k < pw.length ? pw.charCodeAt(k) : 0);
  });

  it('v2 rounds the interval to whole seconds; v3 to centiseconds in 12 bits', () => {
    encode(golden().interval(1500000));
    expect(txByte(5)).toBe(2);
    encode(golden().interval(400000));
    expect(txByte(5)).toBe(1);
    encode(golden().v3().interval(40950000));
    expect((txByte(4) << 8) | txByte(5)).toBe(4095);
    encode(golden().v3().interval(60000000));
    expect((txByte(4) << 8) | txByte(5)).toBe(4095, 'clamped to 40.95 s; the reserved bits stay zero');
    encode(golden().v3().interval(14999));
    expect((txByte(4) << 8) | txByte(5)).toBe(1);
  });

  it('an advert with no addresses has count 0 and the bare header', () => {
    expect(encode(golden().v3().addrs([]))).toBe(8);
    expect(txByte(3)).toBe(0);
    expect(encode(golden().addrs([]))).toBe(16);
  });

  it('255 addresses fit; the length follows the count', () => {
    const v: string[] = [];
    for (let k = 0; k < 255; k++) v.push('10.0.' + (k >> 8).toString() + '.' + (k & 255).toString());
    expect(encode(golden().v3().addrs(v))).toBe(8 + 255 * 4);
    expect(txByte(3)).toBe(255);
    expect(txByte(8 + 254 * 4 + 3)).toBe(254);
  });

  it('rejects what cannot be encoded', () => {
    const r = golden();
    r.version = 4;
    expect(core.encodeAdvert(r.write())).toBe(abi.CFG_BAD_VERSION);
    expect(core.encodeAdvert(golden().v6().ver2().write())).toBe(abi.CFG_BAD_VERSION);
    expect(core.encodeAdvert(golden().id(0).write())).toBe(abi.CFG_BAD_VRID);
    expect(core.encodeAdvert(10)).toBe(abi.CFG_BAD_LENGTH);
  });

  it('a unicast encode goes to the first peer with that peer in the pseudo-header', () => {
    encode(golden().v3().peer('192.0.2.7').peer('192.0.2.8'));
    expect(fmt(core.txPtr() + 16, 4)).toBe('192.0.2.7');
    const cs = vrrpChecksum(core.txPtr() + abi.ADDR_OFF, 12, 1, 4, core.txPtr(), core.txPtr() + 16);
    expect(txChecksum()).toBe(<i32>cs);
  });
});

describe('decode (the packet tool)', () => {
  beforeEach(() => { reset(); });

  it('round-trips every field of an encoded v2, v3 and IPv6 advert', () => {
    const rs: Router[] = [golden().pass('pw'), golden().v3().interval(250000), golden().v6().interval(20000)];
    for (let k = 0; k < rs.length; k++) {
      const r = rs[k];
      const n = encode(r);
      const tx = core.txPtr();
      const len = wrap(r.family, tx, tx + 16, tx + abi.ADDR_OFF, n);
      expect(decode(r.family, 255, len)).toBe(abi.RX_OK, 'valid ' + k.toString());
      expect(infoI(0)).toBe(r.version);
      expect(infoI(4)).toBe(1, 'type');
      expect(infoI(8)).toBe(51, 'vrid');
      expect(infoI(12)).toBe(100, 'priority');
      expect(infoI(16)).toBe(r.vips.length, 'count');
      expect(infoI(20)).toBe(k == 0 ? 1 : k == 1 ? 25 : 2, 'interval field');
      expect(infoI(24)).toBe(k == 0 ? 1 : 0, 'auth type');
      expect(infoI(28)).toBe(txChecksum(), 'checksum field');
      expect(infoI(32)).toBe(k == 0 ? abi.CSUM_PLAIN : abi.CSUM_PSEUDO, 'checksum form');
      expect(infoI(36)).toBe(255, 'ttl');
      expect(infoI(44)).toBe(n, 'message length');
      expect(infoI(48)).toBe(n, 'expected length');
      const alen = r.family == 4 ? 4 : 16;
      expect(fmt(core.infoPtr() + abi.INFO_SRC, alen)).toBe(fmt(changetype<usize>(addr(r.src)), alen));
      expect(fmt(core.infoPtr() + abi.INFO_DST, alen)).toBe(fmt(changetype<usize>(addr(r.group)), alen));
    }
  });

  it('reports the message offset past the IP header (and options)', () => {
    golden();
    const a = adv().hdrLen(6);
    expect(decode(4, 0, a.build())).toBe(abi.RX_OK);
    expect(infoI(40)).toBe(24);
  });

  it('v3 ignores the 4 reserved bits above the interval', () => {
    golden().v3();
    const len = adv().reserved(0xf).build();
    expect(decode(4, 0, len)).toBe(abi.RX_OK);
    expect(infoI(20)).toBe(100);
  });

  it('matches either v3/IPv4 form and says which; preferPlain only matters when both match', () => {
    golden().v3();
    let len = adv().checksum(CS_PLAIN).build();
    expect(decode(4, 0, len)).toBe(abi.RX_OK);
    expect(infoI(32)).toBe(abi.CSUM_PLAIN);
    len = adv().checksum(CS_PSEUDO).build();
    expect(decode(4, 0, len, true)).toBe(abi.RX_OK);
    expect(infoI(32)).toBe(abi.CSUM_PSEUDO);
  });

  it('names the first structural problem', () => {
    golden();
    expect(decode(4, 0, adv().ver(1).build())).toBe(abi.RX_BAD_VERSION);
    expect(decode(4, 0, adv().count(2).build())).toBe(abi.RX_BAD_LENGTH);
    expect(infoI(48)).toBe(24, 'expected length for count 2');
    expect(decode(4, 0, adv().hops(64).build())).toBe(abi.RX_BAD_TTL);
    expect(decode(4, 0, adv().hops(64).to('192.0.2.1').build())).toBe(abi.RX_OK, 'unicast: any TTL');
    expect(decode(4, 0, adv().auth(3).build())).toBe(abi.RX_BAD_AUTH_TYPE);
    expect(decode(4, 0, adv().kind(2).build())).toBe(abi.RX_BAD_TYPE);
    expect(decode(4, 0, adv().checksum(CS_BAD).build())).toBe(abi.RX_BAD_CHECKSUM);
    expect(decode(4, 0, adv().pad(20).build())).toBe(abi.RX_BAD_IP_LENGTH);
    expect(decode(4, 0, adv().len(19).build())).toBe(abi.RX_TOO_SHORT);
    expect(decode(4, 0, adv().protocol(17).build())).toBe(abi.RX_BAD_PROTOCOL);
    expect(decode(4, 0, adv().totLen(4).build())).toBe(abi.RX_TRUNCATED);
    expect(decode(4, 0, adv().ipver(6).build())).toBe(abi.RX_BAD_IP_HEADER);
    expect(decode(5, 0, 40)).toBe(abi.RX_BAD_FAMILY);
    golden().v3();
    expect(decode(4, 0, adv().interval(0).build())).toBe(abi.RX_BAD_INTERVAL);
    golden().v6();
    const a = adv().from('fe80::1').to('ff02::12');
    expect(decode(6, 255, a.build())).toBe(abi.RX_OK);
    expect(decode(6, 1, a.build())).toBe(abi.RX_BAD_TTL, 'IPv6 hop limit');
    a.version = 2;
    expect(decode(6, 255, a.build())).toBe(abi.RX_BAD_VERSION, 'v2 does not exist over IPv6');
  });
});

describe('RFC 1071 helper sanity', () => {
  it('the independent checksum verifies to zero over a message carrying it', () => {
    const b = memory.data<u8>([0x21, 51, 100, 1, 0, 1, 0xb8, 0x65, 192, 0, 2, 100, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(<i32>ocFinish(ocSum(b, 20, 0))).toBe(0);
  });
});
