// A whole backup run (vmbackup-behaviour.md §5): lock, writability, df, pool DB, every VM
// (vdi-export, then vm-export, then metadata-export; N at a time with --concurrency),
// summary, status log. Stops cleanly on abort (SIGINT/SIGTERM): running VMs remove their
// snapshot and partial folder, no new VM starts, the run ends with errors.
import type { Host, HostLock } from '../host/types';
import type { PoolClient } from '../pool/xapi';
import { loadPoolMaster } from '../pool/xapi';
import type { PoolRecords } from '../pool/records';
import type { BackupJob, RunContext, RunSettings } from './context';
import { type EventBus, exitCodeFor, outcomeFor, type RunSummary } from './events';
import { LOCK_FILE, pathsOf, poolDumpName, WRITE_TEST_FILE } from './layout';
import { StatusLog } from './statusLog';
import { thisRun } from './snapshots';
import { runJob } from './vmJob';
import { describeXe, echoXeOutput, xe, XeError, xeArgs } from './xe';

export interface BackupRunInput {
  host: Host;
  pool: PoolClient;
  records?: PoolRecords;
  bus: EventBus;
  settings: RunSettings;
  jobs: BackupJob[];
  signal: AbortSignal;
  now?: () => Date;
  /** Back-off waits (busy VM, transient failures); injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Warnings found before the run (selection, config): the exit code is at least 1. */
  priorWarnings?: number;
}

export interface BackupRunResult {
  summary: RunSummary;
  exitCode: 0 | 1 | 2;
}

export { LOCK_FILE } from './layout';
const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function logDf(ctx: RunContext, title: string): Promise<void> {
  ctx.bus.step('df', title);
  try {
    const result = await ctx.host.run('df', ['-Th', ctx.settings.backupDir]);
    for (const line of result.stdout.split('\n').filter((l) => l !== '')) ctx.bus.info(line);
  } catch (error) {
    ctx.bus.info(`df failed: ${message(error)}`);
  }
}

/** `pool_db_backup=1`: dump the pool database, on the pool master only. */
async function backupPoolDb(ctx: RunContext, fullHostname: string): Promise<boolean> {
  ctx.bus.step('pool-db', '*** begin backup_pool_metadata ***');
  const master = await loadPoolMaster(ctx.pool);
  const me = master.hosts.find((h) => h.nameLabel === fullHostname || h.hostname === fullHostname);
  if (!ctx.host.reachesPoolMaster && (!me || me.uuid !== master.masterUuid)) {
    ctx.bus.info('** ignore: NOT master');
    return true;
  }
  const { join } = pathsOf(ctx.host);
  const dir = join(ctx.settings.backupDir, `METADATA_${ctx.server}`);
  try {
    if (!(await ctx.host.exists(dir))) await ctx.host.mkdir(dir);
    const args = xeArgs.poolDump(join(dir, poolDumpName(ctx.now())));
    ctx.bus.info(describeXe(args));
    await xe(
      echoXeOutput(ctx.host, (line) => ctx.bus.info(line)),
      args,
      { signal: ctx.signal },
    );
    return true;
  } catch (error) {
    const detail = error instanceof XeError ? error.detail : message(error);
    ctx.bus.emit({ type: 'error', message: 'ERROR failed to backup pool metadata', detail });
    return false;
  }
}

/** Runs the jobs with at most `limit` at once; jobs of the same VM stay in order. */
async function runJobs(ctx: RunContext, jobs: BackupJob[], limit: number, summary: RunSummary): Promise<void> {
  const groups = new Map<string, { job: BackupJob; index: number }[]>();
  jobs.forEach((job, i) => {
    const list = groups.get(job.vm) ?? [];
    list.push({ job, index: i + 1 });
    groups.set(job.vm, list);
  });
  const queue = [...groups.values()];
  // The original's section headers: `vdi-export=` before its loop, `vm-export=` before the
  // first vm-export (right after the vdi-exports when they run one at a time).
  const headers = new Set<string>();
  const header = (kind: string) => {
    if (headers.has(kind)) return;
    headers.add(kind);
    ctx.bus.info(`************ ${kind}= ***************`);
  };
  header('vdi-export');
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const { job, index } of group) {
        if (ctx.signal.aborted) return;
        if (job.kind !== 'vdi-export') header('vm-export');
        if (job.kind === 'metadata-export') header('metadata-export');
        const result = await runJob(ctx, job, index, jobs.length);
        summary[result.outcome]++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, queue.length)) }, worker));
  if (!ctx.signal.aborted) header('vm-export');
}

export async function runBackup(input: BackupRunInput): Promise<BackupRunResult> {
  const now = input.now ?? (() => new Date());
  const { host, bus, settings } = input;
  const { join } = pathsOf(host);
  const started = Date.now();
  const fullHostname = await host.hostname();
  const server = fullHostname.split('.')[0] ?? fullHostname;
  const status = new StatusLog(host, settings.dryRun ? undefined : settings.statusLog, server, now, (m) =>
    bus.error(m),
  );
  const ctx: RunContext = {
    host,
    pool: input.pool,
    ...(input.records ? { records: input.records } : {}),
    bus,
    settings,
    status,
    server,
    signal: input.signal,
    now,
    run: thisRun(),
    leaks: [],
    ...(input.sleep ? { sleep: input.sleep } : {}),
  };
  const summary: RunSummary = { success: 0, warning: 0, error: 0 };

  const finish = async (): Promise<BackupRunResult> => {
    if (ctx.leaks.length > 0) {
      bus.error(`ERROR ${ctx.leaks.length} snapshot(s) made by this run could not be removed: ${ctx.leaks.join(', ')}`);
    }
    if (input.signal.aborted) {
      const snapshots = ctx.leaks.length > 0 ? 'snapshots NOT all removed (see above)' : 'snapshots removed';
      bus.error(`ERROR run interrupted (signal): stopped cleanly, ${snapshots}, incomplete backup folders removed`);
      if (summary.error === 0) summary.error = 1;
    }
    // A status log that cannot be written is an error: monitoring would not see this night.
    await status.flush();
    const logFailedBefore = status.hasFailed;
    if (logFailedBefore) summary.error++;
    let text = `S:${summary.success} W:${summary.warning} E:${summary.error}`;
    const recorded = outcomeFor(summary);
    await status.runEnd(recorded === 'error' ? 'ERROR' : recorded === 'warning' ? 'WARNING' : 'SUCCESS', text);
    await status.flush();
    if (status.hasFailed && !logFailedBefore) {
      summary.error++;
      text = `S:${summary.success} W:${summary.warning} E:${summary.error}`;
    }
    const outcome = outcomeFor(summary);
    const exitCode = Math.max(exitCodeFor(summary), input.priorWarnings ? 1 : 0) as 0 | 1 | 2;
    const words = outcome === 'error' ? '**ERRORS DETECTED**' : outcome === 'warning' ? '**WARNING(s)**' : 'Success';
    bus.emit({
      type: 'run-end',
      outcome,
      summary,
      exitCode,
      elapsedMs: Date.now() - started,
      message: `VmBackup ended - ${words} - ${text}`,
    });
    return { summary, exitCode };
  };

  await status.runBegin();
  bus.info('===========================');
  bus.info(`VmBackup running on ${server} ...`);

  let lock: HostLock | undefined;
  try {
    if (!settings.dryRun) {
      bus.info('===========================');
      bus.info(`Check if backup directory ${settings.backupDir} is writable ...`);
      let probe = join(settings.backupDir, WRITE_TEST_FILE);
      // The original's line; the file is created and removed through the Host, no shell.
      bus.info(`/bin/touch "${probe}"`);
      try {
        if ((await host.stat(probe))?.isDirectory) {
          // A VM of that name, backed up before such names were refused: keep it, probe beside it.
          bus.warning(`WARNING ${probe} is a folder (a VM named like the write test?): testing with another name`);
          probe = `${probe}-${process.pid}`;
        }
        await host.writeFile(probe, '');
        await host.remove(probe);
      } catch (error) {
        bus.error(`ERROR failed to write to backup directory area - FATAL ERROR (${message(error)})`);
        summary.error++;
        return await finish();
      }
      bus.info('Success: backup directory area is writable');
      try {
        lock = await host.lock(join(settings.backupDir, LOCK_FILE));
        if (lock.takeoverWarning) bus.warning(`WARNING ${lock.takeoverWarning}`);
      } catch (error) {
        // The lock's own message says what is in the way (a live run, a foreign file, a guard left behind).
        bus.error(`ERROR cannot lock ${join(settings.backupDir, LOCK_FILE)}: ${message(error)}`);
        summary.error++;
        return await finish();
      }
    }
    bus.info('===========================');
    await logDf(ctx, `Space before backups: df -Th ${settings.backupDir}`);

    if (settings.poolDbBackup && !settings.dryRun) {
      if (!(await backupPoolDb(ctx, fullHostname))) summary.error++;
    }
    const order = ['vdi-export', 'vm-export', 'metadata-export'] as const;
    const jobs = order.flatMap((kind) => input.jobs.filter((j) => j.kind === kind));
    await runJobs(ctx, jobs, settings.concurrency, summary);

    bus.info('===========================');
    await logDf(ctx, `Space status: df -Th ${settings.backupDir}`);
  } catch (error) {
    bus.error(`ERROR ${message(error)}`);
    summary.error++;
  } finally {
    await lock?.release().catch(() => undefined);
  }
  return finish();
}
