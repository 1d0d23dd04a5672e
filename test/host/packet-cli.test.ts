// `vipd packet decode|encode` through the real program (commander wiring, the release core), and once as a process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { runVipd as vipd } from './helpers/cli.ts';

const V4 = ['--src', '192.0.2.2', '--dst', '224.0.0.18'];
const V6 = ['--src', 'fe80::1', '--dst', 'ff02::12'];

// The golden vectors of the core (VRID 51, priority 100, one VIP): RFC-shaped bytes checked by hand.
const GOLDEN = {
  v2: '213364010001b865c00002640000000000000000',
  v3: '3133640100640571c0000264',
  v3plain: '313364010064a802c0000264',
  v3ipv6: '3133640200643ecafe80000000000000000000000000003320010db8000000000000000000000100',
};

test('encode reproduces the golden adverts for v2, v3 (both IPv4 checksum forms) and v3/IPv6', async () => {
  const base = ['packet', 'encode', '--vrid', '51', '--priority', '100'];
  assert.deepEqual(await vipd(...base, '--version', '2', '--interval', '1', ...V4, '192.0.2.100'), { code: 0, out: GOLDEN.v2 + '\n', err: '' });
  assert.equal((await vipd(...base, '--version', '3', '--interval', '100', ...V4, '192.0.2.100')).out, GOLDEN.v3 + '\n');
  assert.equal((await vipd(...base, '--version', '3', '--interval', '100', '--v3-checksum-as-v2', ...V4, '192.0.2.100')).out, GOLDEN.v3plain + '\n');
  assert.equal((await vipd(...base, '--version', '3', '--interval', '100', ...V6, 'fe80::33', '2001:db8::100')).out, GOLDEN.v3ipv6 + '\n');
});

test('decode of a whole IPv4 packet reports every field, the checksum form, and validity', async () => {
  const enc = await vipd('packet', 'encode', '--version', '2', '--vrid', '51', '--priority', '100', '--interval', '1',
    '--auth-pass', 'secret', '--ip', ...V4, '192.0.2.100', '192.0.2.101');
  assert.equal(enc.code, 0);
  assert.match(enc.out, /^45/);
  const r = await vipd('packet', 'decode', enc.out.trim());
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), {
    input: 'ipv4-packet', family: 4, valid: true, version: 2, type: 1, vrid: 51, priority: 100, count: 2,
    interval: 1, intervalUnit: 's', authType: 1, authData: 'secret', checksum: JSON.parse(r.out).checksum,
    checksumForm: 'plain', ttl: 255, src: '192.0.2.2', dst: '224.0.0.18', addresses: ['192.0.2.100', '192.0.2.101'],
    length: 24, expectedLength: 24,
  });
});

test('decode of bare messages takes the pseudo-header from --src/--dst and tells the checksum forms apart', async () => {
  const v3 = JSON.parse((await vipd('packet', 'decode', GOLDEN.v3, ...V4)).out);
  assert.equal(v3.valid, true);
  assert.equal(v3.checksumForm, 'pseudo-header');
  assert.equal(v3.interval, 100);
  assert.equal(v3.intervalUnit, 'cs');
  assert.equal(v3.checksum, '0x0571');
  const plain = JSON.parse((await vipd('packet', 'decode', GOLDEN.v3plain, ...V4, '--v3-checksum-as-v2')).out);
  assert.equal(plain.valid, true);
  assert.equal(plain.checksumForm, 'plain');
  // The pseudo-header form depends on the addresses: another source breaks it.
  const wrongSrc = await vipd('packet', 'decode', GOLDEN.v3, '--src', '192.0.2.3', '--dst', '224.0.0.18');
  assert.equal(wrongSrc.code, 1);
  const w = JSON.parse(wrongSrc.out);
  assert.equal(w.reason, 'bad-checksum');
  assert.equal(w.checksumForm, 'none');
  assert.equal(w.expectedChecksum.plain, '0xa802');
  assert.notEqual(w.expectedChecksum.pseudoHeader, '0x0571');
  const v6 = JSON.parse((await vipd('packet', 'decode', GOLDEN.v3ipv6, ...V6)).out);
  assert.equal(v6.family, 6);
  assert.equal(v6.valid, true);
  assert.deepEqual(v6.addresses, ['fe80::33', '2001:db8::100']);
  assert.equal(v6.checksum, '0x3eca');
});

test('decode of a bare v3 message without --src/--dst: the pseudo-header checksum is unverified, neither valid nor invalid', async () => {
  const bare = await vipd('packet', 'decode', GOLDEN.v3);
  assert.equal(bare.code, 0, bare.out);
  const b = JSON.parse(bare.out);
  assert.equal(b.valid, true);
  assert.equal(b.checksumForm, 'unverified');
  assert.match(b.checksumNote, /covers the source and destination addresses: give --src and --dst to check it/);
  for (const k of ['reason', 'reasonCode', 'expectedChecksum']) assert.ok(!(k in b), `${k} in ${bare.out}`);
  // A corrupted sum cannot be told from a good one without the addresses; with them it is refused.
  const corrupt = GOLDEN.v3.slice(0, 12) + '0572' + GOLDEN.v3.slice(16);
  const c = JSON.parse((await vipd('packet', 'decode', corrupt)).out);
  assert.deepEqual([c.valid, c.checksumForm], [true, 'unverified']);
  const withAddrs = await vipd('packet', 'decode', corrupt, ...V4);
  assert.equal(withAddrs.code, 1);
  assert.equal(JSON.parse(withAddrs.out).reason, 'bad-checksum');
  // One address given: the note names the one missing.
  const onlyDst = JSON.parse((await vipd('packet', 'decode', GOLDEN.v3, '--dst', '224.0.0.18')).out);
  assert.equal(onlyDst.checksumForm, 'unverified');
  assert.match(onlyDst.checksumNote, /give --src to check it/);
  const v6 = JSON.parse((await vipd('packet', 'decode', GOLDEN.v3ipv6, '--dst', 'ff02::12')).out);
  assert.deepEqual([v6.family, v6.valid, v6.checksumForm], [6, true, 'unverified']);
  // The message-only form needs no address: recognised, and a v2 sum is still judged.
  const plain = JSON.parse((await vipd('packet', 'decode', GOLDEN.v3plain)).out);
  assert.deepEqual([plain.valid, plain.checksumForm, plain.checksumNote], [true, 'plain', undefined]);
  const badV2 = await vipd('packet', 'decode', GOLDEN.v2.slice(0, 12) + 'b866' + GOLDEN.v2.slice(16));
  assert.equal(badV2.code, 1);
  assert.deepEqual([JSON.parse(badV2.out).reason, JSON.parse(badV2.out).checksumForm], ['bad-checksum', 'none']);
  // The other checks still run: a wrong TTL is still refused, and says the checksum was not judged.
  const ttl = await vipd('packet', 'decode', GOLDEN.v3, '--ttl', '64');
  assert.equal(ttl.code, 1);
  assert.deepEqual([JSON.parse(ttl.out).reason, JSON.parse(ttl.out).checksumForm], ['bad-ttl', 'unverified']);
  // A whole packet carries its addresses: a bad sum there is a bad sum.
  const enc = await vipd('packet', 'encode', '--version', '3', '--vrid', '51', '--priority', '100', '--interval', '100', '--ip', ...V4, '192.0.2.100');
  const pkt = enc.out.trim();
  const badPkt = pkt.slice(0, 40 + 12) + '0572' + pkt.slice(40 + 16);
  const p = await vipd('packet', 'decode', badPkt);
  assert.equal(p.code, 1);
  assert.equal(JSON.parse(p.out).reason, 'bad-checksum');
});

test('decode names the first problem: TTL, checksum, length, version', async () => {
  const ttl = await vipd('packet', 'decode', GOLDEN.v2, ...V4, '--ttl', '64');
  assert.equal(ttl.code, 1);
  assert.equal(JSON.parse(ttl.out).reason, 'bad-ttl');
  const badSum = GOLDEN.v2.slice(0, 12) + 'b866' + GOLDEN.v2.slice(16);
  const bs = JSON.parse((await vipd('packet', 'decode', badSum, ...V4)).out);
  assert.equal(bs.reason, 'bad-checksum');
  assert.equal(bs.expectedChecksum.plain, '0xb865');
  const short = JSON.parse((await vipd('packet', 'decode', GOLDEN.v2.slice(0, 24), ...V4)).out);
  assert.equal(short.reason, 'bad-length');
  assert.equal(short.checksumForm, 'not-checked');
  assert.equal(short.expectedLength, 20);
  const tiny = JSON.parse((await vipd('packet', 'decode', '4500')).out);
  assert.deepEqual(Object.keys(tiny).sort(), ['family', 'input', 'reason', 'reasonCode', 'reasonText', 'valid']);
  assert.equal(tiny.reason, 'too-short');
  // Over IPv6 the same v2 message is read with 16-byte addresses, so its length no longer fits its count.
  const v2over6 = JSON.parse((await vipd('packet', 'decode', GOLDEN.v2, ...V6)).out);
  assert.equal(v2over6.reason, 'bad-length');
  assert.equal(v2over6.expectedLength, 32);
});

test('priority 0 encodes and decodes back (the resigning master)', async () => {
  const e = await vipd('packet', 'encode', '--version', '3', '--vrid', '7', '--priority', '0', '--interval', '5', ...V6);
  assert.equal(e.code, 0, e.err);
  const d = JSON.parse((await vipd('packet', 'decode', e.out.trim(), ...V6)).out);
  assert.equal(d.valid, true);
  assert.equal(d.priority, 0);
  assert.equal(d.count, 0);
  assert.equal(d.interval, 5);
});

test('bad input is one line on stderr and exit code 2', async () => {
  const enc = ['packet', 'encode', '--version', '3', '--vrid', '1', '--priority', '100', '--interval', '100'];
  const cases: [string[], RegExp][] = [
    [['packet', 'decode', 'zz'], /not hex/],
    [['packet', 'decode', 'abc'], /odd number of hex digits/],
    [['packet', 'decode', GOLDEN.v3, '--src', '192.0.2.300'], /--src is not an IP address/],
    [['packet', 'decode', GOLDEN.v3, '--src', '192.0.2.2', '--dst', 'ff02::12'], /mixed address families/],
    [['packet', 'decode', GOLDEN.v3, '--ttl', '256'], /--ttl must be 0\.\.255/],
    [['packet', 'decode', '4500001c', '--src', '192.0.2.2'], /whole IP packet/],
    [['packet', 'decode', '45'.repeat(4205)], /4205 bytes is longer than any VRRP advert/],
    [[...enc, '--src', '192.0.2.2', '--dst', '224.0.0.18', '2001:db8::1'], /mixed address families/],
    [[...enc, '--src', 'nope', '--dst', '224.0.0.18'], /--src is not an IP address/],
    [['packet', 'encode', '--version', '4', '--vrid', '1', '--priority', '1', '--interval', '1', ...V4], /--version must be 2\.\.3/],
    [['packet', 'encode', '--version', '3', '--vrid', '0', '--priority', '1', '--interval', '1', ...V4], /--vrid must be 1\.\.255/],
    [['packet', 'encode', '--version', '3', '--vrid', '1', '--priority', '256', '--interval', '1', ...V4], /--priority must be 0\.\.255/],
    [['packet', 'encode', '--version', '3', '--vrid', '1', '--priority', '1', '--interval', '4096', ...V4], /centiseconds, v3\) must be 1\.\.4095/],
    [['packet', 'encode', '--version', '2', '--vrid', '1', '--priority', '1', '--interval', '256', ...V4], /seconds, v2\) must be 1\.\.255/],
    [['packet', 'encode', '--version', '2', '--vrid', '1', '--priority', '1', '--interval', '1.5', ...V4], /whole number/],
    [['packet', 'encode', '--version', '2', '--vrid', '1', '--priority', '1', '--interval', '1', ...V6], /no IPv6 form/],
    [['packet', 'encode', '--version', '2', '--vrid', '1', '--priority', '1', '--interval', '1', '--auth-pass', '123456789', ...V4], /1\.\.8/],
    [[...enc, '--auth-pass', 'x', ...V4], /version 2 only/],
  ];
  for (const [argv, msg] of cases) {
    const r = await vipd(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.equal(r.out, '', argv.join(' '));
    assert.match(r.err, msg, argv.join(' '));
    assert.equal(r.err.trimEnd().split('\n').length, 1, `one line: ${r.err}`);
  }
  // commander's own usage errors end with 2 as well
  const missing = await vipd('packet', 'encode', '--vrid', '3');
  assert.equal(missing.code, 2);
  assert.match(missing.err, /required option/);
  assert.equal((await vipd('packet', 'frobnicate')).code, 2);
});

test('encode --help states the interval units', async () => {
  const r = await vipd('packet', 'encode', '--help');
  assert.equal(r.code, 0);
  assert.match(r.out, /v2 in SECONDS/);
  assert.match(r.out, /v3 in\s+CENTISECONDS/);
});

test('bin/vipd.js packet runs as a process: encode, decode, and exit code 2 on bad input', () => {
  const bin = new URL('../../bin/vipd.js', import.meta.url).pathname;
  const run = (...a: string[]) => spawnSync(process.execPath, [bin, 'packet', ...a], { encoding: 'utf8', timeout: 30_000 });
  const e = run('encode', '--version', '3', '--vrid', '51', '--priority', '100', '--interval', '100', ...V4, '192.0.2.100');
  assert.equal(e.status, 0, e.stderr);
  assert.equal(e.stdout, GOLDEN.v3 + '\n');
  const d = run('decode', e.stdout.trim(), ...V4);
  assert.equal(d.status, 0, d.stderr);
  assert.equal(JSON.parse(d.stdout).vrid, 51);
  const bad = run('decode', 'xyz');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^vipd packet decode: not hex/);
});
