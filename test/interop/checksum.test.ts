// VRRPv3 over IPv4 with `v3_checksum_as_v2` (the RFC 9568 message-only checksum) set on both sides. keepalived 2.2.7
// predates the keyword: it reports "Unknown keyword 'v3_checksum_as_v2'", ignores it and keeps the pseudo-header
// form, so it refuses every vipd advert ("Invalid VRRPv3 checksum") while vipd accepts either form. These cases pin
// that down: what keepalived logs, who ends up master, and that tshark (told to expect the v2-style sum) finds
// vipd's packets correct. Run: node --import tsx --test test/interop/checksum.test.ts
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Mode } from './helpers/conf.ts';
import { Pair } from './helpers/pair.ts';
import { assertCleanWire, refusalLines } from './helpers/scenario.ts';
import { interopSkipReason } from './helpers/preflight.ts';

const MODE: Mode = { name: 'v3-checksum-as-v2', version: 3, family: 4, unicast: false, advertInt: 0.1, checksumAsV2: true };

describe('v3_checksum_as_v2 against keepalived 2.2.7', { concurrency: 2, skip: interopSkipReason() }, () => {
  test('vipd higher: keepalived refuses every vipd advert and becomes a second master', { timeout: 60_000 }, async () => {
    const p = await Pair.create({ mode: MODE, high: 'vipd', subnet: 41 });
    let ok = false;
    try {
      p.low.start();
      p.high.start();
      await p.waitMaster(p.high);
      await p.waitMaster(p.low);
      await p.keepalived.waitLog(/Unknown keyword 'v3_checksum_as_v2'/, 0, 10);
      await p.keepalived.waitLog(/\(VI_1\) Invalid VRRPv3 checksum/, 0, 2000);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(p.keepalived.state, 'MASTER');
      assert.ok(p.holds(p.vipd) && p.holds(p.keepalived), 'two VIP holders: the checksum forms do not interoperate');
      const st = (await p.vipd.vipdStatus()).instances[0];
      // vipd accepts keepalived's pseudo-header sums (and answers the lower priority with adverts of its own).
      assert.equal(st.stats.checksum_err, 0);
      assert.ok(st.stats.csum_pseudo > 0, 'vipd heard keepalived in the pseudo-header form');
      await assertCleanWire(p);
      ok = true;
    } finally {
      if (!ok) process.stderr.write(p.transcript());
      p.destroy(!ok);
    }
  });

  test('keepalived higher: vipd follows it (either form accepted), one master', { timeout: 60_000 }, async () => {
    const p = await Pair.create({ mode: MODE, high: 'keepalived', subnet: 42 });
    let ok = false;
    try {
      p.low.start();
      p.high.start();
      await p.waitSettled(p.high);
      await p.assertStable(1000);
      const st = (await p.vipd.vipdStatus()).instances[0];
      assert.equal(st.state, 'BACKUP');
      assert.equal(st.stats.checksum_err, 0);
      assert.ok(st.stats.csum_pseudo > 0 && st.stats.csum_plain === 0);
      assert.equal(refusalLines(p.keepalived).length, 0, 'vipd (backup) sent nothing keepalived refused');
      ok = true;
    } finally {
      if (!ok) process.stderr.write(p.transcript());
      p.destroy(!ok);
    }
  });
});
