// A snapshot of the pool as selection and the IDE features need it. Produced by the live
// pool (xen-api), by `xe vm-list` on a host, or by tests; consumed by pure functions only.

export type PowerState = 'Running' | 'Halted' | 'Paused' | 'Suspended';

export interface InventoryDisk {
  /** VBD device, e.g. `xvda` (may be empty for a disk without a device yet). */
  device: string;
  /** VBD userdevice, e.g. `0`. */
  userdevice: string;
  vdiUuid: string;
  vdiName: string;
  /** Virtual size in bytes. */
  virtualSize: number;
  srName: string;
}

export interface InventoryVm {
  uuid: string;
  /** XAPI opaque ref (`OpaqueRef:...`) when known. */
  ref?: string;
  name: string;
  powerState: PowerState;
  isTemplate: boolean;
  isSnapshot: boolean;
  isControlDomain: boolean;
  disks: InventoryDisk[];
}

export interface Inventory {
  /**
   * Every VM record of the pool, in the order `xe vm-list` prints them (XAPI's
   * get_all_records order). Selection filters out templates, snapshots and dom0 itself.
   */
  vms: InventoryVm[];
  /** Where it came from and when, for hovers ("live", "cached 3 h ago"). */
  source: 'live' | 'cache' | 'xe' | 'fixture';
  fetchedAt: number;
  poolName?: string;
}

/** The VMs that VmBackup's `all` list starts from, in `xe vm-list` order. */
export function selectableVms(inventory: Inventory): InventoryVm[] {
  return inventory.vms.filter((vm) => !vm.isTemplate && !vm.isSnapshot && !vm.isControlDomain);
}
