// Benchmark: the backup runner on 50 small VMs against the simulator, over both transports.
//  - per-VM orchestration overhead: wall time of the run minus the time spent inside `xe`
//    commands (the exports and the pool operations themselves), divided by the VMs;
//    targets < 150 ms local, < 400 ms ssh;
//  - --concurrency 4 against sequential: target >= 2.5x faster.
// Two simulator settings, both printed:
//  - instant (the default): every pool operation completes at once, so the run is bound by the
//    CPU cost of the xe processes (each a Node start) and the speedup by the CPUs available;
//  - realistic timing (docs/simulator.md, "Timing"): snapshots, VDI destroys and export tasks
//    take time on the server, as on a real host, where the runner mostly waits for the pool.
//    The 2.5x target is about this figure: overlapping those waits is what --concurrency is for.
// Run: node --import tsx bench/runner.ts [instant|realistic]   (default: both)
import { performance } from 'node:perf_hooks';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { startSimulator, TIMING_PROFILES, type Simulator, type TimingProfile } from '../test/sim/index';
import { startSshd } from '../test/harness/sshd';
import { createLocalHost, createSshHost, type Host } from '../runner/src/host/index';
import { connectPool } from '../runner/src/pool/xapi';
import { PoolRecords } from '../runner/src/pool/records';
import { runBackup } from '../runner/src/backup/engine';
import { EventBus } from '../runner/src/backup/events';
import type { BackupJob } from '../runner/src/backup/context';

const VMS = 50;

/** Wraps a Host and adds up the wall time spent in xe commands. */
function timed(host: Host): { host: Host; xeMs: () => number; reset: () => void } {
  let total = 0;
  const wrapped: Host = Object.create(host) as Host;
  wrapped.xe = async (args, options) => {
    const t0 = performance.now();
    try {
      return await host.xe(args, options);
    } finally {
      total += performance.now() - t0;
    }
  };
  return { host: wrapped, xeMs: () => total, reset: () => (total = 0) };
}

const sim: Simulator = await startSimulator({
  fixture: {
    name: 'bench',
    generate: [{ name: 'bench-vm-{n:3}', count: VMS, disks: [{ size: '1MiB', used: 0 }], vifs: [] }],
  },
});
const pool = await connectPool(sim.url, sim.password);
const port = Number(new URL(sim.url).port);
const jobs: BackupJob[] = Array.from({ length: VMS }, (_, i) => {
  const vm = `bench-vm-${String(i + 1).padStart(3, '0')}`;
  return { vm, kind: 'vm-export', maxBackups: 2, label: vm };
});

async function measure(host: Host, concurrency: number) {
  const t = timed(host);
  const dir = mkdtempSync(join(tmpdir(), 'vmbackup-bench-'));
  mkdirSync(join(dir, 'B'));
  const bus = new EventBus();
  const t0 = performance.now();
  // As the CLI does: one read of the pool's records per run.
  const records = await PoolRecords.load(pool);
  const result = await runBackup({
    host: t.host,
    pool,
    records,
    bus,
    jobs,
    signal: new AbortController().signal,
    settings: {
      backupDir: join(dir, 'B'),
      statusLog: join(dir, 'status.log'),
      vdiExportFormat: 'raw',
      compress: 'none',
      poolDbBackup: false,
      preClean: false,
      concurrency,
      dryRun: false,
    },
  });
  const wall = performance.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  if (result.summary.success !== VMS) throw new Error(`bench run failed: ${JSON.stringify(result.summary)}`);
  return { wall, xe: t.xeMs() };
}

/** Best of `runs` runs: the machine is shared, the minimum is the runner's real cost. */
async function best(host: Host, concurrency: number, runs: number) {
  let min = await measure(host, concurrency);
  for (let i = 1; i < runs; i++) {
    const next = await measure(host, concurrency);
    if (next.wall < min.wall) min = next;
  }
  return min;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function describe(profile: TimingProfile): string {
  const t = TIMING_PROFILES[profile];
  return (
    `snapshot ${t.snapshotMs} ms, VDI destroy ${t.destroyMs} ms, export task ${t.taskMs} ms, ` +
    `${(t.exportBytesPerSecond ?? 0) / 1e6} MB/s per export`
  );
}

/**
 * Sequential and --concurrency 4 under each requested timing profile. Instant runs are the best
 * of two (CPU-bound, noisy on a shared machine); realistic runs are dominated by the simulated
 * waits and run once to keep the benchmark short.
 */
async function transport(name: string, host: Host, overheadTarget: number): Promise<void> {
  for (const profile of profiles) {
    sim.timing.set(profile);
    const runs = profile === 'instant' ? 2 : 1;
    await measure(host, 4); // warm-up (xe, simulator, file system caches)
    const seq = await best(host, 1, runs);
    const par = await best(host, 4, runs);
    const overhead = (seq.wall - seq.xe) / VMS;
    const speedup = seq.wall / par.wall;
    const realistic = profile === 'realistic';
    console.log(
      `${name}, ` +
        (realistic
          ? `realistic timing (${describe(profile)})`
          : 'instant simulator (CPU-bound: every xe call is a Node process start)') +
        ':',
    );
    console.log(
      `  sequential: ${seconds(seq.wall)} for ${VMS} VMs = ${(seq.wall / VMS).toFixed(0)} ms/VM (inside xe: ` +
        `${(seq.xe / VMS).toFixed(0)} ms/VM)`,
    );
    if (realistic) {
      // The runner reads vm-metadata.xml through xen-api (/export_metadata), whose export task
      // now waits taskMs on the server: host time outside xe, not runner work.
      console.log(
        `  time outside xe: ${overhead.toFixed(0)} ms/VM (includes the ${TIMING_PROFILES.realistic.taskMs} ms ` +
          'export-task wait of the xen-api metadata download; the overhead target is checked on the instant run)',
      );
    } else {
      console.log(
        `  orchestration overhead (outside xe): ${overhead.toFixed(0)} ms/VM  (target < ${overheadTarget} ms) ` +
          `${overhead < overheadTarget ? 'OK' : 'MISSED'}`,
      );
    }
    console.log(
      `  --concurrency 4: ${seconds(par.wall)}  speedup ${speedup.toFixed(2)}x` +
        (realistic
          ? `  (target >= 2.5x) ${speedup >= 2.5 ? 'OK' : 'MISSED'}`
          : `  (bounded by the ${cpus().length} CPUs; not the figure the 2.5x target is about)`),
    );
  }
  sim.timing.set('instant');
}

const wanted = process.argv.slice(2);
for (const w of wanted)
  if (w !== 'instant' && w !== 'realistic') throw new Error(`unknown profile ${w} (instant, realistic)`);
const profiles: TimingProfile[] = wanted.length > 0 ? (wanted as TimingProfile[]) : ['instant', 'realistic'];

console.log(`${VMS} VMs, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)}`);
console.log(
  'The --concurrency 4 >= 2.5x target refers to the realistic-timing figure: ' +
    'on a real host the runner waits for the pool\n' +
    '(snapshot, VDI destroy, export), and overlapping those waits is what concurrency is for. ' +
    'On the instant simulator nothing\n' +
    `is waited for and the xe process starts saturate the ${cpus().length} CPUs, ` +
    `so that speedup cannot exceed about ${cpus().length}x whatever the runner does.`,
);
try {
  const local = createLocalHost({
    xePath: sim.xePath,
    xeConnection: { server: '127.0.0.1', port, user: 'root', password: sim.password, noSsl: true },
  });
  await transport('local', local, 150);
  await local.close();

  const sshd = await startSshd();
  try {
    writeFileSync(join(sshd.home, '.xe'), sim.xeConfigFile(), { mode: 0o600 });
    const ssh = await createSshHost(sshd.hostOptions);
    await transport('ssh', ssh, 400);
    await ssh.close();
  } finally {
    await sshd.stop();
  }
} finally {
  await pool.close();
  await sim.close();
}
