// One VM's backup, from name check to status-log record (vmbackup-behaviour.md §5). Any
// failure removes the new backup folder, so nothing half-written is ever left to look like
// a backup; only a verified file gets a `success` marker.
import { isHostError } from '../host/errors';
import { findVmsNamed, loadVmRecords, fieldBool, type VmRecords } from '../pool/xapi';
import { StepFailure, type BackupJob, type RunContext } from './context';
import type { Outcome } from './events';
import { backupFolderName, LARGE_FILE_BYTES, pathsOf, vmNameRefusal } from './layout';
import { bootDisk, writeMetadata } from './metadata';
import { selectableVms } from '../pool/inventory';
import {
  foldersToDelete,
  lastFailedFolder,
  nextRunDeletions,
  readBackupFolders,
  type BackupFolder,
  type NextRunDeletion,
} from './retention';
import { runMetadataExport, runVdiExport, runVmExport, type ExportResult } from './exports';
import { elapseSize } from './statusLog';
import { echoXeOutput } from './xe';

export interface JobResult {
  outcome: Outcome;
  bytes: number;
  folder?: string;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function findTheVm(ctx: RunContext, job: BackupJob): Promise<{ ref: string; records: VmRecords }> {
  const cached = ctx.records?.vmsNamed(job.vm);
  const named = (cached && cached.length > 0 ? cached : await findVmsNamed(ctx.pool, job.vm)).filter(
    (f) => !fieldBool(f.record.is_a_snapshot),
  );
  if (named.length > 1) {
    ctx.bus.error(`ERROR: duplicate VM name found: ${job.vm} | [${named.map((n) => `'${n.ref}'`).join(', ')}]`, job.vm);
    throw new StepFailure('ERROR verify_vm_name', `verify_vm_name: ERROR more than one vm with the name ${job.vm}`);
  }
  if (named.length === 0) {
    throw new StepFailure('ERROR verify_vm_name', `verify_vm_name: ERROR no machines found with the name ${job.vm}`);
  }
  const poolNames = ctx.records ? selectableVms(ctx.records.inventory()).map((v) => v.name) : [];
  const unsafe = vmNameRefusal(job.vm, ctx.host.nameRules, poolNames);
  if (unsafe) throw new StepFailure('ERROR verify_vm_name', `ERROR ${unsafe}`);
  const { ref, record } = named[0]!;
  return { ref, records: ctx.records?.vmRecords(ref) ?? (await loadVmRecords(ctx.pool, ref, record)) };
}

/**
 * Retention of one VM folder down to `keep` backups; returns what remains. `inProgress` (pre_clean)
 * is left out of the count; `current`, the backup this job just made, counts and is never deleted.
 */
async function applyRetention(
  ctx: RunContext,
  vmDir: string,
  keep: number,
  vm: string,
  inProgress?: string,
  current?: string,
): Promise<BackupFolder[]> {
  const { basename, join } = pathsOf(ctx.host);
  const folders = (await readBackupFolders(ctx.host, vmDir)).filter((f) => join(vmDir, f.name) !== inProgress);
  const remove = new Set(foldersToDelete(folders, keep, current === undefined ? undefined : basename(current)));
  for (const name of remove) {
    ctx.bus.step('retention', `Deleting oldest backup ${vmDir}/${name} `, vm);
    await ctx.host.remove(join(vmDir, name));
  }
  return folders.filter((f) => !remove.has(f.name));
}

async function newBackupFolder(ctx: RunContext, vmDir: string, existing: ReadonlySet<string>): Promise<string> {
  // Two jobs of the same VM within one second (metadata-export after vm-export): wait for
  // the next second rather than mixing two backups in one folder.
  for (let attempt = 0; attempt < 3; attempt++) {
    const name = backupFolderName(ctx.now(), ctx.host.nameRules);
    if (!existing.has(name)) {
      const folder = pathsOf(ctx.host).join(vmDir, name);
      await ctx.host.mkdir(folder);
      return folder;
    }
    await sleep(1000 - (ctx.now().getTime() % 1000) + 5);
  }
  throw new StepFailure('ERROR backup folder', `ERROR cannot create a new backup folder in ${vmDir}`);
}

const DRY_RUN_DELETION: Record<NextRunDeletion['reason'], string> = {
  'last-failed': 'last unsuccessful backup',
  'pre-clean': 'oldest backup (pre_clean, before the export)',
  retention: 'oldest backup',
};

async function planDryRun(ctx: RunContext, job: BackupJob, vmDir: string): Promise<JobResult> {
  const existing = (await ctx.host.exists(vmDir)) ? await readBackupFolders(ctx.host, vmDir) : [];
  // The name the run would take: a name already there waits for the next second (newBackupFolder).
  const taken = new Set(existing.map((f) => f.name));
  let at = ctx.now().getTime();
  while (taken.has(backupFolderName(new Date(at), ctx.host.nameRules))) at += 1000;
  const name = backupFolderName(new Date(at), ctx.host.nameRules);
  ctx.bus.info(`[dry-run] would create ${pathsOf(ctx.host).join(vmDir, name)}`, job.vm);
  ctx.bus.info(`[dry-run] would ${job.kind} ${job.vm} (snapshot, export, verify, success marker)`, job.vm);
  // The same steps as the run below (and `vmbackup list`'s marks): last failed, pre_clean, retention.
  for (const old of nextRunDeletions(existing, job.maxBackups, name, ctx.settings.preClean)) {
    ctx.bus.info(`[dry-run] would delete ${DRY_RUN_DELETION[old.reason]} ${vmDir}/${old.name}`, job.vm);
  }
  return { outcome: 'success', bytes: 0 };
}

export async function runJob(ctx: RunContext, job: BackupJob, index: number, total: number): Promise<JobResult> {
  // Every xe call of this VM logs its output line by line, as the original's run_log_out_wait_rc.
  ctx = { ...ctx, host: echoXeOutput(ctx.host, (line) => ctx.bus.info(line, job.vm)) };
  const { bus, host, status } = ctx;
  const { join } = pathsOf(host);
  const vm = job.vm;
  const started = Date.now();
  bus.emit({ type: 'vm-start', vm, kind: job.kind, index, total, message: `*** ${job.kind} begin ${job.label}` });
  bus.info(`${job.kind} - vm_name: ${vm} max_backups: ${job.maxBackups}`, vm);
  await status.vmBegin(job.kind, vm);

  const warnings: string[] = [];
  let folder: string | undefined;
  let complete = false;
  let result: JobResult;
  try {
    const { ref, records } = await findTheVm(ctx, job);
    const vmDir = join(ctx.settings.backupDir, vm);
    if (ctx.settings.dryRun) {
      result = await planDryRun(ctx, job, vmDir);
    } else {
      await host.mkdir(vmDir);
      bus.step('check', `Check for last **unsuccessful** backup: ${vmDir}`, vm);
      const existing = await readBackupFolders(host, vmDir);
      const failed = lastFailedFolder(existing);
      if (failed) {
        bus.info(`Delete last **unsuccessful** backup ${vmDir}/${failed} `, vm);
        await host.remove(join(vmDir, failed));
      }
      folder = await newBackupFolder(ctx, vmDir, new Set(existing.map((f) => f.name)));
      bus.step('folder', `new backup_dir: ${folder}`, vm);

      const boot = job.kind === 'vdi-export' ? bootDisk(records) : undefined;
      bus.step('metadata', 'gathering VM metadata', vm);
      const meta = await writeMetadata(
        host,
        folder,
        () => ctx.pool.exportMetadata(ref),
        records,
        (m) => bus.info(m, vm),
        ctx.signal,
      );
      for (const w of meta.warnings) warnings.push(`WARNING gather_vm_meta: ${w}`);

      const preClean = async () => {
        if (!ctx.settings.preClean) return;
        const keep = job.maxBackups - 1;
        bus.info(`success identifying directory : ${vmDir} `, vm);
        bus.info(`pre_VM_max_backups: ${keep} `, vm);
        if (keep < 1) bus.info(`No pre_cleanup needed for ${vmDir} `, vm);
        else await applyRetention(ctx, vmDir, keep, vm, folder);
      };
      let exported: ExportResult;
      if (job.kind === 'vm-export') exported = await runVmExport(ctx, job, records, ref, folder, preClean);
      else if (job.kind === 'metadata-export') exported = await runMetadataExport(ctx, job, records, folder, preClean);
      else {
        if (!boot) throw new StepFailure('ERROR xvda-uuid not found', 'ERROR gather_vm_meta has no xvda-uuid');
        exported = await runVdiExport(ctx, job, records, folder, boot.vdi, boot.ref, preClean);
      }
      warnings.push(...exported.warnings);

      const bytes = (await host.stat(exported.file))?.size ?? 0;
      const gib = Math.floor(bytes / 1024 ** 3);
      const marker = bytes > LARGE_FILE_BYTES ? 'success_compress' : 'success';
      if (marker === 'success_compress') bus.info(`*** LARGE FILE > 60G: ${exported.file} : ${gib}G`, vm);
      await host.writeFile(join(folder, marker), '');
      complete = true;
      bus.info(`*** ${marker}: ${exported.file} : ${gib}G`, vm);

      const history = await applyRetention(ctx, vmDir, job.maxBackups, vm, undefined, folder);
      const unsuccessful = history.filter((f) => !f.successful);
      for (const f of unsuccessful) bus.info(`WARNING: directory not successful - ${f.name}`, vm);
      if (unsuccessful.length > 0) warnings.push('WARNING cleanup needed - not all backup history is successful');
      result = { outcome: warnings.length > 0 ? 'warning' : 'success', bytes, folder };
    }
  } catch (error) {
    const aborted = ctx.signal.aborted;
    const record = aborted
      ? 'INTERRUPTED'
      : error instanceof StepFailure
        ? error.record
        : isHostError(error)
          ? 'ERROR file-operation'
          : 'ERROR';
    const text = aborted ? `ERROR ${job.kind} of ${vm} interrupted: ${message(error)}` : message(error);
    for (const w of warnings) bus.warning(w, vm);
    if (!(error instanceof StepFailure && error.reported)) bus.error(text, vm);
    if (folder !== undefined && !complete) {
      bus.step('cleanup', `removing incomplete backup folder ${folder}`, vm);
      await host
        .remove(folder)
        .catch((e) => bus.warning(`WARNING cannot remove incomplete backup folder ${folder}: ${message(e)}`, vm));
    }
    await status.vmEnd(job.kind, `${record} ${vm}`);
    result = { outcome: 'error', bytes: 0 };
    bus.emit({
      type: 'vm-end',
      vm,
      kind: job.kind,
      outcome: 'error',
      bytes: 0,
      elapsedMs: Date.now() - started,
      message: `VmBackup ${job.kind} ${vm} - ***ERROR*** t:${Math.floor((Date.now() - started) / 60000)}`,
    });
    return result;
  }

  const elapsed = Date.now() - started;
  const minutes = Math.floor(elapsed / 60000);
  for (const w of warnings) bus.warning(w, vm);
  const word = result.outcome === 'success' ? 'SUCCESS' : 'WARNING';
  if (!ctx.settings.dryRun) await status.vmEnd(job.kind, `${word} ${vm},${elapseSize(elapsed, result.bytes)}`);
  bus.emit({
    type: 'vm-end',
    vm,
    kind: job.kind,
    outcome: result.outcome,
    bytes: result.bytes,
    elapsedMs: elapsed,
    ...(result.folder ? { folder: result.folder } : {}),
    message:
      `VmBackup ${job.kind} ${vm} - ${result.outcome === 'success' ? '***Success***' : '***WARNING***'}` +
      ` t:${minutes}`,
  });
  return result;
}
