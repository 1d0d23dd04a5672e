// Hex text <-> bytes for the packet tool. Accepts what people paste: "0x" prefixes, spaces, colons, newlines.
import { PacketInputError } from './errors.ts';

export function parseHex(text: string): Uint8Array {
  const s = text.replace(/0x/gi, '').replace(/[\s:.-]/g, '');
  if (s.length === 0) throw new PacketInputError('no hex digits given');
  if (!/^[0-9a-f]*$/i.test(s)) throw new PacketInputError(`not hex: ${JSON.stringify(text.length > 40 ? text.slice(0, 40) + '...' : text)}`);
  if (s.length % 2 !== 0) throw new PacketInputError(`odd number of hex digits (${s.length})`);
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
