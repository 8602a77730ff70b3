// Builds the pool database from a compact fixture (see fixture-types.ts, docs/simulator.md).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fixture, FixtureDisk, FixtureGenerator, FixtureVm, Size } from './fixture-types';
import { NULL_REF, stableUuid } from './ids';
import { snapshotVm, vmAllowedOperations } from './ops';
import type { SimState } from './state';
import { xapiDate } from './time';

const MiB = 1024 * 1024;
const UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  KIB: 1024,
  MIB: MiB,
  GIB: 1024 * MiB,
  TIB: 1024 * 1024 * MiB,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
};

export function parseSize(size: Size, what: string): number {
  if (typeof size === 'number' && Number.isSafeInteger(size) && size >= 0) return size;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*$/i.exec(String(size));
  const unit = m ? UNITS[(m[2] ?? '').toUpperCase()] : undefined;
  if (!m || unit === undefined)
    throw new Error(`fixture: ${what}: invalid size ${JSON.stringify(size)} (use e.g. 4096, "512MiB", "10GiB")`);
  return Math.round(Number(m[1]) * unit);
}

/**
 * Where an injected command of the hostile fixture (`$(touch {canary})`) would leave its mark:
 * one file per checkout, so two checkouts testing at once never see each other's canary.
 */
export const CANARY_PATH = join(
  tmpdir(),
  `vmbackup-canary-${createHash('sha256')
    .update(join(import.meta.dirname, '..', '..'))
    .digest('hex')
    .slice(0, 12)}`,
);
const CANARY_TOKEN = '{canary}';

export function readFixture(fixture: string | Fixture): Fixture {
  if (typeof fixture !== 'string') return fixture;
  try {
    return JSON.parse(readFileSync(fixture, 'utf8').replaceAll(CANARY_TOKEN, CANARY_PATH)) as Fixture;
  } catch (error) {
    throw new Error(`fixture ${fixture}: ${(error as Error).message}`);
  }
}

/** Names → refs of the pool's infrastructure, used when adding VMs. */
export interface PoolIndex {
  seed: string;
  master: string;
  hosts: Map<string, string>;
  srs: Map<string, string>;
  defaultSr: string;
  networks: Map<string, string>;
  firstNetwork: string;
  vmCount: number;
}

function macFrom(key: string): string {
  const h = createHash('sha256').update(key).digest();
  return ['06', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

function powerOf(power: string | undefined, what: string): string {
  const p = (power ?? 'Running').toLowerCase();
  const known = ['running', 'halted', 'suspended', 'paused'];
  if (!known.includes(p)) throw new Error(`fixture: ${what}: power must be one of Running, Halted, Suspended, Paused`);
  return p[0].toUpperCase() + p.slice(1);
}

function lookup(map: Map<string, string>, name: string | undefined, fallback: string, what: string): string {
  if (name === undefined) return fallback;
  const ref = map.get(name);
  if (!ref) throw new Error(`fixture: ${what}: unknown ${JSON.stringify(name)}`);
  return ref;
}

export function loadFixture(state: SimState, fixture: Fixture): PoolIndex {
  const seed = fixture.name ?? 'pool';
  const key = (k: string) => stableUuid(`${seed}:${k}`);
  const now = xapiDate();
  const hostsSpec = fixture.hosts?.length ? fixture.hosts : [{ name: 'xenserver1' }];
  const masterName = fixture.pool?.master ?? hostsSpec[0].name;
  const hosts = new Map<string, string>();
  hostsSpec.forEach((h, i) => {
    const ref = state.create('host', {
      uuid: h.uuid ?? key(`host:${h.name}`),
      name_label: h.name,
      hostname: h.hostname ?? h.name,
      address: h.address ?? (h.name === masterName ? '127.0.0.1' : `127.0.0.${i + 2}`),
      enabled: true,
      API_version_major: 2,
      API_version_minor: 21,
      API_version_vendor: 'XenSource',
      software_version: {
        product_version: '8.2.1',
        product_brand: 'XCP-ng',
        build_number: 'release/yangtze/master/58',
        xapi: '1.20',
        platform_name: 'XCP',
        hostname: h.hostname ?? h.name,
      },
      capabilities: ['xen-3.0-x86_64', 'hvm-3.0-x86_32', 'hvm-3.0-x86_64'],
      allowed_operations: ['vm_migrate', 'provision', 'vm_resume', 'evacuate', 'vm_start'],
      cpu_info: { cpu_count: '8', vendor: 'GenuineIntel', modelname: 'Simulated CPU' },
      sched_policy: 'credit',
      edition: 'xcp-ng',
    });
    hosts.set(h.name, ref);
  });
  const master = lookup(hosts, masterName, '', 'pool.master');

  const networks = new Map<string, string>();
  const netSpecs = fixture.networks?.length
    ? fixture.networks
    : [{ name: 'Pool-wide network associated with eth0', bridge: 'xenbr0' }];
  netSpecs.forEach((n, i) => {
    const ref = state.create('network', {
      uuid: key(`network:${n.name}`),
      name_label: n.name,
      bridge: n.bridge ?? `xenbr${i}`,
      MTU: n.mtu ?? 1500,
      other_config: {},
    });
    networks.set(n.name, ref);
    const pifs: string[] = [];
    for (const [hostName, hostRef] of hosts) {
      const pif = state.create('PIF', {
        uuid: key(`pif:${hostName}:${n.name}`),
        device: `eth${i}`,
        network: ref,
        host: hostRef,
        MAC: macFrom(`${seed}:pif:${hostName}:${i}`),
        MTU: n.mtu ?? 1500,
        physical: true,
        management: i === 0,
        ip_configuration_mode: i === 0 ? 'Static' : 'None',
        IP: i === 0 ? String(state.get('host', hostRef)!.address) : '',
      });
      pifs.push(pif);
      state.append('host', hostRef, 'PIFs', pif);
    }
    state.update('network', ref, { PIFs: pifs });
  });

  const srs = new Map<string, string>();
  const srSpecs = fixture.srs?.length ? fixture.srs : [{ name: 'Local storage', type: 'ext' }];
  let defaultSr = NULL_REF;
  for (const [i, s] of srSpecs.entries()) {
    const shared = s.shared ?? false;
    const ref = state.create('SR', {
      uuid: s.uuid ?? key(`sr:${i}:${s.name}`),
      name_label: s.name,
      name_description: '',
      type: s.type ?? (s.contentType === 'iso' ? 'iso' : 'ext'),
      content_type: s.contentType ?? 'user',
      shared,
      physical_size: parseSize(s.size ?? '2TiB', `SR ${s.name}`),
      allowed_operations: ['vdi_create', 'vdi_destroy', 'vdi_snapshot', 'vdi_clone', 'scan', 'plug', 'unplug'],
      sm_config: { devserial: `sim-${s.name}` },
    });
    srs.set(s.alias ?? s.name, ref);
    const pbdHosts = shared ? [...hosts.values()] : [lookup(hosts, s.host, master, `SR ${s.name}.host`)];
    const pbds = pbdHosts.map((hostRef) => {
      const pbd = state.create('PBD', {
        host: hostRef,
        SR: ref,
        currently_attached: true,
        device_config: { location: `/dev/sim/${s.name}` },
      });
      state.append('host', hostRef, 'PBDs', pbd);
      return pbd;
    });
    state.update('SR', ref, { PBDs: pbds });
    if ((s.default || defaultSr === NULL_REF) && (s.contentType ?? 'user') !== 'iso') defaultSr = ref;
  }

  state.create('pool', {
    uuid: key('pool'),
    name_label: fixture.pool?.name ?? '',
    name_description: fixture.pool?.description ?? '',
    master,
    default_SR: defaultSr,
    suspend_image_SR: defaultSr,
    crash_dump_SR: defaultSr,
    other_config: {},
    cpu_info: { cpu_count: String(8 * hosts.size), vendor: 'GenuineIntel' },
  });

  const index: PoolIndex = {
    seed,
    master,
    hosts,
    srs,
    defaultSr,
    networks,
    firstNetwork: networks.values().next().value!,
    vmCount: 0,
  };

  // The control domain of each host (dom0), listed by `xe vm-list` unless filtered out.
  for (const [hostName, hostRef] of hosts) {
    const metrics = state.create('VM_metrics', {
      uuid: key(`dom0-metrics:${hostName}`),
      memory_actual: 4 * 1024 * MiB,
      VCPUs_number: 8,
      start_time: now,
      install_time: now,
      current_domain_type: 'pv',
    });
    const dom0 = state.create('VM', {
      uuid: key(`dom0:${hostName}`),
      name_label: `Control domain on host: ${state.get('host', hostRef)!.hostname}`,
      name_description: 'The domain which manages physical devices and manages other domains',
      power_state: 'Running',
      is_control_domain: true,
      resident_on: hostRef,
      domid: 0,
      memory_static_max: 4 * 1024 * MiB,
      memory_dynamic_max: 4 * 1024 * MiB,
      memory_dynamic_min: 4 * 1024 * MiB,
      memory_static_min: 4 * 1024 * MiB,
      memory_target: 4 * 1024 * MiB,
      VCPUs_max: 8,
      VCPUs_at_startup: 8,
      metrics,
      domain_type: 'pv',
      user_version: 1,
    });
    state.update('host', hostRef, { control_domain: dom0, resident_VMs: [dom0] });
  }

  for (const t of fixture.templates ?? []) {
    state.create('VM', {
      uuid: key(`template:${t.name}`),
      name_label: t.name,
      name_description: t.default ? `Template which allows VM installation from install media` : '',
      is_a_template: true,
      is_default_template: t.default ?? false,
      power_state: 'Halted',
      memory_static_max: 2048 * MiB,
      memory_dynamic_max: 2048 * MiB,
      memory_dynamic_min: 2048 * MiB,
      memory_static_min: 512 * MiB,
      VCPUs_max: 1,
      VCPUs_at_startup: 1,
      other_config: t.default ? { default_template: 'true' } : {},
      allowed_operations: vmAllowedOperations('Halted', true),
      domain_type: 'hvm',
      HVM_boot_policy: 'BIOS order',
      HVM_boot_params: { order: 'cdn' },
      user_version: 1,
    });
  }

  for (const vm of fixture.vms ?? []) addVm(state, index, vm);
  for (const gen of fixture.generate ?? []) generate(state, index, gen);
  return index;
}

function generate(state: SimState, index: PoolIndex, gen: FixtureGenerator): void {
  if (!Number.isSafeInteger(gen.count) || gen.count < 0)
    throw new Error('fixture: generate.count must be a non-negative integer');
  for (let n = 1; n <= gen.count; n++) {
    const name = gen.name.replace(/\{n(?::(\d+))?\}/g, (_m, width?: string) =>
      String(n).padStart(Number(width ?? 0), '0'),
    );
    addVm(state, index, { ...gen, name });
  }
}

const DEFAULT_USED = 0.002;

/** Adds a VM (or custom template) with its disks, VIFs and snapshots; returns its ref. */
export function addVm(state: SimState, index: PoolIndex, spec: FixtureVm): string {
  const n = index.vmCount++;
  const what = `VM ${JSON.stringify(spec.name)}`;
  if (typeof spec.name !== 'string') throw new Error(`fixture: VM #${n + 1} needs a "name"`);
  const key = (k: string) => stableUuid(`${index.seed}:vm${n}:${k}`);
  const power = spec.template ? 'Halted' : powerOf(spec.power, what);
  const running = power === 'Running' || power === 'Paused';
  if (spec.neverStarted && power !== 'Halted') throw new Error(`fixture: ${what}: neverStarted needs power "Halted"`);
  const deviceName = (given: string | undefined, i: number) =>
    spec.neverStarted ? '' : (given ?? `xvd${String.fromCharCode(97 + i)}`);
  const host = lookup(index.hosts, spec.host, index.master, `${what}.host`);
  const memory = parseSize(spec.memory ?? '1GiB', `${what}.memory`);
  const vcpus = spec.vcpus ?? 1;
  const now = xapiDate();
  const metrics = state.create('VM_metrics', {
    uuid: key('metrics'),
    memory_actual: running ? memory : 0,
    VCPUs_number: running ? vcpus : 0,
    start_time: running ? now : '19700101T00:00:00Z',
    install_time: now,
    current_domain_type: running ? 'hvm' : 'unspecified',
    hvm: true,
  });
  const vmRef = state.create('VM', {
    uuid: spec.uuid ?? key('vm'),
    name_label: spec.name,
    name_description: spec.description ?? '',
    power_state: power,
    is_a_template: spec.template ?? false,
    resident_on: running ? host : NULL_REF,
    domid: running ? 1 + n : -1,
    memory_static_max: memory,
    memory_dynamic_max: memory,
    memory_dynamic_min: memory,
    memory_static_min: Math.min(memory, 512 * MiB),
    memory_target: running ? memory : 0,
    VCPUs_max: vcpus,
    VCPUs_at_startup: vcpus,
    actions_after_shutdown: 'destroy',
    actions_after_reboot: 'restart',
    actions_after_crash: 'restart',
    metrics,
    other_config: { base_template_name: 'Other install media', mac_seed: key('mac-seed'), ...(spec.otherConfig ?? {}) },
    allowed_operations: vmAllowedOperations(power, spec.template ?? false),
    tags: spec.tags ?? [],
    domain_type: 'hvm',
    HVM_boot_policy: 'BIOS order',
    HVM_boot_params: { order: 'cdn' },
    platform: {
      'device-model': 'qemu-upstream-compat',
      viridian: 'false',
      acpi: '1',
      apic: 'true',
      pae: 'true',
      nx: 'true',
    },
    user_version: 1,
    hardware_platform_version: 2,
  });
  if (running) {
    state.append('host', host, 'resident_VMs', vmRef);
  }
  const vbds: string[] = [];
  const disks: FixtureDisk[] = spec.disks ?? [{ size: '10GiB' }];
  disks.forEach((d, i) => {
    const size = parseSize(d.size, `${what}.disks[${i}].size`);
    const srRef = lookup(index.srs, d.sr, index.defaultSr, `${what}.disks[${i}].sr`);
    const used = d.used ?? DEFAULT_USED;
    if (!(used >= 0 && used <= 1)) throw new Error(`fixture: ${what}.disks[${i}].used must be between 0 and 1`);
    const vdiUuid = d.uuid ?? key(`vdi${i}`);
    const vdi = state.create('VDI', {
      uuid: vdiUuid,
      name_label: d.name ?? `${spec.name} ${i}`,
      name_description: '',
      SR: srRef,
      virtual_size: size,
      physical_utilisation: dataChunks(size, used) * MiB,
      type: 'user',
      location: vdiUuid,
      managed: true,
      allowed_operations: ['clone', 'snapshot', 'copy', 'destroy', 'forget', 'resize', 'update', 'generate_config'],
      sm_config: { vdi_type: 'vhd' },
    });
    state.disks.set(vdi, { used, seed: n * 16 + i });
    const sr = state.get('SR', srRef)!;
    sr.virtual_allocation = (sr.virtual_allocation as number) + size;
    state.append('SR', srRef, 'VDIs', vdi);
    const vbd = state.create('VBD', {
      uuid: key(`vbd${i}`),
      VM: vmRef,
      VDI: vdi,
      device: deviceName(d.device, i),
      userdevice: String(i),
      bootable: i === 0,
      mode: 'RW',
      type: 'Disk',
      unpluggable: false,
      currently_attached: running,
      other_config: { owner: '' },
      allowed_operations: running ? ['attach', 'unplug'] : ['attach'],
    });
    state.update('VDI', vdi, { VBDs: [vbd] });
    vbds.push(vbd);
  });
  if (spec.cd) {
    vbds.push(
      state.create('VBD', {
        uuid: key('cd'),
        VM: vmRef,
        VDI: NULL_REF,
        device: deviceName(undefined, 3),
        userdevice: '3',
        bootable: false,
        mode: 'RO',
        type: 'CD',
        empty: true,
        unpluggable: true,
        currently_attached: running,
      }),
    );
  }
  const vifs = (spec.vifs ?? [{}]).map((v, i) => {
    const vif = typeof v === 'string' ? { network: v } : v;
    const net = lookup(index.networks, vif.network, index.firstNetwork, `${what}.vifs[${i}].network`);
    const ref = state.create('VIF', {
      uuid: key(`vif${i}`),
      device: String(i),
      network: net,
      VM: vmRef,
      MAC: vif.mac ?? macFrom(`${index.seed}:vm${n}:vif${i}`),
      MTU: 1500,
      currently_attached: running,
      MAC_autogenerated: vif.mac === undefined,
      allowed_operations: running ? ['attach', 'unplug'] : ['attach'],
    });
    state.append('network', net, 'VIFs', ref);
    return ref;
  });
  state.update('VM', vmRef, { VBDs: vbds, VIFs: vifs });
  for (const s of spec.snapshots ?? []) snapshotVm(state, vmRef, typeof s === 'string' ? s : s.name);
  return vmRef;
}

/** Approximate number of 1 MiB chunks holding data (physical utilisation is an estimate on real SRs too). */
export function dataChunks(size: number, used: number): number {
  const chunks = Math.ceil(size / MiB);
  return chunks === 0 ? 0 : 1 + Math.round((chunks - 1) * used);
}

/** Whether chunk `i` of a disk holds data: the first one always, then a deterministic spread. */
export function chunkHasData(i: number, used: number): boolean {
  if (i === 0) return true;
  if (used <= 0) return false;
  if (used >= 1) return true;
  return (Math.imul(i, 2654435761) >>> 0) % 100000 < used * 100000;
}
