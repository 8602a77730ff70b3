// The XenServer pool simulator as a library: start it from a fixture, point xen-api or the `xe`
// command at it, switch faults, inspect or change its state. See docs/simulator.md.
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import type { ApiContext } from './api/context';
import { applyFaultPatch, defaultFaults, type FaultController, type FaultPatch, type FaultSettings } from './faults';
import type { Fixture, FixtureVm } from './fixture-types';
import { addVm as addFixtureVm, loadFixture, readFixture, type PoolIndex } from './fixture';
import { initZstd } from './http/body';
import { initDiskContent } from './http/disk';
import { createListener, type Listener } from './http/server';
import { SimState } from './state';
import { applyTiming, defaultTiming, type TimingOption, type TimingSettings } from './timing';
import { selfSignedCertificate } from './tls';

export type { Fixture, FixtureVm, FixtureDisk, FixtureHost, FixtureSr, FixtureNetwork, FixtureGenerator, FixtureTemplate, Size } from './fixture-types';
export type { FaultController, FaultSettings, FaultPatch } from './faults';
export { SimState } from './state';
export { TIMING_PROFILES, holdActivity, releaseHolds, whenHolding, type TimingOption, type TimingProfile, type TimingSettings } from './timing';
export type { XapiRecord, ChangeEntry, DiskContent } from './state';

export interface SimulatorOptions {
  /** Path to a fixture JSON file, or the fixture itself. */
  fixture: string | Fixture;
  /** 0 = any free port (default). */
  port?: number;
  /** Loopback address to listen on (default 127.0.0.1). */
  host?: string;
  /** Serve https with a fresh self-signed certificate (see certificateFingerprint). */
  https?: boolean;
  /** root's password (default 'secret'). */
  password?: string;
  /** Also listen on 127.0.0.2 (same port) as a pool member answering HOST_IS_SLAVE [host]. */
  slavePort?: boolean;
  /**
   * How long snapshots, destroys and exports take (timer waits on the server, no CPU): 'instant'
   * (the default), 'realistic', or single values. Wins over the fixture's `timing`.
   */
  timing?: TimingOption;
}

export interface TimingController {
  /** Current settings (read-only view; change them with set). */
  readonly settings: Readonly<TimingSettings>;
  /** A profile name or single values; unset values are kept. */
  set(option: TimingOption): void;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  /** SHA-256 of the certificate (uppercase hex pairs joined by colons), when https. */
  certificateFingerprint?: string;
  /** URL of the pool member endpoint (slavePort option). */
  slaveUrl?: string;
  password: string;
  state: SimState;
  faults: FaultController;
  /** The timing model (also `POST /_sim/timing`). */
  timing: TimingController;
  /** Names → refs of hosts, SRs and networks of the fixture. */
  pool: PoolIndex;
  /**
   * Environment that makes test/sim/bin/xe talk to this simulator with no arguments:
   * XE_EXTRA_ARGS (the real xe's variable, comma-separated key=value defaults).
   */
  xeEnv(): Record<string, string>;
  /** Contents for ~/.xe (key=value lines) that point an ssh login's `xe` at this simulator. */
  xeConfigFile(): string;
  /** Absolute path of test/sim/bin/xe. */
  xePath: string;
  /** Adds a VM while running (events fire); returns its uuid. */
  addVm(spec: FixtureVm): string;
  close(): Promise<void>;
}

export const XE_PATH = join(import.meta.dirname, 'bin', 'xe');

function assertLoopback(host: string): void {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) && host !== '::1' && host !== 'localhost') {
    throw new Error(`simulator host must be a loopback address, not ${host}`);
  }
}

function listen(l: Listener, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    l.server.once('error', onError);
    l.server.listen(port, host, () => {
      l.server.off('error', onError);
      resolve((l.server.address() as AddressInfo).port);
    });
  });
}

async function shutdown(l: Listener): Promise<void> {
  // Long polls answer (empty) first, so clients see a clean end rather than a reset.
  l.aborter.abort();
  await new Promise((r) => setTimeout(r, 10));
  await new Promise<void>((resolve) => {
    l.server.close(() => resolve());
    for (const s of l.sockets) s.destroy();
  });
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  assertLoopback(host);
  await Promise.all([initDiskContent(), initZstd()]);
  const fixture = readFixture(options.fixture);
  const state = new SimState(fixture.name ?? 'pool');
  const pool = loadFixture(state, fixture);
  const password = options.password ?? 'secret';
  const settings: FaultSettings = defaultFaults();
  const timingSettings = defaultTiming();
  if (fixture.timing !== undefined) applyTiming(timingSettings, fixture.timing);
  if (options.timing !== undefined) applyTiming(timingSettings, options.timing);
  const timing: TimingController = { settings: timingSettings, set: (option) => applyTiming(timingSettings, option) };
  const lifetime = new AbortController();
  const tls = options.https ? await selfSignedCertificate() : undefined;
  const scheme = tls ? 'https' : 'http';

  const listeners: Listener[] = [];
  const addVm = (spec: FixtureVm) => String(state.get('VM', addFixtureVm(state, pool, spec))!.uuid);
  const dropConnections = (except?: Socket) => {
    for (const l of listeners) for (const s of l.sockets) if (s !== except) s.destroy();
    for (const l of listeners) l.aborter.abort();
    for (const l of listeners) l.aborter = new AbortController();
  };
  const faults: FaultController = {
    settings,
    set(patch: FaultPatch) {
      applyFaultPatch(settings, patch);
      if (settings.xapiDown) dropConnections();
    },
    reset() {
      Object.assign(settings, defaultFaults());
    },
    expireSessions() {
      for (const ref of state.refs('session')) state.destroy('session', ref);
    },
    addDuplicateName(name: string) {
      return addVm({ name, power: 'Halted', disks: [{ size: '1GiB' }] });
    },
  };
  const hooks = {
    status: () => settings,
    timing: (body: unknown) => {
      if (body !== undefined) timing.set(body as TimingOption);
      return timingSettings;
    },
    control(body: unknown, from: Socket) {
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('body must be a JSON object');
      const { reset, expireSessions, addDuplicateName, ...patch } = body as Record<string, unknown>;
      if (reset) faults.reset();
      const added: string[] = [];
      for (const name of addDuplicateName === undefined ? [] : [addDuplicateName].flat()) {
        if (typeof name !== 'string') throw new Error('addDuplicateName must be a name or a list of names');
        added.push(faults.addDuplicateName(name));
      }
      if (expireSessions) faults.expireSessions();
      applyFaultPatch(settings, patch as FaultPatch);
      if (settings.xapiDown) dropConnections(from);
      return { settings, added };
    },
  };
  const ctx: ApiContext = { state, faults: settings, timing: timingSettings, lifetime: lifetime.signal, password, masterAddress: host };
  let main: Listener | undefined;
  let slave: Listener | undefined;
  let port = options.port ?? 0;
  for (let attempt = 0; ; attempt++) {
    main = createListener(ctx, hooks, tls);
    port = await listen(main, options.port ?? 0, host);
    if (!options.slavePort) break;
    slave = createListener({ ...ctx, slaveOf: host }, hooks, tls);
    try {
      await listen(slave, port, '127.0.0.2');
      break;
    } catch (error) {
      await shutdown(main);
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || options.port || attempt > 20) throw error;
    }
  }
  listeners.push(main);
  if (slave) listeners.push(slave);
  const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const xeDefaults: [string, string][] = [
    ['server', host],
    ['port', String(port)],
    ['username', 'root'],
    ['password', password],
    ...(tls ? [] : [['nossl', 'true'] as [string, string]]),
  ];
  return {
    url,
    certificateFingerprint: tls?.fingerprint,
    slaveUrl: slave ? `${scheme}://127.0.0.2:${port}` : undefined,
    password,
    state,
    faults,
    timing,
    pool,
    xePath: XE_PATH,
    xeEnv: () => ({ XE_EXTRA_ARGS: xeDefaults.map(([k, v]) => `${k}=${v}`).join(',') }),
    xeConfigFile: () => xeDefaults.map(([k, v]) => `${k}=${v}\n`).join(''),
    addVm,
    async close() {
      lifetime.abort();
      state.wakeAll();
      await Promise.all(listeners.map(shutdown));
    },
  };
}
