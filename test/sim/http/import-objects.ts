// The objects of an ova.xml made into pool objects, as ocaml/xapi/import.ml handle_all does:
// class by class (host, SR, VDI, VM, network, VBD, VIF), each object checked (precheck) then
// created or mapped to an existing one; a table maps export ids (`Ref:N`) to pool refs. A full
// import (PUT /import) creates the VDIs in the target SR; a metadata import (PUT
// /import_metadata) finds them: by the `vdi:<uuid>=<uuid>` map, else in the exported SR (by
// uuid) by location; not found → VDI_LOCATION_MISSING [sr, location] (the SR exists) or
// VDI_CONTENT_ID_MISSING [] (it does not), unless force=true, which skips the disk (its VBD is
// then left out). On a failure everything created so far is destroyed again (unless force).
import { fieldsOf } from '../datamodel';
import { coerce } from '../api/generic';
import { createVbd, createVdi, createVif } from '../create-ops';
import { failure } from '../errors';
import { NULL_REF } from '../ids';
import { destroyVdi, destroyVm, vmAllowedOperations } from '../ops';
import type { SimState, XapiRecord } from '../state';
import { xapiDate } from '../time';

export interface OvaObject {
  class: string;
  id: string;
  snapshot: Record<string, unknown>;
}

export interface ImportConfig {
  /** Metadata_import (true) or Full_import into `sr`. */
  metadata: boolean;
  sr: string;
  /** `restore=true` (xe `preserve=true`): keep uuids and MACs. */
  fullRestore: boolean;
  force: boolean;
  /** Metadata import: exported VDI uuid → uuid of the VDI to use instead. */
  vdiMap: Record<string, string>;
  task: string;
  /**
   * Metadata import `dry_run=true`: the checks run and nothing stays (the simulator creates and
   * removes the objects again, so events show them briefly; xapi makes none).
   */
  dryRun?: boolean;
}

export interface Imported {
  /** The task result: the VMs created, without snapshots unless only snapshots were imported. */
  vms: string[];
  /** Export id → VDI created by a full import (to receive the disk data). */
  createdVdis: Map<string, string>;
}

const str = (v: unknown) => String(v ?? '');
const strMap = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, string>) : {});

/** Fields of `cls` from an ova.xml snapshot, typed as the data model says; refs and uuid left out. */
export function fieldsFrom(cls: string, snapshot: Record<string, unknown>): XapiRecord {
  const out: XapiRecord = {};
  for (const f of fieldsOf(cls)) {
    if (!(f.name in snapshot) || f.name === 'uuid') continue;
    const refLike =
      f.type.k === 'ref' ||
      (f.type.k === 'set' && f.type.of.k === 'ref') ||
      (f.type.k === 'map' && f.type.key.k === 'ref');
    if (!refLike) out[f.name] = coerce(snapshot[f.name], f.type);
  }
  return out;
}

class Importer {
  readonly table = new Map<string, string>();
  readonly createdVms: string[] = [];
  readonly createdVdis = new Map<string, string>();
  private readonly cleanup: (() => void)[] = [];
  private readonly snapshotOf = new Map<string, string>();

  constructor(
    private readonly state: SimState,
    private readonly objects: OvaObject[],
    private readonly config: ImportConfig,
  ) {}

  /** import.ml lookup: IMPORT_ERROR_FAILED_TO_FIND_OBJECT [id] when the id was not imported. */
  lookup(id: unknown): string {
    const ref = this.table.get(str(id));
    if (ref === undefined) throw failure('IMPORT_ERROR_FAILED_TO_FIND_OBJECT', str(id));
    return ref;
  }

  findInExport(id: unknown): Record<string, unknown> {
    const o = this.objects.find((x) => x.id === str(id));
    if (!o) throw failure('IMPORT_ERROR_FAILED_TO_FIND_OBJECT', str(id));
    return o.snapshot;
  }

  /** `receive`: the disk data streamed in after the objects exist (a failure there undoes them too). */
  run(receive?: (createdVdis: Map<string, string>) => void): void {
    const order: [string, (o: OvaObject) => void][] = [
      ['host', (o) => this.host(o)],
      ['SR', (o) => this.sr(o)],
      ['VDI', (o) => this.vdi(o)],
      ['VM', (o) => this.vm(o)],
      ['network', (o) => this.network(o)],
      ['VBD', (o) => this.vbd(o)],
      ['VIF', (o) => this.vif(o)],
    ];
    try {
      for (const [cls, handle] of order) for (const o of this.objects) if (o.class === cls) handle(o);
      this.linkSnapshots();
      receive?.(this.createdVdis);
      if (this.config.dryRun) for (const undo of this.cleanup.reverse()) undo();
    } catch (error) {
      if (!this.config.force) for (const undo of this.cleanup.reverse()) undo();
      throw error;
    }
  }

  private host(o: OvaObject): void {
    this.table.set(o.id, this.state.findByUuid('host', str(o.snapshot.uuid)) ?? NULL_REF);
  }

  private sr(o: OvaObject): void {
    if (this.config.metadata) {
      const found = this.state.findByUuid('SR', str(o.snapshot.uuid));
      if (found) this.table.set(o.id, found);
    } else if (o.snapshot.content_type !== 'iso') {
      this.table.set(o.id, this.config.sr);
    }
  }

  private vdi(o: OvaObject): void {
    const { state, config } = this;
    const snap = o.snapshot;
    const originalSr = this.findInExport(snap.SR);
    if (originalSr.content_type === 'iso') {
      // Best effort: an ISO with the same location in an ISO library, else the CD is ejected.
      const isoSrs = state.entries('SR').filter(([, r]) => r.content_type === 'iso' && r.type !== 'udev');
      const found = state
        .entries('VDI')
        .find(([, r]) => r.location === snap.location && isoSrs.some(([ref]) => ref === r.SR));
      if (found) this.table.set(o.id, found[0]);
      return;
    }
    if (!config.metadata) {
      const ref = createVdi(
        state,
        {
          name_label: str(snap.name_label),
          name_description: str(snap.name_description),
          SR: this.lookup(snap.SR),
          virtual_size: Number(snap.virtual_size ?? 0),
          type: str(snap.type || 'user'),
          sharable: snap.sharable === true,
          read_only: snap.read_only === true,
          other_config: strMap(snap.other_config),
          sm_config: { ...strMap(snap.sm_config), import_task: config.task },
          tags: Array.isArray(snap.tags) ? snap.tags.map(String) : [],
        },
        { xenstore_data: strMap(snap.xenstore_data) },
      );
      this.cleanup.push(() => state.has('VDI', ref) && destroyVdi(state, ref));
      this.table.set(o.id, ref);
      this.createdVdis.set(o.id, ref);
      return;
    }
    const mapped = config.vdiMap[str(snap.uuid)];
    let found = mapped !== undefined ? state.findByUuid('VDI', mapped) : undefined;
    const srKnown = this.table.has(str(snap.SR));
    if (found === undefined && srKnown) {
      const sr = this.table.get(str(snap.SR));
      found = state.entries('VDI').find(([, r]) => r.location === snap.location && r.SR === sr)?.[0];
    }
    if (found !== undefined) return void this.table.set(o.id, found);
    if (config.force) return;
    if (srKnown) throw failure('VDI_LOCATION_MISSING', this.table.get(str(snap.SR)), str(snap.location));
    throw failure('VDI_CONTENT_ID_MISSING');
  }

  private isDefaultTemplate(snap: Record<string, unknown>): boolean {
    return (
      snap.is_default_template === true ||
      (snap.is_a_template === true && strMap(snap.other_config).default_template === 'true')
    );
  }

  private vm(o: OvaObject): void {
    const { state, config } = this;
    const snap = o.snapshot;
    if (this.isDefaultTemplate(snap)) {
      const template = state.entries('VM').find(([, r]) => r.name_label === snap.name_label)?.[0];
      if (template) {
        this.table.set(o.id, template);
        this.createdVms.push(template);
        return;
      }
    }
    const existing = config.fullRestore ? state.findByUuid('VM', str(snap.uuid)) : undefined;
    if (existing) {
      const rec = state.get('VM', existing)!;
      if (rec.power_state !== 'Halted') {
        if (config.force) return;
        throw failure('VM_BAD_POWER_STATE', existing, 'halted', String(rec.power_state).toLowerCase());
      }
      const version = Number(snap.version ?? 0);
      if (Number(rec.version) >= version && !config.force)
        throw failure('VM_TO_IMPORT_IS_NOT_NEWER_VERSION', existing, Number(rec.version), version);
      // Replace: the existing VM goes, with its VIFs and VBDs (its disks stay).
      destroyVm(state, existing);
      return this.createVm(o, false);
    }
    this.createVm(o, !config.force);
  }

  /** `clean`: a Clean_import without force, which never makes a default template. */
  private createVm(o: OvaObject, clean: boolean): void {
    const { state, config } = this;
    const snap = o.snapshot;
    const otherConfig = { ...strMap(snap.other_config) };
    delete otherConfig.grant_api_access;
    if (!config.fullRestore) otherConfig.mac_seed = state.ids.uuid();
    if (clean) delete otherConfig.default_template;
    otherConfig.import_task = config.task;
    let power = 'Halted';
    let suspendVdi = NULL_REF;
    if (snap.power_state === 'Suspended') {
      const vdi = this.table.get(str(snap.suspend_VDI));
      if (vdi !== undefined) [power, suspendVdi] = ['Suspended', vdi];
      else if (!config.force) throw failure('IMPORT_ERROR_FAILED_TO_FIND_OBJECT', str(snap.suspend_VDI));
    }
    const metrics = state.create('VM_metrics', { install_time: xapiDate() });
    const vm = state.create('VM', {
      ...fieldsFrom('VM', snap),
      ...(config.fullRestore ? { uuid: str(snap.uuid) } : {}),
      other_config: otherConfig,
      version: config.fullRestore ? Number(snap.version ?? 0) + 1 : 0,
      is_default_template: clean ? false : snap.is_default_template === true,
      power_state: power,
      suspend_VDI: suspendVdi,
      resident_on: NULL_REF,
      domid: -1,
      metrics,
      current_operations: config.force ? {} : { [config.task]: 'import' },
      allowed_operations: [],
    });
    this.cleanup.push(() => {
      if (!state.has('VM', vm)) return;
      state.update('VM', vm, { current_operations: {}, power_state: 'Halted' });
      destroyVm(state, vm);
    });
    if (str(snap.snapshot_of) !== NULL_REF && snap.is_a_snapshot === true)
      this.snapshotOf.set(vm, str(snap.snapshot_of));
    this.table.set(o.id, vm);
    this.createdVms.push(vm);
  }

  /** import.ml Net: by name label, else by bridge, else a new network. */
  private network(o: OvaObject): void {
    const { state } = this;
    const snap = o.snapshot;
    const byName = state.entries('network').find(([, r]) => r.name_label === snap.name_label);
    const byBridge = state.entries('network').find(([, r]) => r.bridge === snap.bridge);
    const found = (byName ?? byBridge)?.[0];
    if (found) return void this.table.set(o.id, found);
    const ref = state.create('network', {
      ...fieldsFrom('network', snap),
      other_config: { ...strMap(snap.other_config), import_task: this.config.task },
      VIFs: [],
      PIFs: [],
    });
    this.cleanup.push(() => state.has('network', ref) && state.destroy('network', ref));
    this.table.set(o.id, ref);
  }

  private vbd(o: OvaObject): void {
    const { state, config } = this;
    const snap = o.snapshot;
    if (config.fullRestore) {
      const same = state.findByUuid('VBD', str(snap.uuid));
      if (same) return void this.table.set(o.id, same);
    }
    const vm = this.lookup(snap.VM);
    const original = this.findInExport(snap.VM);
    const hasQemu = original.domain_type === 'hvm' || str(original.HVM_boot_policy) !== '';
    const vdiKnown = this.table.has(str(snap.VDI));
    if (snap.currently_attached === true && !vdiKnown && !(snap.type === 'CD' && hasQemu))
      throw failure('IMPORT_ERROR_ATTACHED_DISKS_NOT_FOUND');
    let vdi = vdiKnown ? this.lookup(snap.VDI) : NULL_REF;
    let empty = snap.empty === true;
    if (!vdiKnown) {
      if (snap.type === 'Disk') return; // "Cannot import VM's disk": the VBD is left out
      if (hasQemu || original.power_state !== 'Suspended') [vdi, empty] = [NULL_REF, true];
    }
    const ref = createVbd(
      state,
      {
        VM: vm,
        VDI: vdi,
        userdevice: str(snap.userdevice),
        bootable: snap.bootable === true,
        mode: snap.mode === 'RO' ? 'RO' : 'RW',
        type: snap.type === 'CD' || snap.type === 'Floppy' ? snap.type : 'Disk',
        unpluggable: snap.unpluggable !== false,
        empty: empty || vdi === NULL_REF,
        other_config: strMap(snap.other_config),
      },
      config.fullRestore ? { uuid: str(snap.uuid) } : {},
    );
    // "Now that we can import/export suspended VMs we need to preserve the currently_attached flag"
    if (snap.currently_attached === true) state.update('VBD', ref, { currently_attached: true });
    this.table.set(o.id, ref);
  }

  private vif(o: OvaObject): void {
    const { state, config } = this;
    const snap = o.snapshot;
    if (config.fullRestore) {
      const same = state.findByUuid('VIF', str(snap.uuid));
      if (same) return void this.table.set(o.id, same);
    }
    const vm = this.lookup(snap.VM);
    const network = this.lookup(snap.network);
    const ref = createVif(
      state,
      {
        VM: vm,
        network,
        device: str(snap.device),
        MAC: config.fullRestore ? str(snap.MAC) : '',
        MTU: Number(snap.MTU ?? 1500),
        other_config: strMap(snap.other_config),
      },
      config.fullRestore ? { uuid: str(snap.uuid) } : {},
    );
    if (state.get('VM', vm)!.power_state !== 'Halted' && snap.currently_attached === true)
      state.update('VIF', ref, { currently_attached: true });
    this.table.set(o.id, ref);
  }

  /** import.ml update_snapshot_and_parent_links: snapshot_of (and the origin's snapshots) by the table. */
  private linkSnapshots(): void {
    for (const [vm, exportId] of this.snapshotOf) {
      const origin = this.lookup(exportId);
      this.state.update('VM', vm, { snapshot_of: origin });
      if (this.state.has('VM', origin)) this.state.append('VM', origin, 'snapshots', vm);
    }
  }
}

/**
 * import.ml assert_can_restore_backup (restore=true): no VM of the pool may share a mac_seed with
 * an imported VM unless it is that VM (same uuid) or a snapshot of it: DUPLICATE_MAC_SEED [seed].
 */
function assertCanRestore(state: SimState, objects: OvaObject[]): void {
  const exported = new Map(objects.filter((o) => o.class === 'VM').map((o) => [o.id, o.snapshot]));
  const originUuid = (vm: Record<string, unknown>): string | undefined => {
    const of = str(vm.snapshot_of);
    if (exported.has(of)) return str(exported.get(of)!.uuid);
    return state.get('VM', of)?.uuid as string | undefined;
  };
  const compatible = (a: Record<string, unknown>, b: Record<string, unknown>) => {
    if (!a.is_a_snapshot && !b.is_a_snapshot) return a.uuid === b.uuid;
    if (a.is_a_snapshot && b.is_a_snapshot) return originUuid(a) !== undefined && originUuid(a) === originUuid(b);
    return a.is_a_snapshot ? originUuid(a) === b.uuid : originUuid(b) === a.uuid;
  };
  for (const vm of exported.values()) {
    const seed = strMap(vm.other_config).mac_seed;
    if (seed === undefined) continue;
    for (const [, other] of state.entries('VM')) {
      if (strMap(other.other_config).mac_seed === seed && !compatible(vm, other))
        throw failure('DUPLICATE_MAC_SEED', seed);
    }
  }
}

export function importObjects(
  state: SimState,
  objects: OvaObject[],
  config: ImportConfig,
  receive?: (createdVdis: Map<string, string>) => void,
): Imported {
  if (config.fullRestore) assertCanRestore(state, objects);
  const importer = new Importer(state, objects, config);
  importer.run(receive);
  if (config.dryRun) return { vms: [], createdVdis: new Map() };
  // complete_import: the `import` operation ends, allowed operations are computed again.
  const vms = [...new Set(importer.createdVms)].filter((vm) => state.has('VM', vm));
  for (const vm of vms) {
    const rec = state.get('VM', vm)!;
    const ops = { ...(rec.current_operations as Record<string, string>) };
    delete ops[config.task];
    const still = Boolean(rec.is_a_template || rec.is_a_snapshot);
    state.update('VM', vm, {
      current_operations: ops,
      allowed_operations: vmAllowedOperations(String(rec.power_state), still),
    });
  }
  const nonSnapshots = vms.filter((vm) => !state.get('VM', vm)!.is_a_snapshot);
  return { vms: nonSnapshots.length > 0 ? nonSnapshots : vms, createdVdis: importer.createdVdis };
}
