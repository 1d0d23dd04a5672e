// vipd <-> keepalived 2.2.7, VRRPv2 at 1 s (whole seconds only): multicast, PASS authentication, IPsec AH
// authentication (multicast and unicast: the ICV covers the TTL of a multicast advert only), unicast; each side in
// turn the higher priority; and an advert_int mismatch, which keepalived answers by dropping (two masters).
// Needs root, keepalived, tcpdump and tshark. Run: node --import tsx --test test/interop/vrrp2.test.ts
import { describe, test } from 'node:test';
import type { Mode } from './helpers/conf.ts';
import { fullCase } from './helpers/scenario.ts';
import { ahPasswordMismatch, v2Mismatch } from './helpers/mismatch.ts';
import { interopSkipReason } from './helpers/preflight.ts';

const MODES: Mode[] = [
  { name: 'v2-multicast', version: 2, family: 4, unicast: false, advertInt: 1 },
  { name: 'v2-pass-auth', version: 2, family: 4, unicast: false, advertInt: 1, authPass: 'vipd1234' },
  { name: 'v2-unicast', version: 2, family: 4, unicast: true, advertInt: 1 },
  { name: 'v2-ah-auth', version: 2, family: 4, unicast: false, advertInt: 1, authAh: 'vipd1234' },
  { name: 'v2-ah-unicast', version: 2, family: 4, unicast: true, advertInt: 1, authAh: 'ah-2' },
];

const skip = interopSkipReason();

// Mostly waiting (Master_Down_Interval is 3.6 s), so the cases run side by side, each in its own lab.
describe('VRRPv2 interop with keepalived 2.2.7', { concurrency: 8, skip }, () => {
  let subnet = 20;
  // The AH rows came later: their labs take 96-99, clear of the other files' subnets.
  let ahSubnet = 95;
  for (const mode of MODES) {
    for (const high of ['vipd', 'keepalived'] as const) {
      const s = mode.authAh ? ++ahSubnet : ++subnet;
      test(`${mode.name}, ${high} has the higher priority`, { timeout: 150_000 }, async (t) => {
        await fullCase(mode, high, s, (m) => t.diagnostic(m));
      });
    }
  }
  for (const high of ['vipd', 'keepalived'] as const) {
    const s = ++subnet;
    test(`v2 advert_int mismatch (${high} 1 s, the other 2 s): both drop, both master`, { timeout: 60_000 }, async () => {
      await v2Mismatch(MODES[0], high, s);
    });
  }
  test('AH with another auth_pass on each side: both refuse the other\'s ICV, both master', { timeout: 60_000 }, async () => {
    await ahPasswordMismatch(MODES[3], 'vipd', 94);
  });
});
