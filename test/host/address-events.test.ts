// What an address coming or going means for each instance (host/daemon/address-events.ts). The daemon carries
// the answer out; test/e2e/daemon-address-events.test.ts watches it happen on a real interface.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressActions, sameAddress, type InstanceAddressView } from '../../host/daemon/address-events.ts';

const base: InstanceAddressView = {
  handle: 0, family: 4, state: 'BACKUP', src: '10.203.0.1', srcConfigured: false, trackSrcIp: false, unicast: false,
  ifindex: 2, installed: [], srcLost: false,
};
const gone = (address: string, ifindex = 2, family: 4 | 6 = 4) => ({ action: 'removed' as const, family, ifindex, address });
const back = (address: string, ifindex = 2, family: 4 | 6 = 4) => ({ action: 'added' as const, family, ifindex, address });

test('track_src_ip: the source going puts the instance in FAULT, its return takes it out; once each', () => {
  const i = { ...base, srcConfigured: true, trackSrcIp: true };
  assert.deepEqual(addressActions(gone('10.203.0.1'), [i]), [{ kind: 'src-lost', handle: 0, address: '10.203.0.1' }]);
  assert.deepEqual(addressActions(gone('10.203.0.1'), [{ ...i, srcLost: true }]), [], 'already held');
  assert.deepEqual(addressActions(back('10.203.0.1', 3), [{ ...i, srcLost: true }]), [{ kind: 'src-back', handle: 0, address: '10.203.0.1' }]);
  assert.deepEqual(addressActions(back('10.203.0.1'), [i]), [], 'an address that was never lost changes nothing');
});

test('without track_src_ip: a configured or unicast source is kept, an interface-derived one is taken again', () => {
  assert.deepEqual(addressActions(gone('10.203.0.1'), [{ ...base, srcConfigured: true }]),
    [{ kind: 'src-kept', handle: 0, address: '10.203.0.1', why: 'configured' }]);
  assert.deepEqual(addressActions(gone('10.203.0.1'), [{ ...base, unicast: true }]),
    [{ kind: 'src-kept', handle: 0, address: '10.203.0.1', why: 'unicast' }]);
  assert.deepEqual(addressActions(gone('10.203.0.1'), [base]), [{ kind: 'src-rederive', handle: 0, address: '10.203.0.1' }]);
  assert.deepEqual(addressActions(gone('10.203.0.1', 7), [base]), [], 'the same address on another interface');
});

test('a VIP removed from a master by someone else is reported; not from a backup, not another address', () => {
  const m = { ...base, state: 'MASTER', installed: [{ addr: '10.203.0.100', ifindex: 2 }, { addr: '10.203.9.9', ifindex: 5 }] };
  assert.deepEqual(addressActions(gone('10.203.0.100'), [m]), [{ kind: 'vip-gone', handle: 0, address: '10.203.0.100' }]);
  assert.deepEqual(addressActions(gone('10.203.9.9', 5), [m]), [{ kind: 'vip-gone', handle: 0, address: '10.203.9.9' }], 'a VIP with its own dev');
  assert.deepEqual(addressActions(gone('10.203.9.9', 2), [m]), [], 'that address on another interface is not the VIP');
  assert.deepEqual(addressActions(gone('10.203.0.100'), [{ ...m, state: 'BACKUP' }]), []);
  assert.deepEqual(addressActions(back('10.203.0.100'), [m]), []);
  assert.deepEqual(addressActions(gone('10.203.0.101'), [m]), []);
});

test('families are kept apart and IPv6 spellings compare as addresses', () => {
  const v6 = { ...base, family: 6 as const, src: 'fe80::1', srcConfigured: true, trackSrcIp: true };
  assert.deepEqual(addressActions(gone('fe80:0:0::0001', 2, 6), [v6]), [{ kind: 'src-lost', handle: 0, address: 'fe80:0:0::0001' }]);
  assert.deepEqual(addressActions(gone('10.203.0.1'), [v6]), []);
  assert.equal(sameAddress('2001:db8::1', '2001:DB8:0::1'), true);
  assert.equal(sameAddress('10.203.0.1', '10.203.0.10'), false);
});
