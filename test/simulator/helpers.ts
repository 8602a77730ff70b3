// Shared helpers of the simulator tests: start a simulator for a test, connect the real
// xen-api client, run the real `xe` (asynchronously: the simulator runs in this process),
// compare with golden files.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, type XapiOptions } from 'xen-api';
import { startSimulator, type Simulator, type SimulatorOptions } from '../sim/index';

export const FIXTURES = join(import.meta.dirname, '..', 'sim', 'fixtures');
export const GOLDEN = join(import.meta.dirname, 'golden');

const clients = new WeakMap<object, FullXapi[]>();

/** A simulator closed after the test (after disconnecting the clients connected to it). */
export async function simulator(
  t: TestContext | undefined,
  options: Partial<SimulatorOptions> & { fixture?: SimulatorOptions['fixture'] } = {},
): Promise<Simulator> {
  const sim = await startSimulator({ fixture: join(FIXTURES, 'weekend.json'), ...options });
  clients.set(sim.state, []);
  t?.after(async () => {
    for (const c of clients.get(sim.state) ?? []) await c.disconnect().catch(() => undefined);
    await sim.close();
  });
  return sim;
}

/** The parts of xen-api@4.7.6 these tests use beyond the runner's minimal typings. */
export interface FullXapi {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  readonly status: string;
  readonly sessionId: string;
  readonly objectsFetched: Promise<void>;
  readonly objects: {
    all: Record<string, { $type: string; $ref: string; uuid: string; name_label?: string }>;
    size: number;
  };
  getObjectByRef(ref: string, fallback?: unknown): Record<string, unknown> | undefined;
  getResource(
    path: string,
    options: { query: Record<string, string>; task?: boolean | string },
  ): Promise<{
    statusCode: number;
    headers: Record<string, string | string[] | undefined>;
    body: AsyncIterable<Buffer> & { text(): Promise<string>; arrayBuffer(): Promise<ArrayBuffer> };
    task?: Promise<unknown>;
  }>;
  on(event: string, listener: (...args: unknown[]) => void): void;
  off(event: string, listener: (...args: unknown[]) => void): void;
}

export async function connect(
  t: TestContext | undefined,
  sim: Simulator,
  extra: Record<string, unknown> = {},
): Promise<FullXapi> {
  const options = {
    url: sim.url,
    auth: { user: 'root', password: sim.password },
    allowUnauthorized: true,
    ...extra,
  } as XapiOptions;
  const xapi = createClient(options) as unknown as FullXapi;
  if (t) clients.get(sim.state)?.push(xapi);
  await xapi.connect();
  return xapi;
}

/** Waits until `predicate` holds for the xen-api object cache (fed by event.from). */
export async function eventually(predicate: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface XeResult {
  code: number;
  stdout: string;
  stderr: string;
  raw: Buffer;
}

export function xe(sim: Simulator, args: string[], env: Record<string, string> = {}): Promise<XeResult> {
  return new Promise((resolve) => {
    execFile(
      sim.xePath,
      args,
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', ...sim.xeEnv(), ...env },
        encoding: 'buffer',
        maxBuffer: 256 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8'), raw: stdout });
      },
    );
  });
}

/** Golden files recorded on real hosts (golden/README.md): compared with, never rewritten. */
export function isRecordedGolden(name: string): boolean {
  return name.startsWith('real-');
}

/** Compares with test/simulator/golden/<name> (UPDATE_GOLDEN=1 rewrites the simulator's own ones). */
export function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1' && !isRecordedGolden(name)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `output differs from golden/${name}`);
}

export function vmUuid(sim: Simulator, name: string): string {
  const found = sim.state.entries('VM').filter(([, r]) => r.name_label === name && !r.is_a_snapshot);
  assert.equal(found.length, 1, `exactly one VM named ${name}`);
  return String(found[0][1].uuid);
}

export function vmRef(sim: Simulator, name: string): string {
  return sim.state.refByUuid('VM', vmUuid(sim, name));
}

/** The whole body of a xen-api getResource response. */
export async function bodyOf(res: { body: AsyncIterable<Buffer> }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}
