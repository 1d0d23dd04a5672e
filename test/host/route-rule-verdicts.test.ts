// The virtual_routes / virtual_rules lines of test/fixtures/config/route-rule-lines.ts through a live
// `keepalived -t` (in a namespace with eth0 and eth1): the exit code recorded for each line must be keepalived's,
// so the table test/host/daemon-addresses.test.ts holds vipd to is keepalived's verdict, not a guess.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keepalivedTest, makeNetns, pool, requireKeepalived } from '../fixtures/config/keepalived-runner.ts';
import { LINE_CASES, lineConfig } from '../fixtures/config/route-rule-lines.ts';

test(`keepalived -t gives the recorded exit code for each of ${LINE_CASES.length} route and rule lines`, { timeout: 180_000 }, async (t) => {
  if (!requireKeepalived(t)) return;
  const ns = makeNetns();
  try {
    const got = await pool(LINE_CASES, 2, async (c, i) => {
      const file = join(ns.dir, `l${i}.conf`);
      writeFileSync(file, lineConfig(c));
      const r = await keepalivedTest(ns, file, `l${i}`);
      return { c, code: r.code, stderr: r.stderr };
    });
    const wrong = got.filter((g) => g.code !== g.c.keepalived)
      .map((g) => `${g.c.kind} '${g.c.line}'${g.c.vip ? ` (VIP ${g.c.vip})` : ''}: recorded ${g.c.keepalived}, keepalived ${g.code}\n${g.stderr.trim()}`);
    assert.deepEqual(wrong, []);
  } finally {
    ns.cleanup();
  }
});
