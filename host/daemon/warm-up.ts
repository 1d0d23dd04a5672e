// The first takeover of a freshly started daemon ran about a millisecond slower than later ones: V8 compiles
// functions lazily and their inline caches start empty, and everything between the wake-up and the send — the
// driver's drain, the binding's output decoding for state/VIP/announce records — ran for the first time exactly
// when it mattered. A scratch core (the same compiled module, its own memory) takes one copy of a real instance
// through start, takeover and shutdown at start-up, through the same Driver and binding code, with a sink that
// does nothing. Nothing reaches the real core, the sockets or the log.
import { Core, type InstanceConfig } from '../core/wasm-core.ts';
import { Driver } from './driver.ts';

export function warmTakeoverPath(config: InstanceConfig, rounds = 3): void {
  const core = new Core();
  let t = 0;
  const driver = new Driver(core, { transmit: () => {}, event: () => {}, drained: () => {} }, () => t,
    { arm: () => {}, disarm: () => {} });
  core.configure(0, { ...config, startupClaim: false, syncGroup: undefined });
  for (let k = 0; k < rounds; k++) {
    t += 1;
    driver.step((now) => core.start(now, 0));
    t += 60_000_000; // past any Master_Down_Interval
    driver.step((now) => core.handleTimeout(now, 0));
    t += 1;
    driver.step((now) => core.shutdown(now, 0));
  }
  driver.stop();
}
