// The compact fixture format (documented in docs/simulator.md). Only names are required;
// everything else has the defaults a fresh XCP-ng pool would show.
import type { TimingOption } from './timing';

/** Bytes as a number, or a string such as "10GiB", "512MiB", "4MiB", "1TiB", "4096". */
export type Size = number | string;

export interface FixtureHost {
  name: string;
  /** Management address (default 127.0.0.1 for the master, 127.0.0.<n+1> otherwise). */
  address?: string;
  /** Defaults to the name. */
  hostname?: string;
  uuid?: string;
}

export interface FixtureSr {
  name: string;
  /** Name disks use in `sr` to pick this SR when several share a name (default: the name). */
  alias?: string;
  /** SR driver: ext, lvm, nfs, iso… (default "ext"). */
  type?: string;
  /** "user" (default) or "iso". */
  contentType?: string;
  shared?: boolean;
  /** Host the SR is local to (default: the master). */
  host?: string;
  size?: Size;
  /** The pool's default SR (default: the first SR). */
  default?: boolean;
  uuid?: string;
}

export interface FixtureNetwork {
  name: string;
  bridge?: string;
  mtu?: number;
}

export interface FixtureDisk {
  size: Size;
  /** VDI name-label (default "<vm name> <index>"). */
  name?: string;
  sr?: string;
  /** Fraction of 1 MiB chunks holding data (default 0.002); the first chunk always does. */
  used?: number;
  /** Device name (default xvda, xvdb, …). */
  device?: string;
  uuid?: string;
}

export interface FixtureVif {
  network?: string;
  mac?: string;
}

export interface FixtureSnapshot {
  name: string;
}

export interface FixtureVm {
  name: string;
  uuid?: string;
  description?: string;
  /** Running (default), Halted, Suspended or Paused; case-insensitive. */
  power?: string;
  /** Host a running VM is resident on (default: the master). */
  host?: string;
  memory?: Size;
  vcpus?: number;
  disks?: FixtureDisk[];
  /** Network names, or VIF specs (default: one VIF on the first network). */
  vifs?: (string | FixtureVif)[];
  /** Adds an empty CD drive (xvdd). */
  cd?: boolean;
  /** Snapshots taken at load time (full VM.snapshot semantics). */
  snapshots?: (string | FixtureSnapshot)[];
  tags?: string[];
  otherConfig?: Record<string, string>;
  /** A custom (non-default) template rather than a VM. */
  template?: boolean;
  /**
   * Never started since it was created or imported (halted only): its VBDs have no device name
   * yet, `VBD.device` is "" (xapi_vbd.ml create; the device is set when xenopsd attaches it).
   */
  neverStarted?: boolean;
}

export interface FixtureTemplate {
  name: string;
  /** Built-in template (is-default-template=true), as the ones shipped with XenServer. */
  default?: boolean;
}

/** Generates `count` VMs named from `name` where `{n}` is the 1-based index ({n:4} zero-pads). */
export interface FixtureGenerator extends Omit<FixtureVm, 'name' | 'uuid'> {
  count: number;
  name: string;
}

export interface Fixture {
  /** Seeds every UUID: the same fixture always yields the same UUIDs. */
  name?: string;
  pool?: { name?: string; description?: string; master?: string };
  hosts?: FixtureHost[];
  srs?: FixtureSr[];
  networks?: FixtureNetwork[];
  templates?: FixtureTemplate[];
  vms?: FixtureVm[];
  generate?: FixtureGenerator[];
  /** How long operations take: "instant" (default), "realistic" or single values (timing.ts). */
  timing?: TimingOption;
}
