// Benchmark: the xapi transport (issue 14) against the simulator, all figures printed, none
// asserted.
//  - raw vdi-export throughput of the runner (bundled CLI, --transport xapi: snapshot, download
//    written once and checked in flight, fsync) against a plain HTTP copy of the same URL to
//    the same disk (a Node process piping the response into a file, fsync), in the same run:
//    target >= 0.9x; sizes 1 GiB and 10 GiB by default;
//  - an XVA vm-export with its in-flight verification (every chunk checksum) against a plain
//    copy of the same /export: target >= 0.8x;
//  - peak RSS of the runner process at each size (process.resourceUsage().maxRSS, written by a
//    preloaded script at exit): target < 150 MB at any size;
//  - per-VM orchestration overhead on 50 small VMs (wall time outside the pool steps, as
//    bench/runner.ts measures it for the xe transports): target < 50 ms.
// The simulator serves disks from shared pattern buffers (test/sim/http/disk.ts), so it is not
// the bottleneck; it runs in this process, both clients are child processes.
// Run: node --import tsx bench/agentless.ts [--sizes 1,10] [--xva 1] [--dir DIR]
//   --sizes  raw export sizes in GiB (default 1,10); --xva  XVA disk size in GiB (default 1);
//   --dir    where the files go (default the system temp dir); each file is removed after use.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startSimulator, type Simulator } from '../test/sim/index';
import { connectPool } from '../runner/src/pool/xapi';
import { PoolRecords } from '../runner/src/pool/records';
import { createXapiHost, type Host } from '../runner/src/host/index';
import { runBackup } from '../runner/src/backup/engine';
import { EventBus } from '../runner/src/backup/events';
import type { BackupJob } from '../runner/src/backup/context';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'dist', 'vmbackup.js');
const GiB = 1024 ** 3;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const sizes = option('sizes', '1,10').split(',').map(Number);
const xvaSize = Number(option('xva', '1'));
const baseDir = option('dir', tmpdir());
for (const s of [...sizes, xvaSize]) if (!(s > 0)) throw new Error(`sizes are GiB > 0, got ${s}`);

if (!existsSync(cli)) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
const work = mkdtempSync(join(baseDir, 'vmbackup-bench-agentless-'));
const preload = join(work, 'maxrss.cjs');
// The runner's own peak RSS, written as it exits (kilobytes, from getrusage).
writeFileSync(
  preload,
  "process.on('exit', () => require('fs').writeFileSync(process.env.BENCH_RSS_FILE, " +
    'String(process.resourceUsage().maxRSS)));\n',
);
// The plain copy: GET the URL, pipe the body into the file, fsync; prints its milliseconds.
const plainCopy = `
const { request } = require(${JSON.stringify(join(root, 'node_modules', 'undici'))});
const { createWriteStream, fsyncSync, closeSync } = require('fs');
const { once } = require('events');
(async () => {
  const t0 = performance.now();
  const res = await request(process.argv[1]);
  if (res.statusCode !== 200) throw new Error('HTTP ' + res.statusCode);
  const out = createWriteStream(process.argv[2], { autoClose: false });
  await once(out, 'open');
  for await (const chunk of res.body) if (!out.write(chunk)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  fsyncSync(out.fd);
  closeSync(out.fd);
  process.stdout.write(String(performance.now() - t0));
})();
`;

function child(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? 2, stdout }));
  });
}

const sim: Simulator = await startSimulator({
  fixture: {
    name: 'bench-agentless',
    vms: [
      ...sizes.map((s) => ({ name: `raw-${s}g`, power: 'Halted' as const, disks: [{ size: `${s}GiB`, used: 1 }] })),
      { name: `xva-${xvaSize}g`, power: 'Halted' as const, disks: [{ size: `${xvaSize}GiB`, used: 1 }] },
    ],
  },
});
const pool = await connectPool(sim.url, sim.password);

interface RunnerFigures {
  exportMs: number;
  rssMb: number;
}

/** Milliseconds from the export command's step to its `success` line, from the runner's JSON events. */
async function runnerExport(vm: string, kind: 'vdi-export' | 'vm-export'): Promise<RunnerFigures> {
  const dir = join(work, 'runner');
  mkdirSync(join(dir, 'B'), { recursive: true });
  const cfg = join(dir, 'bench.cfg');
  writeFileSync(cfg, `backup_dir=${dir}/B\nstatus_log=${dir}/status.log\nvdi_export_format=raw\n${kind}=${vm}\n`);
  const rssFile = join(work, 'rss');
  const result = await child(['-r', preload, cli, '--json', '--transport', 'xapi', '--xapi', sim.url, cfg], {
    VMBACKUP_PASSWORD: sim.password,
    BENCH_RSS_FILE: rssFile,
  });
  rmSync(dir, { recursive: true, force: true });
  const events = result.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; time: string; message: string });
  if (result.code !== 0) throw new Error(`runner failed:\n${events.map((e) => e.message).join('\n')}`);
  const step = kind === 'vdi-export' ? '4.cmd:' : '3.cmd:';
  const start = events.find((e) => e.type === 'step' && e.message.startsWith(step));
  const end = events.find((e) => e.message === `${kind} success`);
  if (!start || !end) throw new Error('no export step in the runner events');
  return {
    exportMs: Date.parse(end.time) - Date.parse(start.time),
    rssMb: Number(readFileSync(rssFile, 'utf8')) / 1024,
  };
}

async function plain(path: string, query: Record<string, string>): Promise<number> {
  const url = new URL(path, sim.url);
  for (const [k, v] of Object.entries({ ...query, session_id: pool.sessionId!() })) url.searchParams.set(k, v);
  const file = join(work, 'plain.bin');
  const result = await child(['-e', plainCopy, url.href, file]);
  rmSync(file, { force: true });
  if (result.code !== 0) throw new Error('plain copy failed');
  return Number(result.stdout);
}

const ref = (vm: string) => sim.state.entries('VM').find(([, r]) => r.name_label === vm && !r.is_a_snapshot)![0];
const vdiOf = (vm: string) => {
  const vbd = (sim.state.get('VM', ref(vm))!.VBDs as string[])[0]!;
  return String(sim.state.get('VBD', vbd)!.VDI);
};
const mbps = (bytes: number, ms: number) => `${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;

/** Best of two for each side, alternating: the machine is shared, the best is each side's real speed. */
async function compare(
  label: string,
  bytes: number,
  runner: () => Promise<RunnerFigures>,
  copy: () => Promise<number>,
) {
  const runs: RunnerFigures[] = [];
  const copies: number[] = [];
  for (let i = 0; i < 2; i++) {
    copies.push(await copy());
    runs.push(await runner());
  }
  const best = Math.min(...runs.map((r) => r.exportMs));
  const bestCopy = Math.min(...copies);
  const rss = Math.max(...runs.map((r) => r.rssMb));
  console.log(
    `${label}: runner ${mbps(bytes, best)} (${(best / 1000).toFixed(1)} s), plain copy ${mbps(bytes, bestCopy)} ` +
      `(${(bestCopy / 1000).toFixed(1)} s), ratio ${(bestCopy / best).toFixed(2)}x; ` +
      `runner peak RSS ${rss.toFixed(0)} MB`,
  );
  return { ratio: bestCopy / best, rss };
}

/** Per-VM time outside the pool steps (XenAPI calls and downloads), in this process. */
async function overhead(): Promise<{ perVm: number; inside: number }> {
  const VMS = 50;
  for (let i = 1; i <= VMS; i++)
    sim.addVm({ name: `small-${i}`, power: 'Halted', disks: [{ size: '1MiB' }], vifs: [] });
  const jobs: BackupJob[] = Array.from({ length: VMS }, (_, i) => ({
    vm: `small-${i + 1}`,
    kind: 'vm-export',
    maxBackups: 2,
    label: `small-${i + 1}`,
  }));
  const host = createXapiHost({ url: sim.url, password: sim.password, allowUnauthorized: false });
  let inside = 0;
  const timed: Host = Object.create(host) as Host;
  timed.xe = async (args, options) => {
    const t0 = performance.now();
    try {
      return await host.xe(args, options);
    } finally {
      inside += performance.now() - t0;
    }
  };
  let best = { perVm: Number.POSITIVE_INFINITY, inside: 0 };
  for (let run = 0; run < 3; run++) {
    inside = 0;
    const dir = join(work, `small-${run}`);
    mkdirSync(join(dir, 'B'), { recursive: true });
    const t0 = performance.now();
    const records = await PoolRecords.load(pool);
    const result = await runBackup({
      host: timed,
      pool,
      records,
      bus: new EventBus(),
      jobs,
      signal: new AbortController().signal,
      settings: {
        backupDir: join(dir, 'B'),
        statusLog: join(dir, 'status.log'),
        vdiExportFormat: 'raw',
        compress: 'none',
        poolDbBackup: false,
        preClean: false,
        concurrency: 1,
        dryRun: false,
      },
    });
    const wall = performance.now() - t0;
    rmSync(dir, { recursive: true, force: true });
    if (result.summary.success !== VMS) throw new Error(`overhead run failed: ${JSON.stringify(result.summary)}`);
    // The first run warms up (connection, file system caches); the best of the others counts.
    if (run > 0 && (wall - inside) / VMS < best.perVm) best = { perVm: (wall - inside) / VMS, inside: inside / VMS };
  }
  await host.close();
  return best;
}

console.log(`${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)}, files in ${work}`);
try {
  let peak = 0;
  for (const size of sizes) {
    const vm = `raw-${size}g`;
    const r = await compare(
      `raw vdi-export ${size} GiB`,
      size * GiB,
      () => runnerExport(vm, 'vdi-export'),
      () => plain('/export_raw_vdi', { vdi: vdiOf(vm), format: 'raw' }),
    );
    console.log(`  target >= 0.9x: ${r.ratio >= 0.9 ? 'OK' : 'MISSED'}`);
    peak = Math.max(peak, r.rss);
  }
  const xvm = `xva-${xvaSize}g`;
  const x = await compare(
    `XVA vm-export ${xvaSize} GiB (in-flight checksum verification)`,
    xvaSize * GiB,
    () => runnerExport(xvm, 'vm-export'),
    () => plain('/export', { ref: ref(xvm) }),
  );
  console.log(`  target >= 0.8x: ${x.ratio >= 0.8 ? 'OK' : 'MISSED'}`);
  peak = Math.max(peak, x.rss);
  console.log(
    `runner peak RSS over all sizes: ${peak.toFixed(0)} MB (target < 150 MB) ${peak < 150 ? 'OK' : 'MISSED'}`,
  );
  const o = await overhead();
  console.log(
    `orchestration overhead (outside the XenAPI steps), 50 VMs sequential: ${o.perVm.toFixed(1)} ms/VM ` +
      `(inside: ${o.inside.toFixed(1)} ms/VM) (target < 50 ms) ${o.perVm < 50 ? 'OK' : 'MISSED'}`,
  );
} finally {
  await pool.close();
  await sim.close();
  rmSync(work, { recursive: true, force: true });
}
