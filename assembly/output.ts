// A fixed ring of pending outputs. Work that emits outputs first checks room(); the ring never allocates.
// A TRANSMIT record is expanded at poll time into one datagram per destination (group, or each unicast peer),
// so one record covers any number of peers.

// @ts-ignore: decorator
@inline export const RING: i32 = 1024;
// @ts-ignore: decorator
@inline export const FIELDS: i32 = 6; // kind, handle, a, b, c, d
// Work on one instance emits at most this many records (becoming master: state, transmit, VIPs, announce,
// plus a priority change) — callers keep this much room before touching an instance, times the members of its
// sync group, which move together.
// @ts-ignore: decorator
@inline export const PER_EVENT: i32 = 8;

const ring = new StaticArray<i32>(RING * FIELDS);
let head: i32 = 0;
let count: i32 = 0;

export function push(kind: i32, handle: i32, a: i32, b: i32, c: i32, d: i32): void {
  if (count >= RING) abort('output ring full: the host must drain pollOutput() after every input');
  const base = ((head + count) % RING) * FIELDS;
  unchecked(ring[base] = kind);
  unchecked(ring[base + 1] = handle);
  unchecked(ring[base + 2] = a);
  unchecked(ring[base + 3] = b);
  unchecked(ring[base + 4] = c);
  unchecked(ring[base + 5] = d);
  count++;
}

export function pending(): i32 { return count; }
export function room(): i32 { return RING - count; }

/** Field f (0 kind .. 5 d) of the oldest record. */
// @ts-ignore: decorator
@inline export function peek(f: i32): i32 { return unchecked(ring[head * FIELDS + f]); }
// @ts-ignore: decorator
@inline export function setPeek(f: i32, v: i32): void { unchecked(ring[head * FIELDS + f] = v); }

export function pop(): void {
  head = (head + 1) % RING;
  count--;
}

export function clear(): void {
  head = 0;
  count = 0;
}
