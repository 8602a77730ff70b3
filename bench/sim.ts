// Simulator benchmark: prints figures, asserts nothing (targets in docs/simulator.md).
//  1. A 2 GiB sparse VM export streamed through xen-api's getResource into /dev/null (MB/s).
//  2. The same disk as a raw VDI export (every byte of the 2 GiB, zeros included).
//  3. `xe vm-list --minimal` on the 5,000-VM pool (wall time per call, median of 15).
// Run: node --import tsx bench/sim.ts
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type XapiOptions } from 'xen-api';
import { startSimulator, type Simulator } from '../test/sim/index';

interface Resource {
  body: NodeJS.ReadableStream;
  task?: Promise<unknown>;
}
interface BenchXapi {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  objectsFetched: Promise<void>;
  getResource(path: string, options: { query: Record<string, string> }): Promise<Resource>;
}

const GiB = 1024 ** 3;
const mb = (bytes: number, ms: number) => (bytes / 1e6 / (ms / 1000)).toFixed(0);

async function connect(sim: Simulator): Promise<BenchXapi> {
  const xapi = createClient({
    url: sim.url,
    auth: { user: 'root', password: sim.password },
  } as XapiOptions) as unknown as BenchXapi;
  await xapi.connect();
  await xapi.objectsFetched;
  return xapi;
}

async function download(
  xapi: BenchXapi,
  path: string,
  query: Record<string, string>,
): Promise<{ bytes: number; ms: number }> {
  const started = performance.now();
  const res = await xapi.getResource(path, { query });
  let bytes = 0;
  // /dev/null: count and drop every chunk as it arrives.
  for await (const c of res.body as AsyncIterable<Buffer>) bytes += c.length;
  await res.task;
  return { bytes, ms: performance.now() - started };
}

async function exports(): Promise<void> {
  for (const used of [1, 0.25]) {
    const sim = await startSimulator({
      fixture: { name: 'bench', vms: [{ name: 'big', power: 'Halted', disks: [{ size: 2 * GiB, used }] }] },
    });
    const xapi = await connect(sim);
    const vm = sim.state.entries('VM').find(([, r]) => r.name_label === 'big')![0];
    const vdi = sim.state.get('VBD', (sim.state.get('VM', vm)!.VBDs as string[])[0])!.VDI as string;
    await download(xapi, '/export/', { ref: vm }); // warm-up
    const xva = await download(xapi, '/export/', { ref: vm });
    console.log(
      `export 2 GiB disk, ${used * 100}% data: ${(xva.bytes / 2 ** 20).toFixed(0)} MiB XVA ` +
        `in ${xva.ms.toFixed(0)} ms = ${mb(xva.bytes, xva.ms)} MB/s on the wire, ` +
        `${mb(2 * GiB, xva.ms)} MB/s of virtual disk`,
    );
    if (used !== 1) {
      const raw = await download(xapi, '/export_raw_vdi/', { vdi, format: 'raw' });
      console.log(`export_raw_vdi 2 GiB raw: ${raw.ms.toFixed(0)} ms = ${mb(raw.bytes, raw.ms)} MB/s`);
    }
    await xapi.disconnect();
    await sim.close();
  }
}

const TIME = '/usr/bin/time';

/** Wall time of one xe run, and its CPU time (user+sys, via /usr/bin/time when present). */
function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ wall: number; cpu?: number }> {
  const timed = existsSync(TIME);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const [file, argv] = timed ? [TIME, ['-f', 'cpu %U %S', cmd, ...args]] : [cmd, args];
    execFile(file, argv, { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) return reject(error);
      if (stdout.split(',').length < 5000) return reject(new Error('vm-list --minimal did not list 5,000 VMs'));
      const m = /cpu ([\d.]+) ([\d.]+)/.exec(stderr);
      resolve({ wall: performance.now() - started, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : undefined });
    });
  });
}

async function xeOnLargePool(): Promise<void> {
  const loadStarted = performance.now();
  const sim = await startSimulator({
    fixture: join(import.meta.dirname, '..', 'test', 'sim', 'fixtures', 'large-5000.json'),
  });
  console.log(
    `large-5000 fixture loaded in ${(performance.now() - loadStarted).toFixed(0)} ms ` +
      `(${sim.state.count('VM')} VM records)`,
  );
  const runs: { wall: number; cpu?: number }[] = [];
  for (let i = 0; i < 15; i++) runs.push(await run(sim.xePath, ['vm-list', '--minimal'], sim.xeEnv()));
  const times = runs.map((r) => r.wall).sort((a, b) => a - b);
  const cpu = runs
    .map((r) => r.cpu)
    .filter((c): c is number => c !== undefined)
    .sort((a, b) => a - b);
  const node = await new Promise<number>((resolve) => {
    const started = performance.now();
    execFile(process.execPath, ['-e', '0'], () => resolve(performance.now() - started));
  });
  console.log(
    `xe vm-list --minimal (5,000 VMs): median ${times[7].toFixed(0)} ms, best ${times[0].toFixed(0)} ms wall (bare ` +
      `node start-up here: ${node.toFixed(0)} ms)`,
  );
  if (cpu.length > 0)
    console.log(
      `xe vm-list --minimal CPU time of the xe process: median ${cpu[Math.floor(cpu.length / 2)].toFixed(0)} ms`,
    );
  const connectStarted = performance.now();
  const xapi = await connect(sim);
  console.log(
    `xen-api connect + all records of the 5,000-VM pool: ${(performance.now() - connectStarted).toFixed(0)} ms`,
  );
  await xapi.disconnect();
  await sim.close();
}

await exports();
await xeOnLargePool();
