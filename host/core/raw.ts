// The core's exports without the typed binding, for the fuzz test and the benchmark: a datagram written once
// into RX can be fed again and again, and state can be fingerprinted without building objects. Only numbers
// cross the boundary here, as in the daemon's hot path.
import * as abi from './abi.ts';
import { Core, type Exports, type InstanceConfig } from './wasm-core.ts';

/**
 * The raw export surface (assembly/index.ts): the binding's, plus exports only tests use (timerWork: the timer
 * heap's work counters, counted by the debug build only; -1 elsewhere).
 */
export type RawExports = Exports & { timerWork(): number };

/** Exports no host code uses, only tests (test/host/abi.test.ts allows exactly these beyond CORE_EXPORTS). */
export const TEST_EXPORTS: readonly string[] = ['timerWork'];

/**
 * The exports behind a typed Core. The binding keeps them private because only it may touch linear memory in
 * the daemon; tests and benchmarks that measure or hammer the core itself reach past it on purpose.
 */
export function rawOf(core: Core): RawExports {
  const x = (core as unknown as { x?: RawExports }).x;
  if (!x || typeof x.handleDatagram !== 'function' || !(x.memory instanceof WebAssembly.Memory)) {
    throw new Error('host/core/raw.ts: the Core binding no longer keeps its exports in `x`');
  }
  return x;
}

let scratch: Core | undefined;

/**
 * The CFG record the binding would write for `c` (its length is the record's length), so a module instantiated
 * outside the binding (the rtrace build) can be configured with exactly the daemon's bytes.
 */
export function configRecord(c: InstanceConfig): Uint8Array {
  scratch ??= new Core('release');
  scratch.encodeAdvert({ ...c, priority: c.priority }); // serialises c into the scratch core's CFG region
  const x = rawOf(scratch);
  const len = abi.CFG_ADDRS + c.vips.length * 16 + (c.peers?.length ?? 0) * abi.CFG_PEER_SIZE;
  return new Uint8Array(x.memory.buffer, x.cfgPtr(), len).slice();
}
