// The export step of each kind, snapshot lifecycle included. Every snapshot this run makes
// is known before its xe call returns (the call is never cut short) and removed in a
// `finally`, whatever happens to the export (failure, XAPI error, abort): the original left it
// behind until the next run. A removal that fails is reported at once, never swallowed.
import type { VmRecords, XapiRecord } from '../pool/xapi';
import { fieldNumber, fieldText } from '../pool/xapi';
import { retryWhileBusy } from './busy';
import { StepFailure, type BackupJob, type RunContext } from './context';
import { exportFileName, lineBreakReason, pathsOf } from './layout';
import { hostsOfLocalDisks, unreachableExportMessage } from './redirect';
import {
  busyRetry,
  claimSnapshot,
  removableLeftovers,
  removeSnapshot,
  snapshotDisks,
  stillThere,
  takeSnapshot,
  vmSnapshotRemoval,
} from './snapshot-ops';
import { describeXe, powerStateEcho, vdiSnapshot, vmSnapshot, xe, XeError, xeArgs } from './xe';
import { verifyDiskImage, verifyXva } from './verify';
import { formatBytes } from './units';

export interface ExportResult {
  file: string;
  warnings: string[];
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Reports the growing file size about once a second while `work` runs. */
async function withProgress<T>(
  ctx: RunContext,
  vm: string,
  file: string,
  totalBytes: number | undefined,
  work: Promise<T>,
): Promise<T> {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    ctx.host
      .stat(file)
      .then((info) => {
        if (info)
          ctx.bus.emit({ type: 'progress', vm, bytes: info.size, message: '', ...(totalBytes ? { totalBytes } : {}) });
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
    throw new StepFailure(
      'NO-SPACE-FAIL',
      `ERROR not enough free space in ${ctx.settings.backupDir}: ` +
        `the export needs about ${formatBytes(needed)}, ${formatBytes(free)} are free`,
    );
  }
}

/** Runs one step of the xe sequence; a failure becomes the status-log record the original writes for it. */
async function failAs<T>(record: string, work: () => Promise<T>, prefix = 'ERROR '): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const detail = error instanceof XeError ? error.detail : undefined;
    throw new StepFailure(record, `${prefix}${message(error)}`, detail);
  }
}

/**
 * A failed step is logged at once, as the original did (`ERROR <cmd>` right after xe's
 * output), so the snapshot removal that follows comes after it in the log.
 */
function reportFailure(ctx: RunContext, vm: string, error: unknown): void {
  if (!(error instanceof StepFailure) || error.reported || ctx.signal.aborted) return;
  ctx.bus.emit({ type: 'error', message: error.message, vm, ...(error.detail ? { detail: error.detail } : {}) });
  error.reported = true;
}

/** The original's `vm is running` check, with the line its `xe vm-list ... | grep running` printed. */
function logPowerState(ctx: RunContext, vm: string, records: VmRecords): void {
  const running = fieldText(records.vm.power_state).toLowerCase() === 'running';
  for (const line of powerStateEcho(running)) ctx.bus.info(line, vm);
  ctx.bus.info(running ? 'vm is running' : 'vm is NOT running', vm);
}

/**
 * Runs the export; `srs` are the storage of the exported disks. A busy VM fails the export
 * before any byte, and a retry starts from no file (xe creates it O_EXCL). xe exiting 0 without
 * a file is the redirect to a host it could not reach (redirect.ts): a failure of this step.
 */
async function runExportCommand(
  ctx: RunContext,
  vm: string,
  label: string,
  args: string[],
  record: string,
  file: string,
  srs: (XapiRecord | undefined)[],
  total?: number,
): Promise<void> {
  ctx.bus.step('export', `${label}: ${describeXe(args)}`, vm);
  const retry = busyRetry(ctx, vm, ctx.signal, () => ctx.host.remove(file));
  const result = await failAs(record, () =>
    retryWhileBusy(`export of ${vm}`, retry, async () => {
      const attempt = await withProgress(ctx, vm, file, total, ctx.host.xe(args, { signal: ctx.signal }));
      // A download xe could not make: exit 0 with no file (vm-export), CLIENT_ERROR (vdi-export).
      const clientSide = attempt.exitCode === 0 || /\bCLIENT_ERROR\b/.test(attempt.stderr);
      if (!clientSide) throw new XeError(args, attempt);
      return attempt;
    }),
  );
  if (result.exitCode === 0 && (await ctx.host.exists(file))) return;
  const hosts = await hostsOfLocalDisks(ctx.pool, srs).catch(() => []);
  throw new StepFailure(record, unreachableExportMessage(args[0]!, result, hosts, ctx.host.description));
}

/** Removes a snapshot this run made; a failure is an ERROR line now and a leak in the run's summary. */
async function removeOwnSnapshot(
  ctx: RunContext,
  vm: string,
  step: string,
  args: string[],
  label: string,
  warnings: string[],
): Promise<void> {
  const uuid = args[1]?.replace(/^uuid=/, '') ?? '';
  const leak = (what: string, id: string, command: string, error: unknown) => {
    ctx.leaks.push(`${what} ${id}`);
    ctx.bus.error(`ERROR ${what} (${id}) was NOT removed: ${message(error)}`, vm);
    const force = command === 'vdi-destroy' ? '' : ' force=true';
    warnings.push(`WARNING ${what} (${id}) left on the pool: remove it with xe ${command} uuid=${id}${force}`);
  };
  const isVm = args[0] !== 'vdi-destroy';
  const disks = isVm ? await snapshotDisks(ctx, uuid) : [];
  ctx.bus.step('cleanup', `${step}: ${describeXe(args)}`, vm);
  let failure: unknown;
  await removeSnapshot(ctx, args, vm).catch((error: unknown) => (failure = error));
  if (failure !== undefined && (!isVm || (await stillThere(ctx, 'VM', [uuid])).length > 0)) {
    return leak(`snapshot ${label}`, uuid, args[0]!, failure);
  }
  // xapi's uninstall destroys the VM record first, then each disk: a storage error in between
  // leaves unnamed snapshot disks no later name lookup finds. Remove them now, by uuid.
  for (const disk of await stillThere(ctx, 'VDI', disks)) {
    ctx.bus.info(`removing disk ${disk} of snapshot ${label}, left by a partial uninstall`, vm);
    await removeSnapshot(ctx, xeArgs.vdiDestroy(disk), vm).catch((error: unknown) =>
      leak(`disk of snapshot ${label}`, disk, 'vdi-destroy', error),
    );
  }
}

/** Leaves the step with `error` when the run is stopping (after the snapshot is registered). */
function stopIfAborted(ctx: RunContext): void {
  if (ctx.signal.aborted) throw new Error('the run was stopped');
}

/**
 * A damaged export file is a failed export: the record is the export's own (VM-EXPORT-FAIL,
 * ...), as for any other way the export can fail, and no success marker follows.
 */
async function verifyStep(ctx: RunContext, vm: string, record: string, check: () => Promise<string>): Promise<void> {
  ctx.bus.step('verify', 'verifying the export file', vm);
  ctx.bus.info(`export file check: ${await failAs(record, check, 'ERROR export file check failed: ')}`, vm);
}

export async function runVmExport(
  ctx: RunContext,
  job: BackupJob,
  records: VmRecords,
  vmRef: string,
  folder: string,
  preClean: () => Promise<void>,
): Promise<ExportResult> {
  const { host, bus } = ctx;
  const vm = job.vm;
  const warnings: string[] = [];
  bus.info('*** vm-export begin xe command sequence', vm);
  logPowerState(ctx, vm, records);

  const snapName = `RESTORE_${vm}`;
  bus.info(`check for prev-vm-snapshot: ${snapName}`, vm);
  for (const old of await removableLeftovers(ctx, 'VM', snapName, vmRef, vm)) {
    bus.info(`cleanup old-snap-vm-uuid: ${old.uuid}`, vm);
    bus.step('cleanup', `cmd: ${describeXe(xeArgs.snapshotUninstall(old.uuid))}`, vm);
    try {
      // A leftover of a killed run is still flagged as a template: vm-uninstall would not find it.
      await removeSnapshot(ctx, xeArgs.snapshotUninstall(old.uuid), vm);
    } catch (error) {
      warnings.push(`WARNING-ERROR ${message(error)}`);
    }
  }
  await preClean();
  await checkFreeSpace(ctx, expectedBytes(records));

  const file = pathsOf(ctx.host).join(folder, exportFileName(vm, 'vm-export', ctx.settings.compress));
  let snapshot: string | undefined;
  let stillTemplate = true;
  let stopLease = () => undefined as void;
  try {
    bus.step('snapshot', `1.cmd: ${describeXe(xeArgs.vmSnapshot(records.vm.uuid, snapName))}`, vm);
    const make = () => vmSnapshot(host, records.vm.uuid, snapName);
    const snap = await failAs('SNAPSHOT-FAIL', () => takeSnapshot(ctx, vm, `snapshot of ${vm}`, make));
    snapshot = snap; // for the clean-up in finally
    bus.info(`snap-uuid: ${snapshot}`, vm);
    stopLease = await claimSnapshot(ctx, 'VM', snap, vm);
    stopIfAborted(ctx);
    bus.step('snapshot', `2.cmd: ${describeXe(xeArgs.templateParamSet(snapshot))}`, vm);
    await failAs('TEMPLATE-PARAM-SET-FAIL', () => xe(host, xeArgs.templateParamSet(snap), { signal: ctx.signal }));
    stillTemplate = false;
    const srs = records.disks.map((d) => d.sr);
    await runExportCommand(
      ctx,
      vm,
      '3.cmd',
      xeArgs.vmExport(snapshot, file, ctx.settings.compress),
      'VM-EXPORT-FAIL',
      file,
      srs,
    );
    bus.info('vm-export success', vm);
  } catch (error) {
    reportFailure(ctx, vm, error);
    throw error;
  } finally {
    stopLease();
    if (snapshot !== undefined) {
      await removeOwnSnapshot(ctx, vm, '4.cmd', vmSnapshotRemoval(snapshot, stillTemplate), snapName, warnings);
    }
  }
  bus.info('*** vm-export end', vm);
  await verifyStep(ctx, vm, 'VM-EXPORT-FAIL', () =>
    verifyXva(host, file, ctx.settings.compress, { signal: ctx.signal }),
  );
  return { file, warnings };
}

export async function runVdiExport(
  ctx: RunContext,
  job: BackupJob,
  records: VmRecords,
  folder: string,
  boot: XapiRecord,
  bootRef: string,
  preClean: () => Promise<void>,
): Promise<ExportResult> {
  const { host, bus } = ctx;
  const vm = job.vm;
  const warnings: string[] = [];
  const format = ctx.settings.vdiExportFormat;
  bus.info('*** vdi-export begin xe command sequence', vm);
  logPowerState(ctx, vm, records);
  bus.step('check', `1.cmd: ${describeXe(xeArgs.vdiList(boot.uuid))}`, vm);
  try {
    await failAs('VDI-LIST-FAIL', () => xe(host, xeArgs.vdiList(boot.uuid), { signal: ctx.signal }));
  } catch (error) {
    reportFailure(ctx, vm, error);
    throw error;
  }

  const diskName = lineBreakReason(fieldText(boot.name_label), 'disk');
  if (diskName) throw new StepFailure('ERROR verify_vm_name', `ERROR ${diskName}`);
  const snapName = `SNAP_${vm}_${fieldText(boot.name_label)}`.replace(/ /g, '-');
  bus.info(`check for prev-vdi-snapshot: ${snapName}`, vm);
  for (const old of await removableLeftovers(ctx, 'VDI', snapName, bootRef, vm)) {
    bus.info(`cleanup old-snap-vdi-uuid: ${old.uuid}`, vm);
    bus.step('cleanup', `cmd: ${describeXe(xeArgs.vdiDestroy(old.uuid))}`, vm);
    try {
      await removeSnapshot(ctx, xeArgs.vdiDestroy(old.uuid), vm);
    } catch (error) {
      warnings.push(`WARNING ${message(error)}`);
    }
  }
  await preClean();
  const virtualSize = fieldNumber(boot.virtual_size);
  await checkFreeSpace(ctx, format === 'raw' ? virtualSize : expectedBytes(records, boot));

  const file = pathsOf(ctx.host).join(folder, exportFileName(vm, 'vdi-export', format));
  let snapshot: string | undefined;
  let stopLease = () => undefined as void;
  try {
    bus.step('snapshot', `2.cmd: ${describeXe(xeArgs.vdiSnapshot(boot.uuid))}`, vm);
    const make = () => vdiSnapshot(host, boot.uuid);
    const snap = await failAs('VDI-SNAPSHOT-FAIL', () => takeSnapshot(ctx, vm, `snapshot of ${vm}`, make));
    snapshot = snap; // for the clean-up in finally
    bus.info(`snap-uuid: ${snapshot}`, vm);
    stopLease = await claimSnapshot(ctx, 'VDI', snap, vm);
    stopIfAborted(ctx);
    bus.step('snapshot', `3.cmd: ${describeXe(xeArgs.vdiParamSet(snapshot, snapName))}`, vm);
    await failAs('VDI-PARAM-SET-FAIL', () => xe(host, xeArgs.vdiParamSet(snap, snapName), { signal: ctx.signal }));
    const srs = records.disks.filter((d) => d.vdi?.uuid === boot.uuid).map((d) => d.sr);
    await runExportCommand(
      ctx,
      vm,
      '4.cmd',
      xeArgs.vdiExport(snapshot, file, format),
      'VDI-EXPORT-FAIL',
      file,
      srs,
      virtualSize,
    );
    bus.info('vdi-export success', vm);
  } catch (error) {
    reportFailure(ctx, vm, error);
    throw error;
  } finally {
    stopLease();
    if (snapshot !== undefined) {
      await removeOwnSnapshot(ctx, vm, '5.cmd', xeArgs.vdiDestroy(snapshot), snapName, warnings);
    }
  }
  bus.info('*** vdi-export end', vm);
  await verifyStep(ctx, vm, 'VDI-EXPORT-FAIL', () =>
    verifyDiskImage(host, file, format, virtualSize, { signal: ctx.signal }),
  );
  return { file, warnings };
}

export async function runMetadataExport(
  ctx: RunContext,
  job: BackupJob,
  records: VmRecords,
  folder: string,
  preClean: () => Promise<void>,
): Promise<ExportResult> {
  const vm = job.vm;
  ctx.bus.info('*** metadata-export begin xe command sequence', vm);
  await preClean();
  const file = pathsOf(ctx.host).join(folder, exportFileName(vm, 'metadata-export', 'none'));
  await runExportCommand(
    ctx,
    vm,
    'cmd',
    xeArgs.metadataExport(records.vm.uuid, file),
    'METADATA-EXPORT-FAIL',
    file,
    [],
  );
  ctx.bus.info('*** metadata-export end', vm);
  await verifyStep(ctx, vm, 'METADATA-EXPORT-FAIL', () =>
    verifyXva(ctx.host, file, 'none', { metadataOnly: true, signal: ctx.signal }),
  );
  return { file, warnings: [] };
}
