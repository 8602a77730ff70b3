// The export step of each kind, snapshot lifecycle included. Every snapshot this run makes
// is removed in a `finally`, whatever happens to the export (failure, XAPI error, abort):
// the original left it behind until the next run.
import type { VmRecords, XapiRecord } from '../pool/xapi';
import { fieldNumber, fieldText, findVdiSnapshotsNamed, findVmSnapshotsNamed } from '../pool/xapi';
import { StepFailure, type BackupJob, type RunContext } from './context';
import { exportFileName, join, lineBreakReason } from './layout';
import { describeXe, vdiSnapshot, vmSnapshot, xe, XeError, xeArgs } from './xe';
import { hostsOfLocalDisks, unreachableExportMessage } from './redirect';
import { verifyDiskImage, verifyXva } from './verify';

export interface ExportResult {
  file: string;
  warnings: string[];
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Removes a snapshot this run made. Retried (XAPI may be restarting, or the export task
 * still winding down), and never given the abort signal: it must run while stopping.
 */
export async function removeSnapshot(ctx: RunContext, args: string[], delaysMs = [1000, 3000, 6000]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await xe(ctx.host, args);
      return;
    } catch (error) {
      if (attempt >= delaysMs.length) throw error;
      await sleep(delaysMs[attempt]!);
    }
  }
}

/** Reports the growing file size about once a second while `work` runs. */
async function withProgress<T>(ctx: RunContext, vm: string, file: string, totalBytes: number | undefined, work: Promise<T>): Promise<T> {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    ctx.host
      .stat(file)
      .then((info) => {
        if (info) ctx.bus.emit({ type: 'progress', vm, bytes: info.size, message: '', ...(totalBytes ? { totalBytes } : {}) });
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, 1000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/** Bytes the export may need: allocated bytes of the disks (virtual size when unknown). */
export function expectedBytes(records: VmRecords, onlyVdi?: XapiRecord): number {
  const vdis = onlyVdi ? [onlyVdi] : records.disks.map((d) => d.vdi).filter((v): v is XapiRecord => v !== undefined);
  return vdis.reduce((sum, vdi) => sum + (fieldNumber(vdi.physical_utilisation) || fieldNumber(vdi.virtual_size)), 0);
}

export async function checkFreeSpace(ctx: RunContext, needed: number): Promise<void> {
  const free = await ctx.host.freeBytes(ctx.settings.backupDir);
  if (free < needed) {
    const gib = (n: number) => (n / 1024 ** 3).toFixed(1);
    throw new StepFailure(
      'NO-SPACE-FAIL',
      `ERROR not enough free space in ${ctx.settings.backupDir}: the export needs about ${gib(needed)} GiB, ${gib(free)} GiB are free`,
    );
  }
}

/** Runs one step of the xe sequence; a failure becomes the status-log record the original writes for it. */
async function failAs<T>(record: string, work: () => Promise<T>, prefix = 'ERROR '): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new StepFailure(record, `${prefix}${message(error)}`);
  }
}

/**
 * Runs the export; `srs` are the storage of the exported disks. xe exiting 0 without a file
 * is the redirect to a host it could not reach (redirect.ts): a failure of this step.
 */
async function runExportCommand(
  ctx: RunContext,
  vm: string,
  args: string[],
  record: string,
  file: string,
  srs: (XapiRecord | undefined)[],
  total?: number,
): Promise<void> {
  ctx.bus.step('export', `cmd: ${describeXe(args)}`, vm);
  const run = () => withProgress(ctx, vm, file, total, ctx.host.xe(args, { signal: ctx.signal }));
  const result = await failAs(record, run);
  if (result.exitCode === 0 && (await ctx.host.exists(file))) return;
  // A download xe could not make: exit 0 with no file (vm-export), CLIENT_ERROR (vdi-export).
  const clientSide = result.exitCode === 0 || /\bCLIENT_ERROR\b/.test(result.stderr);
  if (!clientSide) throw new StepFailure(record, `ERROR ${new XeError(args[0]!, result).message}`);
  const hosts = await hostsOfLocalDisks(ctx.pool, srs).catch(() => []);
  throw new StepFailure(record, unreachableExportMessage(args[0]!, result, hosts, ctx.host.description));
}

async function verifyStep(ctx: RunContext, vm: string, check: () => Promise<void>): Promise<void> {
  ctx.bus.step('verify', 'verifying the export file', vm);
  await failAs('VERIFY-FAIL', check, 'ERROR export file check failed: ');
}

export async function runVmExport(ctx: RunContext, job: BackupJob, records: VmRecords, folder: string, preClean: () => Promise<void>): Promise<ExportResult> {
  const { host, bus } = ctx;
  const vm = job.vm;
  const warnings: string[] = [];
  bus.info('*** vm-export begin xe command sequence', vm);
  bus.info(fieldText(records.vm.power_state).toLowerCase() === 'running' ? 'vm is running' : 'vm is NOT running', vm);

  const snapName = `RESTORE_${vm}`;
  bus.info(`check for prev-vm-snapshot: ${snapName}`, vm);
  for (const old of ctx.records ? ctx.records.vmSnapshotsNamed(snapName) : await findVmSnapshotsNamed(ctx.pool, snapName)) {
    bus.info(`cleanup old-snap-vm-uuid: ${old.uuid}`, vm);
    try {
      await xe(host, xeArgs.vmUninstall(old.uuid));
    } catch (error) {
      warnings.push(`WARNING-ERROR ${message(error)}`);
    }
  }
  await preClean();
  await checkFreeSpace(ctx, expectedBytes(records));

  const file = join(folder, exportFileName(vm, 'vm-export', ctx.settings.compress));
  let snapshot: string | undefined;
  try {
    bus.step('snapshot', `1.cmd: ${describeXe(xeArgs.vmSnapshot(records.vm.uuid, snapName))}`, vm);
    const snap = await failAs('SNAPSHOT-FAIL', () => vmSnapshot(host, records.vm.uuid, snapName, ctx.signal));
    snapshot = snap; // for the clean-up in finally
    bus.info(`snap-uuid: ${snapshot}`, vm);
    bus.step('snapshot', `2.cmd: ${describeXe(xeArgs.templateParamSet(snapshot))}`, vm);
    await failAs('TEMPLATE-PARAM-SET-FAIL', () => xe(host, xeArgs.templateParamSet(snap), { signal: ctx.signal }));
    const srs = records.disks.map((d) => d.sr);
    const exportArgs = xeArgs.vmExport(snapshot, file, ctx.settings.compress);
    await runExportCommand(ctx, vm, exportArgs, 'VM-EXPORT-FAIL', file, srs);
    bus.info('vm-export success', vm);
  } finally {
    if (snapshot !== undefined) {
      bus.step('cleanup', `4.cmd: ${describeXe(xeArgs.vmUninstall(snapshot))}`, vm);
      await removeSnapshot(ctx, xeArgs.vmUninstall(snapshot)).catch((error) => {
        warnings.push(`WARNING ${message(error)}`);
      });
    }
  }
  bus.info('*** vm-export end', vm);
  await verifyStep(ctx, vm, () => verifyXva(host, file, ctx.settings.compress));
  return { file, warnings };
}

export async function runVdiExport(ctx: RunContext, job: BackupJob, records: VmRecords, folder: string, boot: XapiRecord, preClean: () => Promise<void>): Promise<ExportResult> {
  const { host, bus } = ctx;
  const vm = job.vm;
  const warnings: string[] = [];
  const format = ctx.settings.vdiExportFormat;
  bus.info('*** vdi-export begin xe command sequence', vm);
  bus.info(fieldText(records.vm.power_state).toLowerCase() === 'running' ? 'vm is running' : 'vm is NOT running', vm);

  const diskName = lineBreakReason(fieldText(boot.name_label), 'disk');
  if (diskName) throw new StepFailure('ERROR verify_vm_name', `ERROR ${diskName}`);
  const snapName = `SNAP_${vm}_${fieldText(boot.name_label)}`.replace(/ /g, '-');
  bus.info(`check for prev-vdi-snapshot: ${snapName}`, vm);
  for (const old of ctx.records ? ctx.records.vdiSnapshotsNamed(snapName) : await findVdiSnapshotsNamed(ctx.pool, snapName)) {
    bus.info(`cleanup old-snap-vdi-uuid: ${old.uuid}`, vm);
    try {
      await xe(host, xeArgs.vdiDestroy(old.uuid));
    } catch (error) {
      warnings.push(`WARNING ${message(error)}`);
    }
  }
  await preClean();
  const virtualSize = fieldNumber(boot.virtual_size);
  await checkFreeSpace(ctx, format === 'raw' ? virtualSize : expectedBytes(records, boot));

  const file = join(folder, exportFileName(vm, 'vdi-export', format));
  let snapshot: string | undefined;
  try {
    bus.step('snapshot', `2.cmd: ${describeXe(xeArgs.vdiSnapshot(boot.uuid))}`, vm);
    const snap = await failAs('VDI-SNAPSHOT-FAIL', () => vdiSnapshot(host, boot.uuid, ctx.signal));
    snapshot = snap; // for the clean-up in finally
    bus.info(`snap-uuid: ${snapshot}`, vm);
    bus.step('snapshot', `3.cmd: ${describeXe(xeArgs.vdiParamSet(snapshot, snapName))}`, vm);
    await failAs('VDI-PARAM-SET-FAIL', () => xe(host, xeArgs.vdiParamSet(snap, snapName), { signal: ctx.signal }));
    const srs = records.disks.filter((d) => d.vdi?.uuid === boot.uuid).map((d) => d.sr);
    const exportArgs = xeArgs.vdiExport(snapshot, file, format);
    await runExportCommand(ctx, vm, exportArgs, 'VDI-EXPORT-FAIL', file, srs, virtualSize);
    bus.info('vdi-export success', vm);
  } finally {
    if (snapshot !== undefined) {
      bus.step('cleanup', `5.cmd: ${describeXe(xeArgs.vdiDestroy(snapshot))}`, vm);
      await removeSnapshot(ctx, xeArgs.vdiDestroy(snapshot)).catch((error) => {
        warnings.push(`WARNING ${message(error)}`);
      });
    }
  }
  bus.info('*** vdi-export end', vm);
  await verifyStep(ctx, vm, () => verifyDiskImage(host, file, format, virtualSize));
  return { file, warnings };
}

export async function runMetadataExport(ctx: RunContext, job: BackupJob, records: VmRecords, folder: string, preClean: () => Promise<void>): Promise<ExportResult> {
  const vm = job.vm;
  ctx.bus.info('*** metadata-export begin xe command sequence', vm);
  await preClean();
  const file = join(folder, exportFileName(vm, 'metadata-export', 'none'));
  await runExportCommand(ctx, vm, xeArgs.metadataExport(records.vm.uuid, file), 'METADATA-EXPORT-FAIL', file, []);
  ctx.bus.info('*** metadata-export end', vm);
  await verifyStep(ctx, vm, () => verifyXva(ctx.host, file, 'none'));
  return { file, warnings: [] };
}
