// Strict parsing of the packet tool's numeric options: whole decimal numbers in a stated range, nothing else.
import { PacketInputError } from './errors.ts';

export function intIn(what: string, text: string, lo: number, hi: number): number {
  if (!/^\d+$/.test(text.trim())) throw new PacketInputError(`${what} must be a whole number, not ${JSON.stringify(text)}`);
  const n = Number(text.trim());
  if (n < lo || n > hi) throw new PacketInputError(`${what} must be ${lo}..${hi}, not ${n}`);
  return n;
}
