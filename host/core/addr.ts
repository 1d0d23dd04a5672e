// IP address text <-> the 16-byte slots the core uses (an IPv4 address fills the first 4 bytes).
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export function familyOf(text: string): Family {
  if (isIPv4(text)) return 4;
  if (isIPv6(text)) return 6;
  throw new Error(`not an IP address: ${JSON.stringify(text)}`);
}

/** Writes `text` into out[off, off+16) (zero filled after an IPv4 address). Throws on a bad address. */
export function writeAddr(text: string, out: Uint8Array, off = 0): Family {
  out.fill(0, off, off + 16);
  if (isIPv4(text)) {
    const p = text.split('.');
    for (let k = 0; k < 4; k++) out[off + k] = Number(p[k]);
    return 4;
  }
  if (!isIPv6(text)) throw new Error(`not an IP address: ${JSON.stringify(text)}`);
  let s = text;
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = v4[1].split('.').map(Number);
    s = s.slice(0, v4.index) + ((b[0] << 8) | b[1]).toString(16) + ':' + ((b[2] << 8) | b[3]).toString(16);
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  for (let k = 0; k < 8; k++) {
    const g = parseInt(groups[k], 16);
    out[off + 2 * k] = g >> 8;
    out[off + 2 * k + 1] = g & 0xff;
  }
  return 6;
}

export function addrBytes(text: string): Uint8Array {
  const b = new Uint8Array(16);
  writeAddr(text, b);
  return b;
}

/** Formats 4 or 16 bytes at buf[off] as text (IPv6 compressed as RFC 5952 says). */
export function formatAddr(buf: Uint8Array, off: number, family: Family): string {
  if (family === 4) return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
  const g: number[] = [];
  for (let k = 0; k < 8; k++) g.push((buf[off + 2 * k] << 8) | buf[off + 2 * k + 1]);
  // The longest run of two or more zero groups becomes "::".
  let best = -1, bestLen = 1;
  for (let k = 0; k < 8;) {
    if (g[k] !== 0) { k++; continue; }
    let e = k;
    while (e < 8 && g[e] === 0) e++;
    if (e - k > bestLen) { best = k; bestLen = e - k; }
    k = e;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
