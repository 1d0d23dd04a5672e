// nextDeadlineIsTakeover(): the host arms a backup's deadline (a failover waits on it) with a wider early margin
// than a master's advert (host/net/precise-waker.ts), so the core must say which kind its earliest deadline is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Core } from '../../host/core/wasm-core.ts';
import { Driver } from '../../host/daemon/driver.ts';

test('a backup waiting for Master_Down_Interval (or its start-up claim) is a takeover deadline; a master\'s advert is not', () => {
  let clock = 1_000_000;
  const armed: boolean[] = [];
  const core = new Core('release');
  const driver = new Driver(core, { transmit() {}, event() {} }, () => clock,
    { arm: (_d, _n, _f, takeover) => { armed.push(takeover ?? false); }, disarm() {} });
  assert.equal(core.nextDeadlineIsTakeover(), false, 'no instance, no deadline');
  core.configure(0, { socket: 0, version: 3, family: 4, vrid: 7, priority: 100, advertIntUs: 100_000, src: '10.203.0.1', vips: ['10.203.0.100'] });
  driver.step((now) => core.start(now, 0));
  assert.equal(core.inspect(0).state, 'BACKUP');
  assert.equal(core.nextDeadlineIsTakeover(), true, 'BACKUP: Master_Down_Interval');
  assert.equal(armed.at(-1), true, 'the driver passed it to the waker');
  for (let k = 0; k < 20 && core.inspect(0).state !== 'MASTER'; k++) {
    clock = core.nextDeadline();
    driver.step((now) => core.handleTimeout(now, 0));
    if (core.inspect(0).state === 'BACKUP') assert.equal(core.nextDeadlineIsTakeover(), true, 'still BACKUP (claiming)');
  }
  assert.equal(core.inspect(0).state, 'MASTER');
  assert.equal(core.nextDeadlineIsTakeover(), false, 'MASTER: the next advert');
  assert.equal(armed.at(-1), false);
});
