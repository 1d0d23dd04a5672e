// Lexer features one by one, the model for a small config, and golden error text for common mistakes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Diagnostics } from '../../host/config/diagnostics.ts';
import { lex } from '../../host/config/lexer.ts';
import { fixedSystem, loadConfig, memoryFs, renderDiagnostics } from '../../host/config/index.ts';

const words = (files: Record<string, string>, configId = 'n1') => {
  const d = new Diagnostics();
  const lines = lex('/c/k.conf', { fs: memoryFs(files), configId, allConfig: false, random: () => 0 }, d);
  return { lines: lines.map((l) => l.tokens.map((t) => t.text).join(' ')), d: d.list };
};
const sys = fixedSystem(['lo', 'eth0', 'eth1']);
const load = (text: string, id = 'n1') => loadConfig('/c/k.conf', { fs: memoryFs({ '/c/k.conf': text }), system: sys, configId: id });

test('comments with # and ! anywhere, not inside quotes', () => {
  assert.deepEqual(words({ '/c/k.conf': 'a b # c\nx ! y\n"q # r" s\n' }).lines, ['a b', 'x', 'q # r s']);
});

test('braces are tokens of their own', () => {
  assert.deepEqual(words({ '/c/k.conf': 'v {a}}' }).lines, ['v { a } }']);
});

test('quotes keep whitespace and take C escapes', () => {
  const d = new Diagnostics();
  const l = lex('/c/k.conf', { fs: memoryFs({ '/c/k.conf': `x "a b\\tc\\x41\\101\\n" 'it''s'` }), configId: '', allConfig: false }, d);
  assert.equal(l[0].tokens[1].text, 'a b\tcAA\n');
  assert.equal(l[0].tokens[2].text, 'its');
  assert.equal(l[0].tokens[1].col, 3);
});

test('include with globs and paths relative to the including file', () => {
  const r = words({ '/c/k.conf': 'include sub/*.conf\nend', '/c/sub/a.conf': 'A', '/c/sub/b.conf': 'include ../x.inc', '/c/x.inc': 'X' });
  assert.deepEqual(r.lines, ['A', 'X', 'end']);
});

test('include brace patterns; includem without a match is an error, include is not', () => {
  assert.deepEqual(words({ '/c/k.conf': 'include {p,q}.conf', '/c/p.conf': 'P', '/c/q.conf': 'Q' }).lines, ['P', 'Q']);
  assert.equal(words({ '/c/k.conf': 'include none*.conf' }).d.filter((x) => x.status).length, 0);
  assert.equal(words({ '/c/k.conf': 'includem none*.conf' }).d[0].status, 'security');
});

test('@ID and @^ID conditional lines', () => {
  const text = '@n1 mine\n@n2 other\n@^n1 notmine\n@^n2 notother\n';
  assert.deepEqual(words({ '/c/k.conf': text }).lines, ['mine', 'notother']);
  assert.deepEqual(words({ '/c/k.conf': text }, 'n2').lines, ['other', 'notmine']);
});

test('$NAME=value parameters: ${NAME}, $NAME, late binding, multi-line, built-ins', () => {
  const text = '$A=1\n$B=${A}0\nx $B ${B}y $Bz\n$A=2\ny $B\n$M=l1 \\\nl2\n$M\nh ${_HASH}${_BANG} ${_PWD} ${_ENV HOMEX}.\n';
  const d = new Diagnostics();
  const l = lex('/c/k.conf', { fs: memoryFs({ '/c/k.conf': text }), configId: '', allConfig: false, env: { HOMEX: 'hx' } }, d);
  assert.deepEqual(l.map((x) => x.tokens.map((t) => t.text).join(' ')), ['x 10 10y $Bz', 'y 20', 'l1', 'l2', 'h #! /c hx.']);
});

test('~SEQ, ~SEQx and ~LST generators, nested', () => {
  assert.deepEqual(words({ '/c/k.conf': '~SEQ(i, 1, 2, 5) n${i}' }).lines, ['n1', 'n3', 'n5']);
  assert.deepEqual(words({ '/c/k.conf': '~SEQx(i, 9, 1, 11) h$i' }).lines, ['h9', 'ha', 'hb']);
  assert.deepEqual(words({ '/c/k.conf': '~LST(v, a, b) x${v}' }).lines, ['xa', 'xb']);
  assert.deepEqual(words({ '/c/k.conf': '~LST({p,q},{1,2},{3,4}) ${p}-${q}' }).lines, ['1-2', '3-4']);
  assert.deepEqual(words({ '/c/k.conf': '~SEQ(i, 1, 1, 2) ~LST(j, a, b) ${i}${j}' }).lines, ['1a', '1b', '2a', '2b']);
});

test('the model carries what the VRRP engine needs, defaults filled in', () => {
  const r = load(`global_defs { vrrp_garp_master_delay 7 }
vrrp_instance V { interface eth0
  state MASTER
  virtual_router_id 42
  advert_int 2
  unicast_src_ip 10.203.0.1
  unicast_peer { 10.203.0.2 min_ttl 250 }
  authentication { auth_type PASS
    auth_pass secret }
  virtual_ipaddress { 10.203.0.10/24 dev eth1 label eth1:v
    10.203.0.11 }
  virtual_ipaddress_excluded { fd00:203::1 }
}`);
  assert.equal(r.exitCode, 0, renderDiagnostics(r.diagnostics));
  const i = r.config.instances[0];
  assert.equal(i.priority, 255);
  assert.equal(i.initialState, 'MASTER');
  assert.equal(i.advertIntUs, 2_000_000);
  assert.equal(i.garp.masterDelayUs, 7_000_000);
  assert.equal(i.checkUnicastSrc, true);
  assert.equal(i.unicastPeers[0].minTtl, 250);
  assert.deepEqual([...i.auth!.pass], [...Buffer.from('secret\0\0')]);
  assert.deepEqual(i.vips.map((v) => `${v.addr}/${v.prefix}`), ['10.203.0.10/24', '10.203.0.11/32']);
  assert.equal(i.vips[0].label, 'eth1:v');
  assert.equal(i.excludedVips[0].family, 'inet6');
});

test('v3 advert_int rounds to 10 ms; v2 rounds to whole seconds with a warning', () => {
  const base = (extra: string) => load(`vrrp_instance V { interface eth0\n virtual_router_id 1\n ${extra}\n virtual_ipaddress { 10.203.0.1 } }`);
  const v3 = base('version 3\n advert_int 0.123');
  assert.equal(v3.exitCode, 0);
  assert.equal(v3.config.instances[0].advertIntUs, 120_000);
  const v2 = base('advert_int 0.4');
  assert.equal(v2.exitCode, 5);
  assert.equal(v2.config.instances[0].advertIntUs, 1_000_000);
});

// Golden error text: what a user sees for the common mistakes.
const golden: [string, string][] = [
  ['vrrp_instance V { interface eth0\n virtual_router_id 300\n virtual_ipaddress { 10.203.0.1 } }',
    "/c/k.conf:2:20: error: 'virtual_router_id': number '300' outside range [1, 255] (expected [1, 255], found '300')\n" +
    "/c/k.conf:1:1: error: 'virtual_router_id': (V) the virtual router id must be set (expected virtual_router_id 1..255, found nothing)\n"],
  ['vrrp_instance V { interface eth0\n virtual_router_id 3\n priorty 50\n virtual_ipaddress { 10.203.0.1 } }',
    "/c/k.conf:3:2: error: 'priorty': unknown keyword 'priorty' in vrrp_instance (expected a keyword valid in vrrp_instance, found 'priorty')\n"],
  ['vrrp_instance V { interface eth9\n virtual_router_id 3\n virtual_ipaddress { 10.203.0.1 } }',
    "/c/k.conf:1:29: error: 'interface': (V) interface eth9 does not exist (expected one of: eth0, eth1, lo, found 'eth9')\n"],
  ['vrrp_instance V { interface eth0\n virtual_router_id 3\n virtual_ipaddress { 10.203.0.300 } ',
    "/c/k.conf:1:17: error: '{': block opened here is never closed (1 missing '}') (expected }, found 'end of file')\n" +
    "/c/k.conf:3:22: error: 'virtual_ipaddress': invalid address '10.203.0.300' (expected ADDR[/PREFIX], found '10.203.0.300')\n" +
    "/c/k.conf:3:2: warning: 'virtual_ipaddress': (V) no VIP specified; at least one is sensible (expected virtual_ipaddress { ADDR }, found nothing)\n"],
  ['vrrp_instance V { interface eth0\n virtual_router_id 3\n priority\n virtual_ipaddress { 10.203.0.1 } }',
    "/c/k.conf:3:10: error: 'priority': missing parameter after 'priority' (expected a priority 1..255, found nothing)\n"],
];

test('golden error text for common mistakes', () => {
  for (const [text, want] of golden) assert.equal(renderDiagnostics(load(text).diagnostics), want);
});

test('exit codes: 2 missing parameter, 5 config error, 6 script security, 4 missing file with -e', () => {
  assert.equal(load('vrrp_instance V { interface eth0\n virtual_router_id\n}').exitCode, 2);
  assert.equal(load('foo').exitCode, 5);
  const sec = loadConfig('/c/k.conf', { fs: memoryFs({ '/c/k.conf': 'vrrp_script s { script "/bin/true" }\nfoo' }), system: fixedSystem(['eth0'], ['root'], ['/bin/true']) });
  assert.equal(sec.exitCode, 6);
  assert.equal(loadConfig('/nonexist', { fs: memoryFs({}), allConfig: true }).exitCode, 4);
  assert.equal(loadConfig('/nonexist', { fs: memoryFs({}) }).exitCode, 0);
});
