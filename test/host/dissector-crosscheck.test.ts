// Our adverts against dissectors nobody here wrote: Wireshark's (tshark) and scapy's. Seeded random adverts
// (v2/v3, IPv4/IPv6, 0..20 addresses, both v3 IPv4 checksum forms) encoded by the core go into a pcap that both
// read back field by field; then scapy makes its own random adverts and our decoder must agree with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addrBytes, formatAddr } from '../../host/core/addr.ts';
import { Core } from '../../host/core/wasm-core.ts';
import { ipv4Wrap, ipv6Wrap } from '../../host/packet/ip.ts';
import { toHex } from '../../host/packet/hex.ts';
import { ethernet, writePcap } from './helpers/pcap.ts';

const PYTHON = '/usr/bin/python3';
const hasTshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;
const hasScapy = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import scapy.layers.vrrp'], { encoding: 'utf8' }).status === 0;
// In CI the tools are installed by .ci/run: missing means broken, not optional.
const inCi = process.env.CI === 'true';
const skipTshark = !hasTshark && !inCi ? 'tshark is not installed (apt-get install tshark)' : false;
const skipScapy = !hasScapy && !inCi ? 'scapy is not installed (apt-get install python3-scapy)' : false;

/** mulberry32: small, seeded, and the same on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Advert {
  version: 2 | 3; family: 4 | 6; vrid: number; priority: number; interval: number; addrs: string[];
  authPass?: string; plain: boolean; src: string; dst: string; msg: Uint8Array; checksum: number;
}

const normAddr = (s: string) => toHex(addrBytes(s.trim()));

function randomAdverts(n: number, seed: number): Advert[] {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const v4 = () => `${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`;
  const v6 = (prefix?: number) => {
    const b = new Uint8Array(16);
    for (let k = 0; k < 16; k++) b[k] = r() < 0.3 ? 0 : int(0, 255);
    if (prefix !== undefined) { b[0] = prefix >> 8; b[1] = prefix & 0xff; }
    return formatAddr(b, 0, 6);
  };
  const core = new Core('release');
  const out: Advert[] = [];
  for (let k = 0; k < n; k++) {
    const version = r() < 0.4 ? 2 : 3;
    const family = version === 2 || r() < 0.5 ? 4 : 6;
    const addrs = Array.from({ length: int(0, 20) }, () => (family === 4 ? v4() : v6()));
    const unicast = r() < 0.2;
    const src = family === 4 ? v4() : v6(0xfe80);
    const dst = unicast ? (family === 4 ? v4() : v6(0x2001)) : family === 4 ? '224.0.0.18' : 'ff02::12';
    const authPass = version === 2 && r() < 0.5
      ? Array.from({ length: int(1, 8) }, () => 'abcdefghijkmnopqrstuvwxyzABCDEFGH0123456789'[int(0, 42)]).join('') : undefined;
    const plain = version === 3 && family === 4 && r() < 0.5;
    const a = {
      version, family, vrid: int(1, 255), priority: int(0, 255), interval: version === 2 ? int(1, 255) : int(1, 4095),
      addrs, authPass, plain, src, dst,
    } as Omit<Advert, 'msg' | 'checksum'>;
    const msg = core.encodeAdvert({
      socket: 0, version, family, vrid: a.vrid, priority: a.priority,
      advertIntUs: version === 2 ? a.interval * 1e6 : a.interval * 1e4, src, group: dst, vips: addrs, authPass, v3ChecksumAsV2: plain,
    });
    out.push({ ...a, msg, checksum: (msg[6] << 8) | msg[7] });
  }
  return out;
}

function packetOf(a: Advert): Uint8Array {
  return a.family === 4 ? ipv4Wrap(a.msg, a.src, a.dst, 255) : ipv6Wrap(a.msg, a.src, a.dst, 255);
}

const ADVERTS = 400;

function withPcap<T>(adverts: Advert[], f: (file: string, dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-xcheck-'));
  try {
    const file = join(dir, 'adverts.pcap');
    writePcap(file, adverts.map((a) => ethernet(packetOf(a), a.family, a.vrid)));
    return f(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const TSHARK_FIELDS = [
  'frame.number', 'vrrp.version', 'vrrp.type', 'vrrp.virt_rtr_id', 'vrrp.prio', 'vrrp.addr_count', 'vrrp.auth_type',
  'vrrp.adver_int', 'vrrp.short_adver_int', 'vrrp.checksum', 'vrrp.checksum.status', 'vrrp.ip_addr', 'vrrp.ipv6_addr',
  'vrrp.auth_string',
];

function tshark(file: string, asV2: boolean): Record<string, string>[] {
  const args = ['-r', file, '-o', `vrrp.v3_checksum_as_in_v2:${asV2 ? 'TRUE' : 'FALSE'}`, '-T', 'fields',
    '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,', ...TSHARK_FIELDS.flatMap((f) => ['-e', f])];
  const p = spawnSync('tshark', args, { encoding: 'utf8', timeout: 60_000 });
  assert.equal(p.status, 0, p.stderr);
  return p.stdout.trimEnd().split('\n').map((line) => {
    const cols = line.split('\t');
    return Object.fromEntries(TSHARK_FIELDS.map((f, k) => [f, cols[k] ?? '']));
  });
}

// Wireshark's expert status values (epan/proto.h): 0 bad, 1 good.
const GOOD = '1';
const BAD = '0';

test('tshark dissects every advert the core encodes to the same fields, and agrees on the checksum', { skip: skipTshark }, () => {
  assert.ok(hasTshark, 'tshark is missing but CI=true: .ci/run must install it');
  const adverts = randomAdverts(ADVERTS, 0x5eed);
  assert.ok(adverts.some((a) => a.plain) && adverts.some((a) => a.family === 6) && adverts.some((a) => a.authPass));
  withPcap(adverts, (file) => {
    const pseudoRun = tshark(file, false);
    const plainRun = tshark(file, true);
    assert.equal(pseudoRun.length, adverts.length);
    adverts.forEach((a, k) => {
      const t = pseudoRun[k];
      const what = `advert ${k + 1} ${JSON.stringify({ ...a, msg: toHex(a.msg) })}`;
      assert.equal(Number(t['frame.number']), k + 1);
      assert.equal(Number(t['vrrp.version']), a.version, what);
      assert.equal(Number(t['vrrp.type']), 1, what);
      assert.equal(Number(t['vrrp.virt_rtr_id']), a.vrid, what);
      assert.equal(Number(t['vrrp.prio']), a.priority, what);
      assert.equal(Number(t['vrrp.addr_count']), a.addrs.length, what);
      assert.equal(Number(t[a.version === 2 ? 'vrrp.adver_int' : 'vrrp.short_adver_int']), a.interval, what);
      assert.equal(Number(t['vrrp.checksum']), a.checksum, what);
      const listed = t[a.family === 4 ? 'vrrp.ip_addr' : 'vrrp.ipv6_addr'];
      assert.deepEqual(listed === '' ? [] : listed.split(',').map(normAddr), a.addrs.map(normAddr), what);
      if (a.version === 2) {
        assert.equal(Number(t['vrrp.auth_type']), a.authPass ? 1 : 0, what);
        if (a.authPass) assert.equal(t['vrrp.auth_string'], a.authPass, what);
      }
      // Without the preference Wireshark checks v2 over the message and v3 over the pseudo-header ...
      assert.equal(t['vrrp.checksum.status'], a.plain ? BAD : GOOD, `${what}: pseudo-header run`);
      // ... and with vrrp.v3_checksum_as_in_v2 it checks v3 over IPv4 the message-only way.
      if (a.family === 4) assert.equal(plainRun[k]['vrrp.checksum.status'], a.version === 2 || a.plain ? GOOD : BAD, `${what}: v2-style run`);
    });
  });
});

const SCAPY_READ = String.raw`
import json, sys
from scapy.all import rdpcap
from scapy.layers.inet import IP, in4_chksum
from scapy.layers.inet6 import IPv6, in6_chksum
from scapy.layers.vrrp import VRRP, VRRPv3
from scapy.utils import checksum
for p in rdpcap(sys.argv[1]):
    l3 = p[IP] if IP in p else p[IPv6]
    v = p[VRRPv3] if VRRPv3 in p else p[VRRP]
    raw = bytes(l3.payload)
    if v.version == 3 and not isinstance(v, VRRPv3):
        # scapy 2.5 sends messages shorter than 9 bytes (a v3 advert with no address) to its v2 class.
        v = VRRPv3(raw)
    zeroed = raw[:6] + b'\0\0' + raw[8:]
    d = dict(version=v.version, type=v.type, vrid=v.vrid, priority=v.priority, count=v.ipcount, adv=v.adv,
             chksum=v.chksum, addrs=[str(x) for x in v.addrlist], plain=checksum(zeroed))
    if IP in p:
        d['pseudo'] = in4_chksum(112, l3, zeroed)
    else:
        d['pseudo'] = in6_chksum(112, l3, zeroed)
    if v.version == 2:
        d['authtype'] = v.authtype
        d['auth'] = (v.auth1.to_bytes(4, 'big') + v.auth2.to_bytes(4, 'big')).hex()
    print(json.dumps(d))
`;

test('scapy reads the same pcap to the same fields and recomputes the same checksums', { skip: skipScapy }, () => {
  assert.ok(hasScapy, 'scapy is missing but CI=true: .ci/run must install python3-scapy');
  const adverts = randomAdverts(ADVERTS, 0xc0ffee);
  withPcap(adverts, (file, dir) => {
    const script = join(dir, 'read.py');
    writeFileSync(script, SCAPY_READ);
    const p = spawnSync(PYTHON, [script, file], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(p.status, 0, p.stderr);
    const rows = p.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, adverts.length);
    adverts.forEach((a, k) => {
      const s = rows[k];
      const what = `advert ${k + 1} ${JSON.stringify({ ...a, msg: toHex(a.msg) })}`;
      assert.deepEqual(
        { version: s.version, type: s.type, vrid: s.vrid, priority: s.priority, count: s.count, adv: s.adv, chksum: s.chksum },
        { version: a.version, type: 1, vrid: a.vrid, priority: a.priority, count: a.addrs.length, adv: a.interval, chksum: a.checksum },
        what);
      assert.deepEqual(s.addrs.map(normAddr), a.addrs.map(normAddr), what);
      // scapy computes the message-only sum for v2 and the pseudo-header sum for v3 (in4_chksum / in6_chksum).
      assert.equal(a.version === 2 || a.plain ? s.plain : s.pseudo, a.checksum, what);
      if (a.version === 3) assert.notEqual(a.plain ? s.pseudo : s.plain, a.checksum, `${what}: the other form should differ`);
      if (a.version === 2) {
        assert.equal(s.authtype, a.authPass ? 1 : 0, what);
        assert.equal(s.auth, Buffer.from((a.authPass ?? '').padEnd(8, '\0'), 'latin1').toString('hex'), what);
      }
    });
  });
});

const SCAPY_MAKE = String.raw`
import json, random, sys
from scapy.layers.inet import IP, in4_chksum
from scapy.layers.inet6 import IPv6, in6_chksum
from scapy.layers.vrrp import VRRP, VRRPv3
from scapy.utils import checksum
random.seed(int(sys.argv[1]))
def v4():
    return '%d.%d.%d.%d' % (random.randint(1, 223), random.randint(0, 255), random.randint(0, 255), random.randint(1, 254))
def v6(prefix=None):
    b = bytearray(0 if random.random() < 0.3 else random.randint(0, 255) for _ in range(16))
    if prefix is not None:
        b[0], b[1] = prefix >> 8, prefix & 0xff
    import ipaddress
    return str(ipaddress.IPv6Address(bytes(b)))
for _ in range(int(sys.argv[2])):
    version = 2 if random.random() < 0.4 else 3
    family = 4 if version == 2 or random.random() < 0.5 else 6
    n = random.randint(0, 20)
    addrs = [v4() if family == 4 else v6() for _ in range(n)]
    src = v4() if family == 4 else v6(0xfe80)
    dst = ('224.0.0.18' if family == 4 else 'ff02::12') if random.random() < 0.8 else (v4() if family == 4 else v6(0x2001))
    vrid, prio = random.randint(1, 255), random.randint(0, 255)
    if version == 2:
        authtype = random.choice([0, 1])
        a1, a2 = (random.getrandbits(32), random.getrandbits(32)) if authtype else (0, 0)
        adv = random.randint(1, 255)
        pkt = IP(src=src, dst=dst, ttl=255) / VRRP(vrid=vrid, priority=prio, adv=adv, authtype=authtype, auth1=a1, auth2=a2, addrlist=addrs)
    else:
        adv = random.randint(1, 4095)
        l3 = IP(src=src, dst=dst, ttl=255) if family == 4 else IPv6(src=src, dst=dst, hlim=255)
        pkt = l3 / VRRPv3(vrid=vrid, priority=prio, adv=adv, addrlist=addrs)
    pkt = pkt.__class__(bytes(pkt))
    l3 = pkt[IP] if family == 4 else pkt[IPv6]
    v = l3.payload
    raw = bytes(v)
    zeroed = raw[:6] + b'\0\0' + raw[8:]
    plain = checksum(zeroed)
    pseudo = in4_chksum(112, l3, zeroed) if family == 4 else in6_chksum(112, l3, zeroed)
    roll = random.random()
    if version == 3 and family == 4 and roll < 0.3:
        v.chksum = plain
    elif roll > 0.8:
        v.chksum = v.chksum ^ random.randint(1, 0xffff)
    good = {plain} if version == 2 else ({plain, pseudo} if family == 4 else {pseudo})
    form = 'none'
    if v.chksum in good:
        form = 'plain' if version == 2 or v.chksum == plain and v.chksum != pseudo else 'pseudo-header'
    wire = bytes(pkt)
    print(json.dumps(dict(family=family, hex=(wire if family == 4 else bytes(v)).hex(), src=src, dst=dst,
        version=version, vrid=vrid, priority=prio, count=n, adv=adv, chksum=v.chksum, addrs=addrs,
        authtype=v.authtype if version == 2 else None,
        auth=(v.auth1.to_bytes(4, 'big') + v.auth2.to_bytes(4, 'big')).hex() if version == 2 else None,
        valid=v.chksum in good, form=form)))
`;

test('adverts scapy makes decode to the same fields and validity in our core', { skip: skipScapy }, () => {
  assert.ok(hasScapy, 'scapy is missing but CI=true: .ci/run must install python3-scapy');
  const dir = mkdtempSync(join(tmpdir(), 'vipd-xcheck-'));
  try {
    const script = join(dir, 'make.py');
    writeFileSync(script, SCAPY_MAKE);
    const p = spawnSync(PYTHON, [script, '2024', String(ADVERTS)], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(p.status, 0, p.stderr);
    const rows = p.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, ADVERTS);
    assert.ok(rows.some((s) => !s.valid) && rows.some((s) => s.form === 'plain' && s.version === 3));
    const core = new Core('release');
    for (const s of rows) {
      const bytes = Uint8Array.from(Buffer.from(s.hex, 'hex'));
      const d = s.family === 4
        ? core.decodeAdvert(bytes, { family: 4, ipHeader: true })
        : core.decodeAdvert(bytes, { family: 6, src: s.src, dst: s.dst, ttl: 255 });
      const what = JSON.stringify(s);
      assert.deepEqual(
        { version: d.version, vrid: d.vrid, priority: d.priority, count: d.count, interval: d.interval, checksum: d.checksum },
        { version: s.version, vrid: s.vrid, priority: s.priority, count: s.count, interval: s.adv, checksum: s.chksum }, what);
      assert.deepEqual(d.addresses.map(normAddr), s.addrs.map(normAddr), what);
      assert.equal(d.valid, s.valid, `${what}: ${d.reason}`);
      assert.equal(d.valid ? 'ok' : d.reason, s.valid ? 'ok' : 'bad-checksum', what);
      assert.equal(d.checksumForm, s.form, what);
      if (s.version === 2) {
        assert.equal(d.authType, s.authtype, what);
        assert.equal(d.authData, Buffer.from(s.auth, 'hex').toString('latin1').replace(/\0+$/, ''), what);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
