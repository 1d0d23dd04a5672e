// Who scripts run as: `user [group]` on the script line, else global `script_user`, else keepalived_script if that
// user exists, else root. Read from /etc/passwd and /etc/group at configuration time (cold path).
import { readFile } from 'node:fs/promises';

export interface Identity { uid: number; gid: number; user: string }

export interface Accounts {
  users: Map<string, { uid: number; gid: number }>;
  groups: Map<string, number>;
}

export function parseAccounts(passwd: string, group: string): Accounts {
  const users = new Map<string, { uid: number; gid: number }>();
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length >= 4 && f[0] && !line.startsWith('#')) users.set(f[0], { uid: Number(f[2]), gid: Number(f[3]) });
  }
  const groups = new Map<string, number>();
  for (const line of group.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[0] && !line.startsWith('#')) groups.set(f[0], Number(f[2]));
  }
  return { users, groups };
}

export async function loadAccounts(passwdFile = '/etc/passwd', groupFile = '/etc/group'): Promise<Accounts> {
  const [p, g] = await Promise.all([readFile(passwdFile, 'utf8').catch(() => ''), readFile(groupFile, 'utf8').catch(() => '')]);
  return parseAccounts(p, g);
}

export type ResolveResult = { ok: true; id: Identity } | { ok: false; message: string };

/** A named user (and optional group); numeric ids are accepted as well. */
export function resolveIdentity(acc: Accounts, user: string, group: string | null): ResolveResult {
  const u = acc.users.get(user) ?? (/^\d+$/.test(user) ? { uid: Number(user), gid: Number(user) } : undefined);
  if (!u) return { ok: false, message: `Script user '${user}' does not exist` };
  let gid = u.gid;
  if (group !== null) {
    const g = acc.groups.get(group) ?? (/^\d+$/.test(group) ? Number(group) : undefined);
    if (g === undefined) return { ok: false, message: `Script group '${group}' does not exist` };
    gid = g;
  }
  return { ok: true, id: { uid: u.uid, gid, user } };
}

/**
 * The default identity. keepalived 2.2.7, checked: without script_user and without a keepalived_script account it
 * warns and uses root, except under enable_script_security, where scripts needing the default user are removed
 * ("Unable to set default user keepalived_script for script").
 */
export function defaultIdentity(
  acc: Accounts,
  scriptUser: { user: string; group: string | null } | null,
  enableScriptSecurity: boolean,
): { id: Identity | null; warning: string | null } {
  if (scriptUser) {
    const r = resolveIdentity(acc, scriptUser.user, scriptUser.group);
    return r.ok ? { id: r.id, warning: null } : { id: null, warning: `Default s${r.message.slice(1)}` };
  }
  const r = resolveIdentity(acc, 'keepalived_script', null);
  if (r.ok) return { id: r.id, warning: null };
  if (enableScriptSecurity) return { id: null, warning: 'Unable to set default user keepalived_script for script' };
  return {
    id: { uid: 0, gid: 0, user: 'root' },
    warning: "WARNING - default user 'keepalived_script' for script execution does not exist - please create.",
  };
}
