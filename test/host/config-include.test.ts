// include, its variants (includer/m/w/b/a), include_check and -e on a real directory: which files are read and
// the -t verdict. The expected codes were measured with keepalived 2.2.7 -t; when keepalived is installed the
// test measures them again in a namespace, so the table cannot drift from keepalived.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, realSystem, type SystemView } from '../../host/config/index.ts';
import { IFACES, KEEPALIVED, makeNetns, pool, requireKeepalived, runInNetns } from '../fixtures/config/keepalived-runner.ts';

const INSTANCE = 'vrrp_instance A {\n interface eth0\n virtual_router_id 5\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n';

/** [name, lines before the instance, keepalived 2.2.7 -t exit code, extra flags]. `@DIR` is the case directory. */
const CASES: [string, string, number, string[]?][] = [
  ['include-missing', 'include nonexist.conf', 0],
  ['include-dir', 'include @DIR/sub', 0],
  ['include-exec-skipped', 'include xexec.conf', 0],
  ['include-quoted', 'include "x.conf"', 0],
  ['include-brace-partial', 'include {x,q}.conf', 0],
  ['include-brace-partial-e', 'include {x,q}.conf', 6, ['-e']],
  ['include-missing-e', 'include nonexist.conf', 6, ['-e']],
  ['include-unknown-in-file', 'include unk.conf', 5],
  ['includer-missing', 'includer nonexist.conf', 0],
  ['includer-dir', 'includer @DIR/sub', 6],
  ['includer-exec', 'includer xexec.conf', 6],
  ['includem-missing', 'includem nonexist.conf', 6],
  ['includem-wildcard-none', 'includem none*.conf', 0],
  ['includem-missing-dir', 'includem nodir/*.conf', 6],
  ['includem-brace-none', 'includem {p,q}.conf', 0],
  ['includew-missing', 'includew nonexist.conf', 6],
  ['includew-wildcard-none', 'includew none*.conf', 6],
  ['includew-wildcard-some', 'includew x.c*', 0],
  ['includew-brace-none', 'includew {p,q}.conf', 0],
  ['includeb-brace-none', 'includeb {p,q}.conf', 6],
  ['includeb-brace-partial', 'includeb {x,q}.conf', 6],
  ['includeb-literal-missing', 'includeb nonexist.conf', 0],
  ['includeb-brace-wildcards', 'includeb {none,q}*.conf', 0],
  ['includea-missing', 'includea nonexist.conf', 6],
  ['includea-wildcard-none', 'includea none*.conf', 6],
  ['includea-brace-partial', 'includea {x,q}.conf', 6],
  ['includet-is-a-keyword', 'includet nonexist.conf', 5],
  ['include-check-match', 'global_defs {\n include_check match\n}\ninclude nonexist.conf', 6],
  ['include-check-bare', 'global_defs {\n include_check\n}\ninclude none*.conf', 6],
  ['include-check-after', 'include nonexist.conf\nglobal_defs {\n include_check match\n}', 0],
  ['include-check-bad-word', 'global_defs {\n include_check readable\n}', 5],
  ['include-param', '$F=unk.conf\ninclude $F', 5],
  ['include-conditional', '@vipdtest include unk.conf', 5],
  ['include-loop', 'include loop.conf', 0],
  ['includer-loop', 'includer loopr.conf', 6],
];

function setUp(dir: string): void {
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'x.conf'), '! nothing\n');
  writeFileSync(join(dir, 'unk.conf'), 'no_such_keyword\n');
  writeFileSync(join(dir, 'xexec.conf'), 'no_such_keyword\n');
  chmodSync(join(dir, 'xexec.conf'), 0o755);
  writeFileSync(join(dir, 'loop.conf'), '! loops\ninclude loop.conf\n');
  writeFileSync(join(dir, 'loopr.conf'), 'includer loopr.conf\n');
  for (const [name, head] of CASES) writeFileSync(join(dir, `${name}.conf`), `${head.replaceAll('@DIR', dir)}\n${INSTANCE}`);
}

const sys: SystemView = { ...realSystem, interfaces: () => new Set(['lo', ...IFACES]) };

test('include variants, include_check and -e give keepalived 2.2.7\'s verdicts, from real files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-include-'));
  try {
    setUp(dir);
    const wrong = CASES.filter(([name, , code, flags]) => {
      const r = loadConfig(join(dir, `${name}.conf`), { system: sys, configId: 'vipdtest', allConfig: flags?.includes('-e') });
      return r.exitCode !== code;
    }).map(([name, , code]) => `${name}: want ${code}`);
    assert.deepEqual(wrong, []);
    // What was read: the executable file and the directory are skipped, a loop stops at 32 levels.
    const exec = loadConfig(join(dir, 'include-exec-skipped.conf'), { system: sys, configId: 'x' });
    assert.ok(!exec.diagnostics.some((d) => d.message.includes('no_such_keyword')));
    const loop = loadConfig(join(dir, 'include-loop.conf'), { system: sys, configId: 'x' });
    const l = loop.diagnostics.find((d) => /include loop/.test(d.message))!;
    assert.deepEqual([l.file, l.line, l.col], [join(dir, 'loop.conf'), 2, 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the include table still matches keepalived -t (same files, fresh netns)', { timeout: 120_000 }, async (t) => {
  if (!requireKeepalived(t)) return;
  const ns = makeNetns();
  try {
    setUp(ns.dir);
    const results = await pool(CASES, 4, async ([name, , code, flags]) => {
      const p = (x: string) => join(ns.dir, `${name}.${x}.pid`);
      const k = await runInNetns(ns, [KEEPALIVED, '-t', '-i', 'vipdtest', ...(flags ?? []), '-f', join(ns.dir, `${name}.conf`), '-p', p('m'), '-r', p('v'), '-c', p('c')]);
      return { name, want: code, k: k.code, err: k.stderr.split('\n')[0] };
    });
    assert.deepEqual(results.filter((r) => r.k !== r.want).map((r) => `${r.name}: keepalived ${r.k}, table ${r.want} (${r.err})`), []);
  } finally {
    ns.cleanup();
  }
});

