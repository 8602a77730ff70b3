// One read of the pool's records at the start of a run (six get_all_records calls), shared
// by selection (the inventory) and by every VM's backup (name check, metadata files,
// leftover snapshots). Per-VM XenAPI round trips would otherwise dominate the orchestration
// cost of many small VMs. Anything not found here is looked up live by the caller.
import type { Inventory, InventoryDisk, InventoryVm, PowerState } from './inventory';
import {
  allRecords,
  fieldBool,
  fieldNumber,
  fieldText,
  type RecordReader,
  type VmRecords,
  type XapiRecord,
} from './xapi';

type RecordMap = Record<string, XapiRecord>;
const CLASSES = ['VM', 'VBD', 'VDI', 'SR', 'VIF', 'network'] as const;
type Tables = Record<(typeof CLASSES)[number], RecordMap>;

const POWER_STATES: Record<string, PowerState> = {
  running: 'Running',
  halted: 'Halted',
  paused: 'Paused',
  suspended: 'Suspended',
};

export class PoolRecords {
  private constructor(
    private readonly tables: Tables,
    readonly fetchedAt: number,
  ) {}

  static async load(pool: RecordReader): Promise<PoolRecords> {
    const maps = await Promise.all(CLASSES.map((cls) => allRecords(pool, cls)));
    const tables = Object.fromEntries(CLASSES.map((cls, i) => [cls, maps[i]!])) as Tables;
    return new PoolRecords(tables, Date.now());
  }

  /** Every VM record in XAPI's get_all_records order (what `xe vm-list` prints). */
  inventory(): Inventory {
    const { VM, VBD, VDI, SR } = this.tables;
    const vms: InventoryVm[] = Object.entries(VM).map(([ref, vm]) => {
      const disks: InventoryDisk[] = [];
      for (const vbdRef of (vm.VBDs as string[] | undefined) ?? []) {
        const vbd = VBD[vbdRef];
        const vdi = vbd && fieldText(vbd.type) === 'Disk' ? VDI[fieldText(vbd.VDI)] : undefined;
        if (!vbd || !vdi) continue;
        disks.push({
          device: fieldText(vbd.device),
          userdevice: fieldText(vbd.userdevice),
          vdiUuid: vdi.uuid,
          vdiName: fieldText(vdi.name_label),
          virtualSize: fieldNumber(vdi.virtual_size),
          srName: fieldText(SR[fieldText(vdi.SR)]?.name_label),
        });
      }
      return {
        uuid: vm.uuid,
        ref,
        name: fieldText(vm.name_label),
        powerState: POWER_STATES[fieldText(vm.power_state).toLowerCase()] ?? 'Halted',
        isTemplate: fieldBool(vm.is_a_template),
        isSnapshot: fieldBool(vm.is_a_snapshot),
        isControlDomain: fieldBool(vm.is_control_domain),
        disks,
      };
    });
    return { vms, source: 'live', fetchedAt: this.fetchedAt };
  }

  /** Every VM record named exactly `name` (snapshots and templates included). */
  vmsNamed(name: string): { ref: string; record: XapiRecord }[] {
    return Object.entries(this.tables.VM)
      .filter(([, vm]) => fieldText(vm.name_label) === name)
      .map(([ref, record]) => ({ ref, record }));
  }

  vmRecords(ref: string): VmRecords | undefined {
    const { VM, VBD, VDI, SR, VIF, network } = this.tables;
    const vm = VM[ref];
    if (!vm) return undefined;
    const disks: VmRecords['disks'] = [];
    for (const vbdRef of (vm.VBDs as string[] | undefined) ?? []) {
      const vbd = VBD[vbdRef];
      if (!vbd) return undefined; // changed since the start of the run: let the caller ask XAPI
      const vdi = VDI[fieldText(vbd.VDI)];
      disks.push({ vbd, vdi, sr: vdi ? SR[fieldText(vdi.SR)] : undefined });
    }
    const vifs: VmRecords['vifs'] = [];
    for (const vifRef of (vm.VIFs as string[] | undefined) ?? []) {
      const vif = VIF[vifRef];
      if (!vif) return undefined;
      vifs.push({ vif, network: network[fieldText(vif.network)] });
    }
    return { vm, disks, vifs };
  }

  vmSnapshotsNamed(name: string): XapiRecord[] {
    return Object.values(this.tables.VM).filter(
      (vm) => fieldBool(vm.is_a_snapshot) && fieldText(vm.name_label) === name,
    );
  }

  vdiSnapshotsNamed(name: string): XapiRecord[] {
    return Object.values(this.tables.VDI).filter(
      (vdi) => fieldBool(vdi.is_a_snapshot) && fieldText(vdi.name_label) === name,
    );
  }
}

/** Everything selection needs, in XAPI's get_all_records order. */
export async function loadInventory(pool: RecordReader): Promise<Inventory> {
  return (await PoolRecords.load(pool)).inventory();
}
