// keepalived 2.2.7's `-t` says 5 for these configurations, yet keepalived runs them (and reloads into them): a
// keyword of a later release that vipd implements, a vrrp_script whose command is missing (disabled), `${_ENV}`.
// vipd must give the same -t verdict without calling them errors, because a reload refuses a configuration with
// errors (host/daemon/runtime.ts) — a user who turns on v3_checksum_as_v2 must be able to reload into it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedSystem, loadConfig } from '../../host/config/index.ts';

const instance = (extra: string) =>
  `vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority 100\n advert_int 1\n${extra}\n virtual_ipaddress {\n  10.203.9.1/32\n }\n}\n`;

const CASES: [string, string][] = [
  ['v3_checksum_as_v2 (a later keyword vipd implements)', 'global_defs {\n vrrp_version 3\n}\n' + instance(' v3_checksum_as_v2')],
  ['owner_ignore_adverts (the same)', instance(' owner_ignore_adverts')],
  ['a vrrp_script whose command does not exist (disabled)', 'vrrp_script chk {\n script "/nonexistent/vipd-check"\n interval 1\n}\n' + instance(' track_script {\n  chk\n }')],
  ['${_ENV} (expanded by vipd, unknown to 2.2.7)', 'global_defs {\n router_id r${_ENV HOME}\n}\n' + instance('')],
];

for (const [name, text] of CASES) {
  test(`-t exits 5 like keepalived 2.2.7, and a reload would take it: ${name}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'vipd-reloadable-'));
    try {
      const file = join(dir, 'keepalived.conf');
      writeFileSync(file, text);
      const r = loadConfig(file, { system: fixedSystem(['eth0'], ['root', 'keepalived_script']) });
      assert.equal(r.exitCode, 5, JSON.stringify(r.diagnostics));
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(errors, [], 'no error-class diagnostic (a reload would be refused)');
      assert.equal(r.config.instances.length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
