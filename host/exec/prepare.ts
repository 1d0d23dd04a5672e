// From a configured ScriptCommand to what the runner executes: pick the identity (line user/group, else the
// default script user), then let script-security.ts decide exec vs shell and whether it may run at all.
import type { ScriptCommand } from '../config/model.ts';
import type { PreparedCommand } from './run-script.ts';
import { type SecurityVerdict, checkScript } from './script-security.ts';
import { type Accounts, type Identity, resolveIdentity } from './script-user.ts';

export interface PrepareContext {
  accounts: Accounts;
  /** script-user.ts defaultIdentity(); null when it could not be set (then scripts without a user are removed). */
  defaultId: Identity | null;
  /** enable_script_security */
  scriptSecurity: boolean;
  path?: string;
}

export interface Prepared {
  command: PreparedCommand | null;
  /** null when the script was refused before the file checks (bad user). */
  verdict: SecurityVerdict | null;
  logs: string[];
}

/** `what` names the script in logs, e.g. "vrrp script chk" or "notify_master". */
export async function prepareScript(cmd: ScriptCommand, what: string, ctx: PrepareContext): Promise<Prepared> {
  let id: Identity;
  if (cmd.user !== null) {
    const r = resolveIdentity(ctx.accounts, cmd.user, cmd.group);
    if (!r.ok) return { command: null, verdict: null, logs: [`${r.message}`, `Invalid user/group for ${what} ${cmd.argv[0]} - ignoring`] };
    id = r.id;
  } else if (ctx.defaultId) {
    id = ctx.defaultId;
  } else {
    return { command: null, verdict: null, logs: [`Unable to set default user for ${what} - removing`] };
  }
  const verdict = await checkScript(cmd.argv, id, ctx.scriptSecurity, ctx.path);
  return { command: verdict.command, verdict, logs: verdict.logs };
}
