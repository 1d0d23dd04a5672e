// The engine's one clock: a binary min-heap of instances keyed by their earliest deadline, so that 10 000
// instances cost O(log n) per timer change and the host arms a single timer for the top.
import { Instance } from '../vrrp/instance';
import { NEVER } from '../time';
import * as work from './work';

let heap = new StaticArray<Instance | null>(64);
let size: i32 = 0;

/** Makes room for n instances. Cold path: only configure() calls it. */
export function reserve(n: i32): void {
  if (n <= heap.length) return;
  let cap = heap.length;
  while (cap < n) cap <<= 1;
  const grown = new StaticArray<Instance | null>(cap);
  for (let i = 0; i < size; i++) unchecked(grown[i] = heap[i]);
  heap = grown;
}

// @ts-ignore: decorator
@inline function at(i: i32): Instance { return changetype<Instance>(unchecked(heap[i])); }

// @ts-ignore: decorator
@inline function put(i: i32, x: Instance): void {
  unchecked(heap[i] = x);
  x.heapPos = i;
}

// Every change to the heap ends in one up() or down(); `levels` (debug build only) is what the work counters see.
function up(i: i32): void {
  const x = at(i);
  let levels: i32 = 0;
  while (i > 0) {
    const p = (i - 1) >> 1;
    const y = at(p);
    if (y.next <= x.next) break;
    put(i, y);
    i = p;
    if (work.COUNT) levels++;
  }
  put(i, x);
  if (work.COUNT) work.sifted(levels);
}

function down(i: i32): void {
  const x = at(i);
  let levels: i32 = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= size) break;
    if (c + 1 < size && at(c + 1).next < at(c).next) c++;
    const y = at(c);
    if (x.next <= y.next) break;
    put(i, y);
    i = c;
    if (work.COUNT) levels++;
  }
  put(i, x);
  if (work.COUNT) work.sifted(levels);
}

/** Call after changing x.next: inserts, moves or removes x (an instance with no deadline leaves the heap). */
export function update(x: Instance): void {
  const pos = x.heapPos;
  if (x.next == NEVER) {
    if (pos >= 0) removeAt(pos);
    return;
  }
  if (pos < 0) {
    if (size >= heap.length) abort('timer queue full: reserve() was not called');
    put(size, x);
    size++;
    up(size - 1);
    return;
  }
  if (pos > 0 && at((pos - 1) >> 1).next > x.next) up(pos);
  else down(pos);
}

function removeAt(pos: i32): void {
  const x = at(pos);
  x.heapPos = -1;
  size--;
  if (pos == size) {
    unchecked(heap[size] = null);
    return;
  }
  const last = at(size);
  unchecked(heap[size] = null);
  put(pos, last);
  if (pos > 0 && at((pos - 1) >> 1).next > last.next) up(pos);
  else down(pos);
}

export function remove(x: Instance): void {
  if (x.heapPos >= 0) removeAt(x.heapPos);
}

/** The earliest deadline, NEVER when no instance has one. */
export function earliest(): i64 {
  return size == 0 ? NEVER : at(0).next;
}

/** The instance with the earliest deadline; only valid when earliest() != NEVER. */
export function top(): Instance {
  return at(0);
}

export function queued(): i32 {
  return size;
}
