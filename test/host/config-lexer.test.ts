// Lexer features one by one, the model for a small config, and golden error text for common mistakes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Diagnostics } from '../../host/config/diagnostics.ts';
import { lex } from '../../host/config/lexer.ts';
import { fixedSystem, loadConfig, memoryFs, renderDiagnostics } from '../../host/config/index.ts';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { KEEPALIVED, keepalivedTest, makeNetns, requireKeepalived } from '../fixtures/config/keepalived-runner.ts';

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
  assert.equal(words({ '/c/k.conf': 'includem none.conf' }).d[0].status, 'security');
  // 2.2.7: "match" is about literal paths; an unmatched wildcard only matters to includew/includea.
  assert.equal(words({ '/c/k.conf': 'includem none*.conf' }).d.filter((x) => x.status).length, 0);
});

test('@ID and @^ID conditional lines', () => {
  const text = '@n1 mine\n@n2 other\n@^n1 notmine\n@^n2 notother\n';
  assert.deepEqual(words({ '/c/k.conf': text }).lines, ['mine', 'notother']);
  assert.deepEqual(words({ '/c/k.conf': text }, 'n2').lines, ['other', 'notmine']);
});

test('$NAME=value parameters: ${NAME}, $NAME, late binding, multi-line, built-ins', () => {
  // An unquoted # or ! from a value ends the line, as 2.2.7's word splitter does; quoted, it is kept.
  const text = '$A=1\n$B=${A}0\nx $B ${B}y $Bz\n$A=2\ny $B\n$M=l1 \\\nl2\n$M\nh "${_HASH}${_BANG}" ${_PWD} ${_INSTANCE}.\nc ${_HASH} gone\n';
  const d = new Diagnostics();
  const l = lex('/c/k.conf', { fs: memoryFs({ '/c/k.conf': text }), configId: 'node7', allConfig: false }, d);
  assert.deepEqual(l.map((x) => x.tokens.map((t) => t.text).join(' ')), ['x 10 10y $Bz', 'y 20', 'l1', 'l2', 'h #! /c node7.', 'c']);
  assert.equal(d.list.length, 0);
});

test('${_ENV VAR} (newer than 2.2.7) is expanded but keeps 2.2.7\'s verdict', () => {
  const d = new Diagnostics();
  const l = lex('/c/k.conf', { fs: memoryFs({ '/c/k.conf': 'e ${_ENV HOMEX}' }), configId: '', allConfig: false, env: { HOMEX: 'hx' } }, d);
  assert.deepEqual(l[0].tokens.map((t) => t.text), ['e', 'hx']);
  assert.equal(d.list[0].status, 'error');
  assert.match(d.list[0].message, /not a keepalived 2\.2\.7 built-in/);
});

test('~SEQ, ~SEQx and ~LST generators, nested', () => {
  assert.deepEqual(words({ '/c/k.conf': '~SEQ(i, 1, 2, 5) n${i}' }).lines, ['n1', 'n3', 'n5']);
  assert.deepEqual(words({ '/c/k.conf': '~SEQx(i, 9, 1, 11) h$i' }).lines, ['h9', 'ha', 'hb']);
  assert.deepEqual(words({ '/c/k.conf': '~LST(v, a, b) x${v}' }).lines, ['xa', 'xb']);
  assert.deepEqual(words({ '/c/k.conf': '~LST({p,q},{1,2},{3,4}) ${p}-${q}' }).lines, ['1-2', '3-4']);
  assert.deepEqual(words({ '/c/k.conf': '~SEQ(i, 1, 1, 2) ~LST(j, a, b) ${i}${j}' }).lines, ['1a', '1b', '2a', '2b']);
});

test('${_RANDOM [min [max]]}: 0..32767 by default, a single number is the minimum, other parameters are not expanded', () => {
  const at = (r: number, text: string) => {
    const d = new Diagnostics();
    return lex('/c/k.conf', { fs: memoryFs({ '/c/k.conf': text }), configId: '', allConfig: false, random: () => r }, d)[0].tokens.map((t) => t.text).join(' ');
  };
  assert.equal(at(0, 'r ${_RANDOM}'), 'r 0');
  assert.equal(at(0.999999, 'r ${_RANDOM}'), 'r 32767');
  assert.equal(at(0, 'r ${_RANDOM 300}'), 'r 300');
  assert.equal(at(0.999999, 'r ${_RANDOM 300}'), 'r 32767');
  assert.equal(at(0.5, 'r ${_RANDOM 5 5}'), 'r 5');
  assert.equal(at(0.5, 'r ${_RANDOM 10 19}'), 'r 15');
  // keepalived only takes digits and single spaces as parameters; anything else stays as written.
  assert.equal(at(0.5, 'r ${_RANDOM a}'), 'r $ { _RANDOM a }');
  assert.equal(at(0.5, 'r ${_RANDOM 5 }'), 'r $ { _RANDOM 5 }');
});

test('~SEQ counts as keepalived does: (var, end) from 1 or -1, (var, start, end) by ±1, bad steps are errors', () => {
  const seq = (text: string) => {
    const r = words({ '/c/k.conf': text });
    return { lines: r.lines, errors: r.d.filter((x) => x.status).map((x) => `${x.line}:${x.col} ${x.message}`) };
  };
  assert.deepEqual(seq('~SEQ(i, 3) n$i').lines, ['n1', 'n2', 'n3']);
  assert.deepEqual(seq('~SEQ(i, 0) n$i').lines, ['n1', 'n0']);
  assert.deepEqual(seq('~SEQ(i, -2) n$i').lines, ['n-1', 'n-2']);
  assert.deepEqual(seq('~SEQ(i, 3, 1) n$i').lines, ['n3', 'n2', 'n1']);
  assert.deepEqual(seq('~SEQ(i, 010, 0x0a) n$i').lines, ['n8', 'n9', 'n10']);
  assert.deepEqual(seq('~SEQ(i, 3, -1, 1) n$i').lines, ['n3', 'n2', 'n1']);
  for (const bad of ['~SEQ(i,1,1,0) x', '~SEQ(i,1,0,3) x', '~SEQ(i,3,1,1) x']) {
    const r = seq(bad);
    assert.deepEqual(r.lines, []);
    assert.equal(r.errors.length, 1, bad);
    assert.match(r.errors[0], /^1:1 invalid ~SEQ values/);
  }
  assert.match(seq('~SEQ(i) x').errors[0], /invalid ~SEQ definition/);
  assert.match(seq('~SEQ(i,1x,2) x').errors[0], /invalid ~SEQ definition/);
  assert.match(seq('~SEQx(i,-1,2) x').errors[0], /only valid for positive/);
  // The variable keeps its last value after the loop, as in keepalived.
  assert.deepEqual(seq('~SEQ(i, 2) a$i\nafter $i').lines, ['a1', 'a2', 'after 2']);
});

test('include is recognised after @ID and $NAME expansion (2.2.7 checks the expanded line)', () => {
  const files = { '/c/k.conf': '$D=sub\ninclude ${D}/a.conf\n@n1 include b.conf\n@n2 include c.conf', '/c/sub/a.conf': 'A', '/c/b.conf': 'B', '/c/c.conf': 'C' };
  assert.deepEqual(words(files).lines, ['A', 'B']);
  // Only include and include[rmwba] followed by a pattern are include lines.
  assert.deepEqual(words({ '/c/k.conf': 'include\nincludet x.conf' }).lines, ['include', 'includet x.conf']);
});

test('an include loop is reported at the include line, as an error only when the read check applies', () => {
  const plain = words({ '/c/k.conf': '! top\ninclude l.conf', '/c/l.conf': '# loop\n  include l.conf\nX' });
  const loop = plain.d.filter((x) => /include loop/.test(x.message));
  assert.equal(loop.length, 1);
  assert.deepEqual([loop[0].file, loop[0].line, loop[0].col, loop[0].status], ['/c/l.conf', 2, 3, null]);
  // keepalived re-reads the file until it runs out of descriptors; vipd stops at 32 levels (X 31 times + once).
  assert.equal(plain.lines.filter((l) => l === 'X').length, 31);
  const strict = words({ '/c/k.conf': 'includer l.conf', '/c/l.conf': 'includer l.conf' });
  assert.equal(strict.d.find((x) => /include loop/.test(x.message))!.status, 'security');
});

test('include_check in global_defs sets the checks of the includes after it, and an included file\'s change ends with it', () => {
  const st = (text: string, extra: Record<string, string> = {}) => words({ '/c/k.conf': text, ...extra }).d.filter((x) => x.status).map((x) => x.status);
  assert.deepEqual(st('global_defs {\n include_check match\n}\ninclude none.conf'), ['security']);
  assert.deepEqual(st('include none.conf\nglobal_defs {\n include_check match\n}'), []);
  assert.deepEqual(st('global_defs {\n include_check\n}\ninclude none*.conf'), ['security']);
  assert.deepEqual(st('global_defs {\n include_check match -match\n}\ninclude none.conf'), []);
  assert.deepEqual(st('include g.conf\ninclude none.conf', { '/c/g.conf': 'global_defs {\n include_check match\n}' }), []);
  // Outside global_defs it is not include_check (the parser reports the unknown keyword).
  assert.deepEqual(st('vrrp_script s {\n include_check match\n}\ninclude none.conf'), []);
  const words2 = load('global_defs {\n include_check readable match\n}').diagnostics.filter((x) => x.status).map((x) => x.message);
  assert.equal(words2.length, 2);
  assert.match(words2[0], /unknown include_check type 'readable'/);
  assert.match(words2[1], /duplicate include_check 'match'/);
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

test('a backslash: `\\#`/`\\!` outside quotes start a comment, one that ends the line is glued to the word before', () => {
  // keepalived 2.2.7's VRRP process reads the parent's decommented copy and decomments it again (measured with
  // -t: "Unknown keyword 'kw1#x'" from the parent, 'kw1' from the children), so `\\#` ends up a comment.
  const text = ['kw1\\#x', 'kw2\\!y z', 'kw3 \\', 'kw4', 'q "a\\#b" \\#c', 'kwD # comment \\', 'kwE\\ ', 'kw6\\cA "\\c"', 'kwC\\\\#d'].join('\n');
  // `\\c` means nothing to 2.2.7; in quotes vipd decodes `\\cX` (escapes are decoded, docs/compat.md), but a `\\c`
  // right before the closing quote stays as written instead of eating the quote.
  assert.deepEqual(words({ '/c/k.conf': text }).lines, ['kw1', 'kw2', 'kw3\\', 'kw4', 'q a\\#b', 'kwD\\', 'kwE\\', 'kw6\\cA \\c', 'kwC\\\\']);
  // Single quotes (vipd groups words in them, docs/compat.md) still keep a `#`, as before.
  assert.deepEqual(words({ '/c/k.conf': "x 'a # b' c # d" }).lines, ['x a # b c']);
  // A trailing backslash is no continuation outside $NAME= definitions: the value becomes `5\\`.
  assert.equal(load('vrrp_instance V {\n interface eth0\n virtual_router_id 5 \\\n virtual_ipaddress {\n 10.0.0.1\n }\n}\n').exitCode, 5);
  // ...and in a definition the blanks before it go, as keepalived strips them.
  assert.deepEqual(words({ '/c/k.conf': '$M=a   \\\n  b\nx $M' }).lines, ['x a', 'b']);
});

test('an unterminated double quote is a config error and drops the quoted word and what follows (2.2.7: exit 2 here)', () => {
  const r = load('vrrp_instance V {\n interface "eth0\n virtual_router_id 5\n virtual_ipaddress {\n 10.0.0.1\n }\n}\n');
  assert.equal(r.exitCode, 2);
  assert.match(renderDiagnostics(r.diagnostics), /k\.conf:2:12: error: unterminated quote/);
  assert.deepEqual(words({ '/c/k.conf': 'a b "c d' }).lines, ['a b']);
  assert.deepEqual(words({ '/c/k.conf': 'a b"c d' }).lines, ['a b']);
  // An escaped quote: vipd decodes it, 2.2.7 ends the string there and reports an unmatched quote (exit 5).
  const esc = words({ '/c/k.conf': 'router_id "a\\"b"' });
  assert.deepEqual([esc.lines, esc.d.map((x) => x.status)], [['router_id a"b'], ['error']]);
  assert.equal(words({ '/c/k.conf': 'router_id "a\\"b\\"c"' }).d.length, 0);
  // A quote inside a comment does not count.
  assert.equal(words({ '/c/k.conf': 'a # "b' }).d.length, 0);
});

/** `cmd` in a new UTS namespace whose host name is `host`, inside network namespace `ns`. */
function inUts(host: string, ns: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn('unshare', ['--uts', 'sh', '-c', 'hostname "$0" && exec "$@"', host, 'ip', 'netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => { out += b; });
    child.stderr.on('data', (b) => { err += b; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code: code ?? -1, out, err }); });
  });
}

test('without -i the config id is the host name up to the first dot, for @ID lines and ${_INSTANCE}', () => {
  const id = hostname().split('.')[0];
  const r = loadConfig('/c/k.conf', { fs: memoryFs({ '/c/k.conf': `@${id} kw_at_\${_INSTANCE}\n@^${id} kw_not\n` }), system: sys });
  assert.deepEqual(r.diagnostics.map((x) => x.found), [`kw_at_${id}`]);
});

test('the default config id against keepalived 2.2.7 with host name 42.vipd.test (-i and no -i)', { timeout: 120_000 }, async (t) => {
  if (!requireKeepalived(t)) return;
  const ns = makeNetns();
  try {
    const file = join(ns.dir, 'id.conf');
    // Taken with id 42: all valid. With the whole name as id, the VRID and the other @ lines are errors.
    writeFileSync(file, 'vrrp_instance A {\n interface eth0\n virtual_router_id ${_INSTANCE}\n @42 priority 150\n @42.vipd.test priority 999\n @^42 priority 998\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n');
    const pid = (tag: string) => ['-p', join(ns.dir, `${tag}.pid`), '-r', join(ns.dir, `${tag}.v.pid`), '-c', join(ns.dir, `${tag}.c.pid`)];
    const vipd = [process.execPath, new URL('../../bin/vipd.js', import.meta.url).pathname];
    for (const extra of [[], ['-i', '42'], ['-i', '42.vipd.test']]) {
      const k = await inUts('42.vipd.test', ns.name, [KEEPALIVED, '-t', '-f', file, ...pid('k'), ...extra]);
      const v = await inUts('42.vipd.test', ns.name, [...vipd, '-t', '-f', file, ...pid('v'), ...extra]);
      assert.equal(v.code, k.code, `${extra.join(' ') || 'no -i'}: keepalived ${k.code} (${k.err.trim()}), vipd ${v.code} (${v.err.trim()})`);
      assert.equal(k.code, extra[1] === '42.vipd.test' ? 5 : 0, `keepalived ${extra.join(' ')}: ${k.err}`);
    }
    const d = await inUts('42.vipd.test', ns.name, [...vipd, '-d', '-f', file]);
    const inst = JSON.parse(d.out).instances[0];
    assert.deepEqual([inst.vrid, inst.priority], [42, 150]);
  } finally {
    ns.cleanup();
  }
});

test('backslashes and quotes: the same -t verdict as keepalived 2.2.7', { timeout: 120_000 }, async (t) => {
  if (!requireKeepalived(t)) return;
  const ns = makeNetns();
  try {
    const lines = ['interface eth0"x', 'virtual_router_id 5 "a\\"b"', 'virtual_router_id 5 "a\\"b\\"c"', 'virtual_router_id 5 \\', 'virtual_router_id 5 # c \\', 'virtual_router_id 5\\#7', 'virtual_router_id 5\\!x', 'virtual_router_id "5',
      'virtual_router_id 5\n garbage\\#x', 'virtual_router_id 5\n "garbage\\#x"', 'virtual_router_id 5\n priority 100 \\\n advert_int 1', 'virtual_router_id 5\n priority 100\\ '];
    for (const [n, l] of lines.entries()) {
      const file = join(ns.dir, `b${n}.conf`);
      writeFileSync(file, `vrrp_instance A {\n interface eth0\n ${l}\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n`);
      const k = await keepalivedTest(ns, file, `b${n}`);
      const v = loadConfig(file, { configId: 'x' });
      assert.equal(v.exitCode, k.code, `${JSON.stringify(l)}: keepalived ${k.code} (${k.stderr.trim()}), vipd:\n${renderDiagnostics(v.diagnostics)}`);
    }
  } finally {
    ns.cleanup();
  }
});

test('-f is a glob, as keepalived 2.2.7 opens it: every regular file it matches is read; none matched is a missing file', { timeout: 120_000 }, async (t) => {
  const mem = memoryFs({ '/k/a.conf': 'vrrp_instance A {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n', '/k/b.conf': 'bad_keyword\n' });
  assert.equal(loadConfig('/k/a*.conf', { fs: mem, system: sys }).exitCode, 0);
  assert.equal(loadConfig('/k/{a,b}.conf', { fs: mem, system: sys }).exitCode, 5);
  assert.equal(loadConfig('/k/*.conf', { fs: mem, system: sys }).config.instances.length, 1);
  assert.deepEqual(['/k/none*.conf', '/k/none*.conf', ''].map((f, i) => loadConfig(f, { fs: mem, system: sys, allConfig: i > 0 }).exitCode), [0, 4, 0]);
  if (!requireKeepalived(t)) return;
  const ns = makeNetns();
  try {
    writeFileSync(join(ns.dir, 'good.conf'), 'vrrp_instance A {\n interface eth0\n virtual_router_id 5\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n');
    writeFileSync(join(ns.dir, 'bad.conf'), 'vrrp_instance B {\n interface eth0\n virtual_router_id 6\n timer_expired_backup\n virtual_ipaddress {\n  10.0.0.2\n }\n}\n');
    const cases: [string, boolean][] = [['g*.conf', false], ['b*.conf', false], ['{good,bad}.conf', false], ['*.conf', false], ['none*.conf', false], ['none*.conf', true], ['', true]];
    const got: number[] = [];
    for (const [n, [pat, e]] of cases.entries()) {
      const file = pat && join(ns.dir, pat);
      const k = await keepalivedTest(ns, file, `g${n}`, e ? ['-e'] : []);
      const v = loadConfig(file, { configId: 'x', allConfig: e });
      assert.equal(v.exitCode, k.code, `-f ${pat}${e ? ' -e' : ''}: keepalived ${k.code} (${k.stderr.trim()}), vipd:\n${renderDiagnostics(v.diagnostics)}`);
      got.push(k.code);
    }
    assert.deepEqual(got, [0, 5, 5, 5, 0, 4, 0]);
  } finally {
    ns.cleanup();
  }
});
