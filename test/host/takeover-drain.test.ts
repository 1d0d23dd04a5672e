// Before a backup acts on its Master_Down deadline the driver asks the host to read its sockets (beforeTakeover):
// an advert that arrived before the deadline but still waits in the kernel (a receive pause, or the same
// event-loop turn as the timer) must count, as it would have had it been read at once. Real core, fake waker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Core, ipv4Wrap } from '../../host/core/wasm-core.ts';
import { Driver } from '../../host/daemon/driver.ts';

const cfg = { socket: 0, version: 3 as const, family: 4 as const, vrid: 7, priority: 100, advertIntUs: 100_000, src: '10.203.0.2', vips: ['10.203.0.100'] };

function setup(pending: boolean) {
  let clock = 1_000_000;
  let fire: (() => void) | null = null;
  let armedAt = 0;
  const core = new Core('release');
  const master = Buffer.from(ipv4Wrap(core.encodeAdvert({ ...cfg, priority: 200, src: '10.203.0.1' }), '10.203.0.1', '224.0.0.18', 255));
  let drains = 0;
  let deadline = 0;
  const driver = new Driver(core, {
    transmit() {},
    event() {},
    beforeTakeover() {
      drains++;
      // The master's advert arrived 50 µs before the deadline and was not read yet.
      if (pending) driver.step(() => core.handleDatagram(deadline - 50, 0, 4, 255, master));
    },
  }, () => clock, { arm: (d, _n, f) => { armedAt = d; fire = f; }, disarm() { fire = null; } });
  core.configure(0, cfg);
  driver.step((now) => core.start(now, 0));
  driver.step((now) => core.handleDatagram(now, 0, 4, 255, master)); // a master is there: BACKUP, Master_Down armed
  return {
    core, get drains() { return drains; },
    expire() { deadline = armedAt; clock = armedAt; const f = fire!; fire = null; f(); },
    get armedAt() { return armedAt; },
  };
}

test('an advert waiting in the kernel at the Master_Down deadline is read first: no takeover, the deadline moves', () => {
  const t = setup(true);
  const first = t.armedAt;
  t.expire();
  assert.equal(t.drains, 1);
  assert.equal(t.core.inspect(0).state, 'BACKUP', 'the pending advert counted');
  assert.ok(t.armedAt > first, 'armed for the new Master_Down deadline');
  assert.equal(t.core.stats(0).become_master, 0);
});

test('nothing waiting: the deadline is acted on (MASTER)', () => {
  const t = setup(false);
  t.expire();
  assert.equal(t.drains, 1);
  assert.equal(t.core.inspect(0).state, 'MASTER');
});
