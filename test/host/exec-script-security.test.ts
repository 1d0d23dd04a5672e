// enable_script_security on real files: a world-writable script is refused with it and runs (flagged) without it.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { prepareScript } from '../../host/exec/prepare.ts';
import { ScriptRunner } from '../../host/exec/run-script.ts';
import { checkScript, scriptPathInsecureSync, securitySummary, unsafePathComponent, unsafePathComponentSync } from '../../host/exec/script-security.ts';
import { defaultIdentity, parseAccounts } from '../../host/exec/script-user.ts';

// /tmp is sticky and root-owned, so a root-owned 0755 directory under it is a safe place.
const base = mkdtempSync('/tmp/vipd-sec-');
chmodSync(base, 0o755);
after(() => rmSync(base, { recursive: true, force: true }));
const root = { uid: 0, gid: 0 };

function script(name: string, mode: number, body = '#!/bin/sh\nexit 0\n'): string {
  const p = join(base, name);
  writeFileSync(p, body);
  chmodSync(p, mode);
  return p;
}

describe('script security', () => {
  it('a safe root script runs by execve', async () => {
    const p = script('safe.sh', 0o755);
    const v = await checkScript([p, 'a'], root, true);
    assert.deepEqual(v.command, { mode: 'exec', file: p, argv: [p, 'a'], uid: 0, gid: 0 });
    assert.equal(v.insecure, false);
    assert.deepEqual(v.logs, []);
  });

  it('a world-writable script is refused with enable_script_security', async () => {
    const p = script('ww.sh', 0o777);
    const v = await checkScript([p], root, true);
    assert.equal(v.command, null);
    assert.equal(v.insecure, true);
    assert.deepEqual(v.logs, [`Unsafe permissions found for script '${p}' - disabling.`]);
  });

  it('and runs with the SECURITY VIOLATION warning without it', async () => {
    const p = script('ww2.sh', 0o777, '#!/bin/sh\necho ran\n');
    const v = await checkScript([p], root, false);
    assert.ok(v.command);
    assert.deepEqual(v.logs, [`Unsafe permissions found for script '${p}'.`]);
    assert.equal(securitySummary([v], false), 'SECURITY VIOLATION - scripts are being executed but script_security not enabled. There are insecure scripts.');
    assert.equal(securitySummary([v], true), null);
    const r = new ScriptRunner();
    try {
      const out = await r.run(v.command, { timeoutMs: 5000, captureBytes: 100 });
      assert.equal(out.stdout, 'ran\n');
    } finally {
      await r.close();
    }
  });

  it('checks every directory on the path: a writable or non-root-owned directory makes it unsafe', async () => {
    const d = join(base, 'wdir');
    mkdirSync(d, { mode: 0o777 });
    chmodSync(d, 0o777);
    const p = join(d, 'x.sh');
    writeFileSync(p, '#!/bin/sh\n');
    chmodSync(p, 0o755);
    assert.deepEqual(await unsafePathComponent(p), { path: p, reason: 'unsafe' });
    chmodSync(d, 0o1777); // sticky like /tmp: fine
    assert.equal(await unsafePathComponent(p), null);
    chmodSync(d, 0o755);
    chownSync(d, 65534, 0);
    assert.deepEqual(await unsafePathComponent(p), { path: p, reason: 'unsafe' });
    chownSync(d, 0, 0);
    chownSync(p, 65534, 0);
    assert.deepEqual(await unsafePathComponent(p), { path: p, reason: 'unsafe' });
    // Not run as root, nothing to protect: no path check.
    const v = await checkScript([p], { uid: 65534, gid: 65534 }, true);
    assert.ok(v.command);
    assert.equal(v.insecure, false);
  });

  it('the synchronous path check (used by -t) gives the same answers, and judges the real path', async () => {
    const d = join(base, 'sdir');
    mkdirSync(d, { mode: 0o755 });
    chmodSync(d, 0o755);
    const p = join(d, 's.sh');
    writeFileSync(p, '#!/bin/sh\n');
    chmodSync(p, 0o755);
    const both = async (f: string) => {
      const a = await unsafePathComponent(f);
      assert.deepEqual(unsafePathComponentSync(f), a);
      return a;
    };
    assert.equal(await both(p), null);
    assert.equal(scriptPathInsecureSync(p), false);
    chmodSync(d, 0o777);
    assert.deepEqual(await both(p), { path: p, reason: 'unsafe' });
    assert.equal(scriptPathInsecureSync(p), true);
    chmodSync(d, 0o755);
    chmodSync(p, 0o757);
    assert.deepEqual(await both(p), { path: p, reason: 'unsafe' });
    chmodSync(p, 0o755);
    assert.deepEqual(await both(join(d, 'nope.sh')), { path: join(d, 'nope.sh'), reason: 'missing' });
    assert.equal(scriptPathInsecureSync(join(d, 'nope.sh')), false);
    // A directory is the wrong type for a script: refused like an unsafe one.
    assert.deepEqual(await both(d), { path: d, reason: 'type' });
    assert.equal(scriptPathInsecureSync(d), true);
    // /bin may be a symlink to /usr/bin: the real path is what counts.
    assert.equal(scriptPathInsecureSync('/bin/sh'), false);
  });

  it('bare names go through PATH with keepalived\'s warning; shell forms and missing or non-executable files', async () => {
    const v = await checkScript(['true'], root, true, '/nonexistent:/bin:/usr/bin');
    assert.equal(v.command?.mode, 'exec');
    assert.match(v.logs[0], /^WARNING - script `true` resolved by path search to `\/(usr\/)?bin\/true`\. Please specify full path\.$/);
    const s = await checkScript(['</dev/tcp/127.0.0.1/80'], root, true);
    assert.deepEqual(s.command, { mode: 'shell', line: '</dev/tcp/127.0.0.1/80', uid: 0, gid: 0 });
    const m = await checkScript(['nonexistent-cmd-xyz'], root, true);
    assert.equal(m.command, null);
    assert.deepEqual(m.logs, ['Cannot find script nonexistent-cmd-xyz in path - disabling']);
    const n = await checkScript([script('noexec.sh', 0o644)], root, true);
    assert.equal(n.command, null);
    assert.match(n.logs[0], /is not executable for uid:gid 0:0 - disabling\.$/);
  });

  it('resolves the default script user as keepalived 2.2.7 does', async () => {
    const acc = parseAccounts('root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n', 'root:x:0:\nnogroup:x:65534:\n');
    assert.deepEqual(defaultIdentity(acc, null, false), {
      id: { uid: 0, gid: 0, user: 'root' },
      warning: "WARNING - default user 'keepalived_script' for script execution does not exist - please create.",
    });
    assert.deepEqual(defaultIdentity(acc, null, true), { id: null, warning: 'Unable to set default user keepalived_script for script' });
    assert.deepEqual(defaultIdentity(acc, { user: 'nobody', group: null }, true), { id: { uid: 65534, gid: 65534, user: 'nobody' }, warning: null });
    const withKs = parseAccounts('keepalived_script:x:999:998::/:/bin/false\n', '');
    assert.equal(defaultIdentity(withKs, null, true).id?.uid, 999);
    const p = script('u.sh', 0o755);
    const prepared = await prepareScript({ at: null as never, argv: [p], user: 'nobody', group: 'nogroup' }, 'notify_master', { accounts: acc, defaultId: null, scriptSecurity: true });
    assert.deepEqual(prepared.command, { mode: 'exec', file: p, argv: [p], uid: 65534, gid: 65534 });
    const refused = await prepareScript({ at: null as never, argv: [p], user: null, group: null }, 'vrrp script chk', { accounts: acc, defaultId: null, scriptSecurity: true });
    assert.deepEqual(refused.logs, ['Unable to set default user for vrrp script chk - removing']);
  });
});
