// Address arguments of the packet tool: every address of one advert is in one family.
import { type Family, familyOf } from '../core/addr.ts';
import { PacketInputError } from './errors.ts';

export function familyOfArg(what: string, text: string): Family {
  try {
    return familyOf(text);
  } catch {
    throw new PacketInputError(`${what} is not an IP address: ${JSON.stringify(text)}`);
  }
}

/** The one family all given addresses share; `fallback` when none is given. */
export function commonFamily(named: [string, string | undefined][], fallback: Family): Family {
  let family: Family | undefined;
  let first = '';
  for (const [what, text] of named) {
    if (text === undefined) continue;
    const f = familyOfArg(what, text);
    if (family !== undefined && f !== family) {
      throw new PacketInputError(`mixed address families: ${first} is IPv${family}, ${what} ${text} is IPv${f}`);
    }
    if (family === undefined) { family = f; first = `${what} ${text}`; }
  }
  return family ?? fallback;
}
