// The pool most multi-host tests need: a master (xs1, 127.0.0.1) and a member (xs2, 127.0.0.2),
// each with its local SR, so a VM whose disk is on `local-xs2` is exported through the member
// (export.ml's redirect to the host that sees the disks).
import type { Fixture, FixtureVm } from './fixture-types';

export function twoHostPool(name: string, vms: FixtureVm[]): Fixture {
  return {
    name,
    hosts: [
      { name: 'xs1', address: '127.0.0.1' },
      { name: 'xs2', address: '127.0.0.2' },
    ],
    srs: [
      { name: 'Local storage', host: 'xs1', default: true },
      { name: 'Local storage xs2', alias: 'local-xs2', host: 'xs2' },
    ],
    vms,
  };
}
