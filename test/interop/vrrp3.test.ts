// vipd <-> keepalived 2.2.7, VRRPv3 at 0.1 s: IPv4 multicast, IPv6 multicast, IPv4 unicast; each side in turn the
// higher priority; and the backup adopting a master's different advert_int. Needs root, keepalived and tshark.
// Run: node --import tsx --test test/interop/vrrp3.test.ts
import { describe, test } from 'node:test';
import type { Mode } from './helpers/conf.ts';
import { fullCase } from './helpers/scenario.ts';
import { v3Mismatch } from './helpers/mismatch.ts';
import { interopSkipReason } from './helpers/preflight.ts';

const MODES: Mode[] = [
  { name: 'v3-ipv4-multicast', version: 3, family: 4, unicast: false, advertInt: 0.1 },
  { name: 'v3-ipv6-multicast', version: 3, family: 6, unicast: false, advertInt: 0.1 },
  { name: 'v3-ipv4-unicast', version: 3, family: 4, unicast: true, advertInt: 0.1 },
];

const skip = interopSkipReason();

describe('VRRPv3 interop with keepalived 2.2.7', { concurrency: 3, skip }, () => {
  let subnet = 30;
  for (const mode of MODES) {
    for (const high of ['vipd', 'keepalived'] as const) {
      const s = ++subnet;
      test(`${mode.name}, ${high} has the higher priority`, { timeout: 90_000 }, async (t) => {
        await fullCase(mode, high, s, (m) => t.diagnostic(m));
      });
    }
  }
  for (const high of ['vipd', 'keepalived'] as const) {
    const s = ++subnet;
    test(`v3 advert_int mismatch (${high} master at 1 s, backup configured 0.1 s): the backup adopts`, { timeout: 60_000 }, async () => {
      await v3Mismatch(MODES[0], high, s);
    });
  }
});
