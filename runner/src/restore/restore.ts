// Restores one backup folder into the pool, through `xe` on the Host (local, off-host or ssh):
//  - vm-export (.xva, .xva.gz, .xva.zst): `xe vm-import`, then the new VM is named;
//  - metadata-export (.xva holding ova.xml only): `xe vm-import metadata=true`;
//  - vdi-export (.raw, .vhd): the original README's manual procedure, automated: vdi-create of
//    the recorded virtual_size, vdi-import of the image, and (unless --disk-only) a VM made
//    from vm-metadata.xml without disks, to which the new disk is attached with vbd-create.
// An existing VM is never touched: a name already in use stops the restore before any change.
import { randomBytes } from 'node:crypto';
import { xe, XeError } from '../backup/xe';
import type { EventBus } from '../backup/events';
import type { Host } from '../host/types';
import type { BackupFolder, DiskConfig } from './folder';
import { ovaTar, withoutDisks } from './metadata-xva';
import { minimalList, printXe, restoreArgs, UUID, xeUuid } from './xe-steps';

export interface RestoreOptions {
  /** Name of the new VM. */
  name: string;
  sr?: string;
  preserve: boolean;
  start: boolean;
  diskOnly: boolean;
  dryRun: boolean;
}

export interface RestoreResult {
  newUuid?: string;
  vdiUuid?: string;
  started: boolean;
}

/** A restore that cannot go on: the message says why and what to do. */
export class RestoreError extends Error {
  override readonly name = 'RestoreError';
}

export interface RestoreContext {
  host: Host;
  bus: EventBus;
  signal: AbortSignal;
}

function quoted(name: string): string {
  return JSON.stringify(name);
}

/** Every VM (not template, not snapshot) already named `name`. */
export async function vmsNamed(ctx: RestoreContext, name: string): Promise<string[]> {
  return minimalList(await xe(ctx.host, restoreArgs.vmListByName(name), { signal: ctx.signal }));
}

async function refuseNameClash(ctx: RestoreContext, name: string): Promise<void> {
  const clash = await vmsNamed(ctx, name);
  if (clash.length > 0) {
    throw new RestoreError(
      `a VM named ${quoted(name)} already exists (uuid ${clash.join(', ')}): restore never replaces or changes ` +
        'an existing VM; choose another name with --name NEW_NAME',
    );
  }
}

async function resolveSr(ctx: RestoreContext, sr: string): Promise<string> {
  const found = minimalList(
    await xe(ctx.host, UUID.test(sr) ? restoreArgs.srByUuid(sr) : restoreArgs.srByName(sr), { signal: ctx.signal }),
  );
  if (found.length === 0) throw new RestoreError(`--sr ${quoted(sr)}: no SR with this uuid or name in the pool`);
  if (found.length > 1) throw new RestoreError(`--sr ${quoted(sr)}: ${found.length} SRs have this name; give its uuid`);
  return found[0]!;
}

async function defaultSr(ctx: RestoreContext): Promise<string> {
  const [sr] = minimalList(await xe(ctx.host, restoreArgs.defaultSr(), { signal: ctx.signal }));
  if (!sr || !UUID.test(sr)) throw new RestoreError('the pool has no default SR: give the SR with --sr SR');
  return sr;
}

/** Logs a step (and only logs it under --dry-run); runs it otherwise. */
async function step<T>(ctx: RestoreContext, dryRun: boolean, id: string, args: string[], run: () => Promise<T>) {
  ctx.bus.step(id, `${dryRun ? '[dry-run] would run: ' : ''}${printXe(args)}`);
  return dryRun ? undefined : run();
}

async function nameAndStart(
  ctx: RestoreContext,
  vm: string | undefined,
  options: RestoreOptions,
): Promise<{ started: boolean }> {
  const target = vm ?? '<new-vm-uuid>';
  await step(ctx, options.dryRun, 'rename', restoreArgs.rename(target, options.name), () =>
    xe(ctx.host, restoreArgs.rename(target, options.name), { signal: ctx.signal }),
  );
  if (!options.start) return { started: false };
  await step(ctx, options.dryRun, 'start', restoreArgs.vmStart(target), () =>
    xe(ctx.host, restoreArgs.vmStart(target), { signal: ctx.signal }),
  );
  return { started: !options.dryRun };
}

async function importVm(ctx: RestoreContext, backup: BackupFolder, options: RestoreOptions): Promise<RestoreResult> {
  const srUuid = options.sr ? await resolveSr(ctx, options.sr) : undefined;
  const metadata = backup.kind === 'metadata-export';
  const args = restoreArgs.vmImport(backup.file, {
    ...(srUuid && !metadata ? { srUuid } : {}),
    preserve: options.preserve,
    metadata,
  });
  if (metadata && srUuid) ctx.bus.info('note: --sr is not used: a metadata import makes no disks');
  const newUuid = await step(ctx, options.dryRun, 'import', args, () => xeUuid(ctx.host, args, ctx.signal));
  if (newUuid) ctx.bus.info(`imported VM ${newUuid}`);
  try {
    const { started } = await nameAndStart(ctx, newUuid, options);
    return { ...(newUuid ? { newUuid } : {}), started };
  } catch (error) {
    if (newUuid) {
      ctx.bus.error(
        `ERROR the imported VM ${newUuid} is left in the pool under the backup's name ${quoted(backup.vm)}: ` +
          'rename or remove it',
      );
    }
    throw error;
  }
}

/** The disk a vdi-export backed up: DISK-xvda, else the one with userdevice 0 (exports.ts, bootDisk). */
function exportedDisk(backup: BackupFolder): DiskConfig {
  const disk =
    backup.disks.find((d) => d.device === 'xvda') ??
    backup.disks.find((d) => d.vbd.userdevice === '0') ??
    (backup.disks.length === 1 ? backup.disks[0] : undefined);
  if (!disk) throw new RestoreError(`${backup.folder} has no DISK-xvda/vdi.cfg: the disk's size is unknown`);
  if (!/^\d+$/.test(disk.vdi.virtual_size ?? '')) {
    throw new RestoreError(`DISK-${disk.device}/vdi.cfg of ${backup.folder} has no virtual_size`);
  }
  return disk;
}

/** Temporary file on the target for the disk-less metadata import; removed in finally. */
function temporaryXva(): string {
  return `/tmp/vmbackup-restore-${randomBytes(8).toString('hex')}.xva`;
}

async function restoreDisk(ctx: RestoreContext, backup: BackupFolder, options: RestoreOptions): Promise<RestoreResult> {
  const disk = exportedDisk(backup);
  const format = backup.format as 'raw' | 'vhd';
  if (!options.diskOnly && backup.metadataXml === undefined) {
    throw new RestoreError(
      `${backup.folder} has no vm-metadata.xml to make the VM from: restore the disk alone with --disk-only`,
    );
  }
  // Prove the metadata usable before anything is created.
  const bareVm = options.diskOnly ? undefined : withoutDisks(backup.metadataXml!);
  const srUuid = options.sr ? await resolveSr(ctx, options.sr) : await defaultSr(ctx);
  const vdiName = disk.vdi.name_label || `${backup.vm} ${disk.device}`;
  const vdiType = disk.vdi.type || 'system';
  const createArgs = restoreArgs.vdiCreate(srUuid, vdiName, vdiType, disk.vdi.virtual_size!);
  const vdiUuid = await step(ctx, options.dryRun, 'vdi-create', createArgs, () =>
    xeUuid(ctx.host, createArgs, ctx.signal),
  );
  const vdi = vdiUuid ?? '<new-vdi-uuid>';
  const importArgs = restoreArgs.vdiImport(vdi, backup.file, format);
  let vmUuid: string | undefined;
  try {
    await step(ctx, options.dryRun, 'vdi-import', importArgs, () => xe(ctx.host, importArgs, { signal: ctx.signal }));
    if (options.diskOnly) {
      if (vdiUuid) ctx.bus.info(`disk restored as VDI ${vdiUuid} (${quoted(vdiName)}), not attached to any VM`);
      return { ...(vdiUuid ? { vdiUuid } : {}), started: false };
    }
    const file = temporaryXva();
    const vmArgs = restoreArgs.vmImport(file, { preserve: options.preserve, metadata: true });
    ctx.bus.info(`${options.dryRun ? '[dry-run] would write' : 'writing'} ${file}: vm-metadata.xml without its disks`);
    try {
      vmUuid = await step(ctx, options.dryRun, 'import', vmArgs, async () => {
        await ctx.host.writeFile(file, ovaTar(bareVm!, Date.now() / 1000));
        return xeUuid(ctx.host, vmArgs, ctx.signal);
      });
    } finally {
      if (!options.dryRun) await ctx.host.remove(file).catch(() => undefined);
    }
    const vm = vmUuid ?? '<new-vm-uuid>';
    const vbdArgs = restoreArgs.vbdCreate(
      vm,
      vdi,
      disk.vbd.userdevice || '0',
      disk.vbd.bootable !== 'False',
      disk.vbd.mode === 'RO' ? 'RO' : 'RW',
    );
    await step(ctx, options.dryRun, 'vbd-create', vbdArgs, () => xeUuid(ctx.host, vbdArgs, ctx.signal));
    const { started } = await nameAndStart(ctx, vmUuid, options);
    return { ...(vmUuid ? { newUuid: vmUuid } : {}), ...(vdiUuid ? { vdiUuid } : {}), started };
  } catch (error) {
    // What this restore made and did not finish is removed again; nothing else is touched.
    if (vmUuid) await xe(ctx.host, restoreArgs.vmUninstall(vmUuid)).catch(() => undefined);
    if (vdiUuid) await xe(ctx.host, restoreArgs.vdiDestroy(vdiUuid)).catch(() => undefined);
    if (vdiUuid) ctx.bus.info(`removed the unfinished restore (VDI ${vdiUuid}${vmUuid ? `, VM ${vmUuid}` : ''})`);
    throw error;
  }
}

export async function restoreBackup(
  ctx: RestoreContext,
  backup: BackupFolder,
  options: RestoreOptions,
): Promise<RestoreResult> {
  if (!(backup.kind === 'vdi-export' && options.diskOnly)) await refuseNameClash(ctx, options.name);
  return backup.kind === 'vdi-export' ? restoreDisk(ctx, backup, options) : importVm(ctx, backup, options);
}

export { XeError };
