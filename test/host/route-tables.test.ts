// Routing table names (host/config/rt-tables.ts): read from /etc/iproute2/rt_tables as keepalived 2.2.7 does. The
// last test gives both keepalived -t and vipd -t the same private rt_tables, bind-mounted over /etc/iproute2 in a
// mount namespace of their own (the machine's file is never touched), and compares their verdicts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRtTables, routeTables } from '../../host/config/rt-tables.ts';
import { tableNumber } from '../../host/daemon/addresses.ts';
import { KEEPALIVED, makeNetns, requireKeepalived, runInNetns } from '../fixtures/config/keepalived-runner.ts';

const BIN = new URL('../../bin/vipd.js', import.meta.url).pathname;
// keepalived 2.2.7 takes a line of exactly two words: the trailing comment hides vipd_commented from it.
const RT_TABLES = '# comment\n255\tlocal\n254\tmain\n253\tdefault\n0\tunspec\n100\tvipd_isp1 \n0x65 vipd_hex\n102 vipd_commented # c\n4294967296 vipd_big\nnot a line\n';

test('rt_tables text: decimal and hex numbers, comments, the stock names always there', () => {
  const m = parseRtTables(RT_TABLES);
  assert.equal(m.get('vipd_isp1'), 100);
  assert.equal(m.get('vipd_hex'), 0x65);
  assert.equal(m.get('main'), 254);
  assert.equal(m.has('not'), false);
  assert.equal(m.has('vipd_commented'), false, 'three words: skipped');
  assert.equal(m.has('vipd_big'), false, 'over 2^32-1: skipped');
  assert.equal(parseRtTables('').get('local'), 255, 'stock names without a file');
});

test('the file is read again when it changes (a reload sees a new table name)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-rt-'));
  try {
    const f = join(dir, 'rt_tables');
    writeFileSync(f, '100 first\n');
    assert.equal(routeTables(f).get('first'), 100);
    writeFileSync(f, '100 first\n200 second\n');
    utimesSync(f, new Date(), new Date(Date.now() + 5000)); // a new mtime even within the same millisecond
    assert.equal(routeTables(f).get('second'), 200);
    assert.equal(routeTables(join(dir, 'missing')).get('main'), 254, 'no file: the stock names');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(tableNumber('main'), 254);
  assert.equal(tableNumber('0x10'), 16);
  assert.throws(() => tableNumber('vipd_no_such_table'), /unknown routing table "vipd_no_such_table"/);
});

test('vipd -t and keepalived -t agree on table names from a private rt_tables', { timeout: 60_000 }, async (t) => {
  if (!requireKeepalived(t)) return;
  const ns = makeNetns();
  try {
    const etc = join(ns.dir, 'iproute2');
    const cases: [string, number][] = [['vipd_isp1', 0], ['vipd_hex', 0], ['101', 0], ['main', 0], ['vipd_commented', 5], ['vipd_big', 5], ['vipd_no_such_table', 5]];
    const files = cases.map(([table], k) => {
      const f = join(ns.dir, `rt${k}.conf`);
      writeFileSync(f, [
        'vrrp_instance VI_1 {', '  interface eth0', '  virtual_router_id 51', '  priority 100',
        '  virtual_ipaddress {', '    10.203.1.100/24', '  }',
        '  virtual_routes {', `    10.203.9.0/24 dev eth0 table ${table}`, '  }',
        '  virtual_rules {', `    from 10.203.9.0/24 lookup ${table} priority 100`, '  }', '}', ''].join('\n'));
      return f;
    });
    writeFileSync(join(ns.dir, 'rt_tables'), RT_TABLES);
    // A copy of /etc/iproute2 with our rt_tables, mounted over it in a private mount namespace.
    const wrap = (cmd: string) => ['unshare', '--mount', 'sh', '-c',
      `mkdir -p ${etc} && cp -a /etc/iproute2/. ${etc}/ && cp ${join(ns.dir, 'rt_tables')} ${etc}/rt_tables && mount --bind ${etc} /etc/iproute2 && ${cmd}`];
    for (const [k, [table, want]] of cases.entries()) {
      const pid = (x: string) => join(ns.dir, `rt${k}.${x}.pid`);
      const ka = await runInNetns(ns, wrap(`${KEEPALIVED} -t -f ${files[k]} -p ${pid('m')} -r ${pid('v')} -c ${pid('c')}`));
      const vi = await runInNetns(ns, wrap(`${process.execPath} ${BIN} -t -f ${files[k]}`));
      assert.equal(ka.code, want, `keepalived, table ${table}: ${ka.stderr}`);
      assert.equal(vi.code, want, `vipd, table ${table}: ${vi.stderr}`);
      if (want === 5) assert.match(vi.stderr, new RegExp(`Routing table ${table} not found for route`));
    }
  } finally {
    ns.cleanup();
  }
});
