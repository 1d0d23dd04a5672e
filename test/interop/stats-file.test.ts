// keepalived.stats side by side: vipd and keepalived 2.2.7 on one bridge, each dumps its stats file on SIGUSR2, and
// the two files must have the same layout line for line (a parser written for keepalived's reads vipd's the same),
// with counts that agree on the same traffic. Needs root, keepalived and tshark.
// Run: node --import tsx --test test/interop/stats-file.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Mode } from './helpers/conf.ts';
import { KEEPALIVED_STATS_FIELDS, parseStats, statsLayout } from './helpers/daemons.ts';
import { Pair } from './helpers/pair.ts';
import { interopSkipReason } from './helpers/preflight.ts';

const MODE: Mode = { name: 'stats-file', version: 3, family: 4, unicast: false, advertInt: 0.1 };

test('vipd (master) and keepalived (backup) write keepalived.stats in the same layout, with matching counts', { timeout: 60_000, skip: interopSkipReason() }, async () => {
  const p = await Pair.create({ mode: MODE, high: 'vipd', subnet: 47 });
  let ok = false;
  try {
    p.low.start();
    await p.keepalived.waitLog(/Entering BACKUP STATE/, 0, 15_000);
    p.high.start();
    await p.waitSettled(p.high);
    await new Promise((r) => setTimeout(r, 1000)); // ~10 adverts each way past the election
    const before = parseStats(await p.vipd.statsFile());
    const kaText = await p.keepalived.statsFile();
    const vipdText = await p.vipd.statsFile();
    assert.deepEqual(statsLayout(vipdText), statsLayout(kaText), `vipd:\n${vipdText}\nkeepalived:\n${kaText}`);
    const ka = parseStats(kaText), vipd = parseStats(vipdText);
    assert.deepEqual(Object.keys(ka), [...KEEPALIVED_STATS_FIELDS], 'keepalived 2.2.7 writes the fields we expect');
    assert.deepEqual(Object.keys(vipd), [...KEEPALIVED_STATS_FIELDS]);
    // The same traffic, counted by both: keepalived heard what vipd sent between vipd's two dumps (it was
    // listening before vipd started), and nobody saw an error.
    const heard = ka['Advertisements.Received'];
    assert.ok(heard >= before['Advertisements.Sent'] - 2 && heard <= vipd['Advertisements.Sent'],
      `keepalived heard ${heard}, vipd sent ${before['Advertisements.Sent']}..${vipd['Advertisements.Sent']}`);
    assert.ok(heard > 10, `keepalived heard only ${heard} adverts`);
    // keepalived, alone at first, became master and released it when vipd (higher) came: once each.
    assert.deepEqual([vipd['Became master'], ka['Became master'], vipd['Released master'], ka['Released master']], [1, 1, 0, 1]);
    for (const f of KEEPALIVED_STATS_FIELDS.filter((f) => /Errors/.test(f))) assert.deepEqual([f, vipd[f], ka[f]], [f, 0, 0]);
    ok = true;
  } finally {
    if (!ok) process.stderr.write(p.transcript());
    p.destroy(!ok);
  }
});
