// CLI record definitions (ocaml/xapi-cli-server/records.ml), fields in print order. Each field
// knows how to render itself and, when settable, which XenAPI field its param-set writes.
import type { SimState, XapiRecord } from '../state';
import { mapText, NOT_IN_DB, nameOf, related, scalarText, setText, uuidOf, uuidsOf } from './render';

export interface CliField {
  name: string;
  /** Rendered value. */
  get: (rec: XapiRecord, ref: string, state: SimState) => string;
  /** XenAPI field written by `<class>-param-set name=value`. */
  api?: string;
  kind: 'scalar' | 'set' | 'map';
  /** Maps with add-to/remove-from, sets with add/remove. */
  extendable?: boolean;
  hidden?: boolean;
  deprecated?: boolean;
}

export interface CliClass {
  /** XenAPI class behind the CLI class. */
  cls: string;
  fields: CliField[];
  /** Fields `<class>-list` prints without params=. */
  defaults: string[];
}

type Getter = CliField['get'];

const field = (name: string, apiField: string, opts: Partial<CliField> = {}): CliField => ({
  name,
  get: (rec) => scalarText(rec[apiField]),
  kind: 'scalar',
  ...opts,
});
const rw = (name: string, apiField: string, opts: Partial<CliField> = {}) =>
  field(name, apiField, { api: apiField, ...opts });
const setOf = (name: string, apiField: string, opts: Partial<CliField> = {}) =>
  field(name, apiField, { kind: 'set', get: (r) => setText(r[apiField]), ...opts });
const mapOf = (name: string, apiField: string, opts: Partial<CliField> = {}) =>
  field(name, apiField, { kind: 'map', get: (r) => mapText(r[apiField]), ...opts });
const refTo = (name: string, apiField: string, cls: string, opts: Partial<CliField> = {}) =>
  field(name, apiField, { get: (r, _ref, s) => uuidOf(s, cls, r[apiField]), ...opts });
const refsTo = (name: string, apiField: string, cls: string, opts: Partial<CliField> = {}) =>
  field(name, apiField, { kind: 'set', get: (r, _ref, s) => uuidsOf(s, cls, r[apiField]), ...opts });
const computed = (name: string, get: Getter, kind: CliField['kind'] = 'scalar') => ({ name, get, kind });

const metric = (name: string, f: string, kind: CliField['kind'] = 'scalar'): CliField =>
  computed(
    name,
    (r, _ref, s) => {
      const m = related(s, 'VM_metrics', r.metrics);
      return m ? scalarText(m[f]) : NOT_IN_DB;
    },
    kind,
  );
const guest = (name: string, f: string, kind: CliField['kind'] = 'scalar', opts: Partial<CliField> = {}): CliField => ({
  ...computed(
    name,
    (r, _ref, s) => {
      const g = related(s, 'VM_guest_metrics', r.guest_metrics);
      return g ? scalarText(g[f]) : NOT_IN_DB;
    },
    kind,
  ),
  ...opts,
});

const vmFields: CliField[] = [
  field('uuid', 'uuid'),
  rw('name-label', 'name_label'),
  rw('name-description', 'name_description'),
  rw('user-version', 'user_version'),
  rw('is-a-template', 'is_a_template'),
  rw('is-default-template', 'is_default_template'),
  field('is-a-snapshot', 'is_a_snapshot'),
  refTo('snapshot-of', 'snapshot_of', 'VM'),
  refsTo('snapshots', 'snapshots', 'VM'),
  field('snapshot-time', 'snapshot_time'),
  field('transportable-snapshot-id', 'transportable_snapshot_id', { hidden: true }),
  mapOf('snapshot-info', 'snapshot_info'),
  refTo('parent', 'parent', 'VM'),
  refsTo('children', 'children', 'VM'),
  field('is-control-domain', 'is_control_domain'),
  computed('power-state', (r) => String(r.power_state).toLowerCase()),
  metric('memory-actual', 'memory_actual'),
  field('memory-overhead', 'memory_overhead'),
  rw('memory-static-max', 'memory_static_max'),
  rw('memory-dynamic-max', 'memory_dynamic_max'),
  rw('memory-dynamic-min', 'memory_dynamic_min'),
  rw('memory-static-min', 'memory_static_min'),
  refTo('suspend-VDI-uuid', 'suspend_VDI', 'VDI', { api: 'suspend_VDI' }),
  refTo('suspend-SR-uuid', 'suspend_SR', 'SR', { api: 'suspend_SR' }),
  mapOf('VCPUs-params', 'VCPUs_params', { extendable: true, api: 'VCPUs_params' }),
  rw('VCPUs-max', 'VCPUs_max'),
  rw('VCPUs-at-startup', 'VCPUs_at_startup'),
  rw('actions-after-shutdown', 'actions_after_shutdown'),
  rw('actions-after-softreboot', 'actions_after_softreboot'),
  rw('actions-after-reboot', 'actions_after_reboot'),
  rw('actions-after-crash', 'actions_after_crash'),
  refsTo('console-uuids', 'consoles', 'console'),
  metric('hvm', 'hvm'),
  computed('nomigrate', () => 'false'),
  computed('nested-virt', () => 'false'),
  mapOf('platform', 'platform', { extendable: true, api: 'platform' }),
  computed('numa-optimised', () => 'false'),
  computed('numa-nodes', () => '0'),
  computed('numa-node-memory', () => '', 'map'),
  setOf('allowed-operations', 'allowed_operations'),
  computed('current-operations', (r) => setText(Object.values(r.current_operations as object)), 'set'),
  mapOf('blocked-operations', 'blocked_operations', { extendable: true, api: 'blocked_operations' }),
  rw('domain-type', 'domain_type'),
  metric('current-domain-type', 'current_domain_type'),
  rw('HVM-boot-policy', 'HVM_boot_policy'),
  mapOf('HVM-boot-params', 'HVM_boot_params', { extendable: true, api: 'HVM_boot_params' }),
  rw('HVM-shadow-multiplier', 'HVM_shadow_multiplier', { get: (r) => Number(r.HVM_shadow_multiplier).toFixed(3) }),
  mapOf('NVRAM', 'NVRAM', { hidden: true, extendable: true }),
  rw('PV-kernel', 'PV_kernel'),
  rw('PV-ramdisk', 'PV_ramdisk'),
  rw('PV-args', 'PV_args'),
  rw('PV-legacy-args', 'PV_legacy_args'),
  rw('PV-bootloader', 'PV_bootloader'),
  rw('PV-bootloader-args', 'PV_bootloader_args'),
  computed('last-boot-CPU-flags', (r) => mapText(r.last_boot_CPU_flags)),
  refTo('resident-on', 'resident_on', 'host'),
  refTo('affinity', 'affinity', 'host', { api: 'affinity' }),
  mapOf('other-config', 'other_config', { extendable: true, api: 'other_config' }),
  field('dom-id', 'domid'),
  field('recommendations', 'recommendations'),
  mapOf('xenstore-data', 'xenstore_data', { extendable: true, api: 'xenstore_data' }),
  rw('ha-always-run', 'ha_always_run', { deprecated: true }),
  rw('ha-restart-priority', 'ha_restart_priority'),
  mapOf('blobs', 'blobs'),
  metric('start-time', 'start_time'),
  metric('install-time', 'install_time'),
  metric('VCPUs-number', 'VCPUs_number'),
  guest('os-version', 'os_version', 'map'),
  computed('netbios-name', () => '', 'map'),
  guest('PV-drivers-version', 'PV_drivers_version', 'map'),
  guest('PV-drivers-up-to-date', 'PV_drivers_up_to_date', 'scalar', { deprecated: true }),
  guest('memory', 'memory', 'map'),
  guest('disks', 'disks', 'map'),
  refsTo('VBDs', 'VBDs', 'VBD'),
  guest('networks', 'networks', 'map'),
  computed('services', () => '', 'map'),
  guest('PV-drivers-detected', 'PV_drivers_detected'),
  guest('other', 'other', 'map'),
  guest('live', 'live'),
  guest('guest-metrics-last-updated', 'last_updated'),
  guest('can-use-hotplug-vbd', 'can_use_hotplug_vbd'),
  guest('can-use-hotplug-vif', 'can_use_hotplug_vif'),
  setOf('tags', 'tags', { extendable: true, api: 'tags' }),
  refTo('appliance', 'appliance', 'VM_appliance', { api: 'appliance' }),
  computed('groups', () => ''),
  computed('secureboot-certificates-state', () => 'unknown'),
  refTo('snapshot-schedule', 'snapshot_schedule', 'VMSS', { api: 'snapshot_schedule' }),
  field('is-vmss-snapshot', 'is_vmss_snapshot'),
  rw('start-delay', 'start_delay'),
  rw('shutdown-delay', 'shutdown_delay'),
  rw('order', 'order'),
  field('version', 'version'),
  field('generation-id', 'generation_id'),
  field('hardware-platform-version', 'hardware_platform_version'),
  rw('has-vendor-device', 'has_vendor_device'),
  field('requires-reboot', 'requires_reboot'),
  field('reference-label', 'reference_label'),
  mapOf('bios-strings', 'bios_strings'),
  setOf('pending-guidances', 'pending_guidances'),
  refsTo('vtpms', 'VTPMs', 'VTPM'),
  setOf('pending-guidances-recommended', 'pending_guidances_recommended'),
  setOf('pending-guidances-full', 'pending_guidances_full'),
];

const vdiFields: CliField[] = [
  field('uuid', 'uuid'),
  rw('name-label', 'name_label'),
  rw('name-description', 'name_description'),
  field('is-a-snapshot', 'is_a_snapshot'),
  refTo('snapshot-of', 'snapshot_of', 'VDI'),
  refsTo('snapshots', 'snapshots', 'VDI'),
  field('snapshot-time', 'snapshot_time'),
  setOf('allowed-operations', 'allowed_operations'),
  computed('current-operations', (r) => setText(Object.values(r.current_operations as object)), 'set'),
  refTo('sr-uuid', 'SR', 'SR'),
  computed('sr-name-label', (r, _ref, s) => nameOf(s, 'SR', r.SR)),
  refsTo('vbd-uuids', 'VBDs', 'VBD'),
  refsTo('crashdump-uuids', 'crash_dumps', 'crashdump'),
  field('virtual-size', 'virtual_size'),
  field('physical-utilisation', 'physical_utilisation'),
  field('location', 'location'),
  field('type', 'type', {
    get: (r) => {
      const t = String(r.type);
      return t[0].toUpperCase() + t.slice(1);
    },
  }),
  field('sharable', 'sharable'),
  field('read-only', 'read_only'),
  field('storage-lock', 'storage_lock'),
  field('managed', 'managed'),
  refTo('parent', 'parent', 'VDI', { deprecated: true }),
  field('missing', 'missing'),
  field('is-tools-iso', 'is_tools_iso'),
  mapOf('other-config', 'other_config', { extendable: true, api: 'other_config' }),
  mapOf('xenstore-data', 'xenstore_data'),
  mapOf('sm-config', 'sm_config'),
  rw('on-boot', 'on_boot'),
  rw('allow-caching', 'allow_caching'),
  field('metadata-latest', 'metadata_latest'),
  refTo('metadata-of-pool', 'metadata_of_pool', 'pool'),
  setOf('tags', 'tags', { extendable: true, api: 'tags' }),
  field('cbt-enabled', 'cbt_enabled'),
];

const vbdFields: CliField[] = [
  field('uuid', 'uuid'),
  refTo('vm-uuid', 'VM', 'VM'),
  computed('vm-name-label', (r, _ref, s) => nameOf(s, 'VM', r.VM)),
  refTo('vdi-uuid', 'VDI', 'VDI'),
  computed('vdi-name-label', (r, _ref, s) => (r.empty ? '<EMPTY>' : nameOf(s, 'VDI', r.VDI))),
  setOf('allowed-operations', 'allowed_operations'),
  computed('current-operations', (r) => setText(Object.values(r.current_operations as object)), 'set'),
  field('empty', 'empty'),
  field('device', 'device'),
  rw('userdevice', 'userdevice'),
  rw('bootable', 'bootable'),
  rw('mode', 'mode'),
  rw('type', 'type'),
  rw('unpluggable', 'unpluggable'),
  field('currently-attached', 'currently_attached'),
  field('storage-lock', 'storage_lock'),
  field('status-code', 'status_code'),
  field('status-detail', 'status_detail'),
  rw('qos_algorithm_type', 'qos_algorithm_type'),
  mapOf('qos_algorithm_params', 'qos_algorithm_params', { extendable: true, api: 'qos_algorithm_params' }),
  setOf('qos_supported_algorithms', 'qos_supported_algorithms'),
  mapOf('other-config', 'other_config', { extendable: true, api: 'other_config' }),
];

const vifFields: CliField[] = [
  field('uuid', 'uuid'),
  refTo('vm-uuid', 'VM', 'VM'),
  computed('vm-name-label', (r, _ref, s) => nameOf(s, 'VM', r.VM)),
  setOf('allowed-operations', 'allowed_operations'),
  computed('current-operations', (r) => setText(Object.values(r.current_operations as object)), 'set'),
  field('device', 'device'),
  field('MAC', 'MAC'),
  field('MAC-autogenerated', 'MAC_autogenerated'),
  field('MTU', 'MTU'),
  field('currently-attached', 'currently_attached'),
  rw('qos_algorithm_type', 'qos_algorithm_type'),
  mapOf('qos_algorithm_params', 'qos_algorithm_params', { extendable: true, api: 'qos_algorithm_params' }),
  setOf('qos_supported_algorithms', 'qos_supported_algorithms'),
  mapOf('other-config', 'other_config', { extendable: true, api: 'other_config' }),
  refTo('network-uuid', 'network', 'network'),
  computed('network-name-label', (r, _ref, s) => nameOf(s, 'network', r.network)),
  rw('locking-mode', 'locking_mode'),
  setOf('ipv4-allowed', 'ipv4_allowed', { extendable: true, api: 'ipv4_allowed' }),
  setOf('ipv6-allowed', 'ipv6_allowed', { extendable: true, api: 'ipv6_allowed' }),
  field('ipv4-configuration-mode', 'ipv4_configuration_mode'),
  setOf('ipv4-addresses', 'ipv4_addresses'),
  field('ipv4-gateway', 'ipv4_gateway'),
  field('ipv6-configuration-mode', 'ipv6_configuration_mode'),
  setOf('ipv6-addresses', 'ipv6_addresses'),
  field('ipv6-gateway', 'ipv6_gateway'),
];

const networkFields: CliField[] = [
  field('uuid', 'uuid'),
  rw('name-label', 'name_label'),
  rw('name-description', 'name_description'),
  refsTo('VIF-uuids', 'VIFs', 'VIF'),
  refsTo('PIF-uuids', 'PIFs', 'PIF'),
  rw('MTU', 'MTU'),
  field('bridge', 'bridge'),
  field('managed', 'managed'),
  mapOf('other-config', 'other_config', { extendable: true, api: 'other_config' }),
  mapOf('blobs', 'blobs'),
  setOf('tags', 'tags', { extendable: true, api: 'tags' }),
  rw('default-locking-mode', 'default_locking_mode'),
  setOf('purpose', 'purpose', { extendable: true }),
];

const srFields: CliField[] = [
  field('uuid', 'uuid'),
  rw('name-label', 'name_label'),
  rw('name-description', 'name_description'),
  computed('host', (r, _ref, s) => {
    if (r.shared) return '<shared>';
    const pbd = related(s, 'PBD', (r.PBDs as string[])[0]);
    return pbd ? nameOf(s, 'host', pbd.host) : NOT_IN_DB;
  }),
  setOf('allowed-operations', 'allowed_operations'),
  computed('current-operations', (r) => setText(Object.values(r.current_operations as object)), 'set'),
  refsTo('VDIs', 'VDIs', 'VDI'),
  refsTo('PBDs', 'PBDs', 'PBD'),
  field('virtual-allocation', 'virtual_allocation'),
  field('physical-utilisation', 'physical_utilisation'),
  field('physical-size', 'physical_size'),
  field('type', 'type'),
  field('content-type', 'content_type'),
  rw('shared', 'shared'),
  refTo('introduced-by', 'introduced_by', 'DR_task'),
  field('is-tools-sr', 'is_tools_sr'),
  mapOf('other-config', 'other_config', { extendable: true, api: 'other_config' }),
  mapOf('sm-config', 'sm_config'),
  mapOf('blobs', 'blobs'),
  field('local-cache-enabled', 'local_cache_enabled'),
  setOf('tags', 'tags', { extendable: true, api: 'tags' }),
  field('clustered', 'clustered'),
];

const poolFields: CliField[] = [
  field('uuid', 'uuid'),
  rw('name-label', 'name_label'),
  rw('name-description', 'name_description'),
  refTo('master', 'master', 'host'),
  refTo('default-SR', 'default_SR', 'SR', { api: 'default_SR' }),
  refTo('crash-dump-SR', 'crash_dump_SR', 'SR', { api: 'crash_dump_SR' }),
  refTo('suspend-image-SR', 'suspend_image_SR', 'SR', { api: 'suspend_image_SR' }),
  mapOf('other-config', 'other_config', { extendable: true, api: 'other_config' }),
  setOf('allowed-operations', 'allowed_operations'),
  computed('current-operations', (r) => setText(Object.values(r.current_operations as object)), 'set'),
  field('ha-enabled', 'ha_enabled'),
  mapOf('ha-configuration', 'ha_configuration'),
  setOf('ha-statefiles', 'ha_statefiles'),
  field('ha-host-failures-to-tolerate', 'ha_host_failures_to_tolerate'),
  field('ha-plan-exists-for', 'ha_plan_exists_for'),
  rw('ha-allow-overcommit', 'ha_allow_overcommit'),
  field('ha-overcommitted', 'ha_overcommitted'),
  mapOf('blobs', 'blobs'),
  field('wlb-url', 'wlb_url'),
  field('wlb-username', 'wlb_username'),
  rw('wlb-enabled', 'wlb_enabled'),
  field('restrictions', 'restrictions', { kind: 'map', get: (r) => mapText(r.restrictions) }),
  setOf('tags', 'tags', { extendable: true, api: 'tags' }),
  mapOf('cpu_info', 'cpu_info'),
];

const hostFields: CliField[] = [
  field('uuid', 'uuid'),
  rw('name-label', 'name_label'),
  rw('name-description', 'name_description'),
  setOf('allowed-operations', 'allowed_operations'),
  computed('current-operations', (r) => setText(Object.values(r.current_operations as object)), 'set'),
  field('enabled', 'enabled'),
  rw('display', 'display'),
  field('API-version-major', 'API_version_major'),
  field('API-version-minor', 'API_version_minor'),
  field('API-version-vendor', 'API_version_vendor'),
  mapOf('API-version-vendor-implementation', 'API_version_vendor_implementation'),
  mapOf('logging', 'logging', { extendable: true, api: 'logging' }),
  refTo('suspend-image-sr-uuid', 'suspend_image_sr', 'SR', { api: 'suspend_image_sr' }),
  refTo('crash-dump-sr-uuid', 'crash_dump_sr', 'SR', { api: 'crash_dump_sr' }),
  mapOf('software-version', 'software_version'),
  setOf('capabilities', 'capabilities'),
  mapOf('other-config', 'other_config', { extendable: true, api: 'other_config' }),
  mapOf('cpu_info', 'cpu_info'),
  mapOf('chipset-info', 'chipset_info'),
  field('hostname', 'hostname'),
  field('address', 'address'),
  refsTo('resident-vms', 'resident_VMs', 'VM'),
  setOf('tags', 'tags', { extendable: true, api: 'tags' }),
  field('edition', 'edition'),
];

const vmClass = (defaults: string[]): CliClass => ({ cls: 'VM', fields: vmFields, defaults });

export const CLI_CLASSES: Record<string, CliClass> = {
  vm: vmClass(['uuid', 'name-label', 'power-state']),
  template: vmClass(['uuid', 'name-label', 'name-description']),
  snapshot: vmClass(['uuid', 'name-label', 'name-description']),
  vdi: {
    cls: 'VDI',
    fields: vdiFields,
    defaults: ['uuid', 'name-label', 'name-description', 'sr-uuid', 'virtual-size', 'sharable', 'read-only'],
  },
  vbd: { cls: 'VBD', fields: vbdFields, defaults: ['uuid', 'vm-uuid', 'vm-name-label', 'vdi-uuid', 'empty', 'device'] },
  vif: { cls: 'VIF', fields: vifFields, defaults: ['uuid', 'vm-uuid', 'device', 'network-uuid', 'MAC'] },
  network: { cls: 'network', fields: networkFields, defaults: ['uuid', 'name-label', 'name-description', 'bridge'] },
  sr: {
    cls: 'SR',
    fields: srFields,
    defaults: ['uuid', 'name-label', 'name-description', 'host', 'type', 'content-type'],
  },
  pool: {
    cls: 'pool',
    fields: poolFields,
    defaults: ['uuid', 'name-label', 'name-description', 'master', 'default-SR'],
  },
  host: { cls: 'host', fields: hostFields, defaults: ['uuid', 'name-label', 'name-description'] },
};
