// Restores one backup folder into the pool, through `xe` on the Host (local, off-host or ssh):
//  - vm-export (.xva, .xva.gz, .xva.zst): `xe vm-import`, then the new VM is named;
//  - metadata-export (.xva holding ova.xml only): `xe vm-import metadata=true`;
//  - vdi-export (.raw, .vhd): the original README's manual procedure, automated: vdi-create of
//    the recorded virtual_size, vdi-import of the image, and (unless --disk-only) a VM made
//    from vm-metadata.xml without disks, to which the new disk is attached with vbd-create.
// An existing VM is never touched: a name already in use stops the restore before any change.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { xe, XeError } from '../backup/xe';
import type { EventBus } from '../backup/events';
import type { Host } from '../host/types';
import type { BackupFolder, DiskConfig } from './folder';
import { ovaTar, ovaVmUuid, withoutDisks } from './metadata-xva';
import { readOvaXml } from './ova';
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
  /** --start failed: why (the restored VM stays as it is). */
  startError?: string;
}

/** A restore that cannot go on: the message says why and what to do. */
export class RestoreError extends Error {
  override readonly name = 'RestoreError';
}

export interface RestoreContext {
  host: Host;
  bus: EventBus;
  signal: AbortSignal;
  /**
   * Where the metadata-only XVA of a vdi-export restore is written: /tmp on the pool host for
   * the xe transports; this machine's temporary folder for the xapi transport, whose files are
   * local (it is uploaded from there).
   */
  tempDir?: string;
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

/** Is a VM, template or snapshot with this uuid in the pool? */
async function vmUuidInUse(ctx: RestoreContext, uuid: string): Promise<boolean> {
  for (const list of ['vm-list', 'template-list', 'snapshot-list']) {
    const found = minimalList(
      await xe(ctx.host, [list, `uuid=${uuid}`, 'params=uuid', '--minimal'], { signal: ctx.signal }),
    );
    if (found.length > 0) return true;
  }
  return false;
}

/**
 * --preserve imports keep the recorded uuids, and xapi's import (import.ml) then REPLACES a
 * halted VM that has the same uuid: refused, restore never replaces an existing VM.
 */
async function refusePreserveOverExisting(ctx: RestoreContext, recordedUuid: string | undefined): Promise<void> {
  if (recordedUuid === undefined) throw new RestoreError('--preserve: the backup does not record its VM uuid');
  if (await vmUuidInUse(ctx, recordedUuid)) {
    throw new RestoreError(
      `--preserve keeps the backed-up VM's uuid ${recordedUuid}, and a VM with that uuid is in the pool: ` +
        "xapi's import would replace it; restore without --preserve (new uuids and MAC addresses)",
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

async function rename(ctx: RestoreContext, vm: string | undefined, options: RestoreOptions): Promise<void> {
  const args = restoreArgs.rename(vm ?? '<new-vm-uuid>', options.name);
  await step(ctx, options.dryRun, 'rename', args, () => xe(ctx.host, args, { signal: ctx.signal }));
}

/** --start, once the VM is complete: a failed start leaves the restored VM as it is. */
async function start(
  ctx: RestoreContext,
  vm: string | undefined,
  options: RestoreOptions,
): Promise<Pick<RestoreResult, 'started' | 'startError'>> {
  if (!options.start) return { started: false };
  const args = restoreArgs.vmStart(vm ?? '<new-vm-uuid>');
  try {
    await step(ctx, options.dryRun, 'start', args, () => xe(ctx.host, args, { signal: ctx.signal }));
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    return { started: false, startError: describeError(error) };
  }
  return { started: !options.dryRun };
}

/** Does the VDI still exist? (Clean-up: not under the command's signal.) */
async function vdiExists(ctx: RestoreContext, uuid: string): Promise<boolean> {
  const found = await xe(ctx.host, ['vdi-list', `uuid=${uuid}`, 'params=uuid', '--minimal']).catch(() => '');
  return minimalList(found).length > 0;
}

/**
 * Removes a VM this command made, with every disk attached to it: vm-uninstall destroys only
 * the disks its VBDs mark as owned, the others are destroyed one by one. Runs without the
 * command's signal, so it also completes after SIGINT/SIGTERM. True when nothing is left.
 */
export async function removeMadeVm(ctx: RestoreContext, uuid: string): Promise<boolean> {
  const listed = await xe(ctx.host, ['vbd-list', `vm-uuid=${uuid}`, 'type=Disk', 'params=vdi-uuid', '--minimal']);
  const disks = minimalList(listed).filter((d) => UUID.test(d));
  try {
    await xe(ctx.host, restoreArgs.vmUninstall(uuid));
  } catch (error) {
    ctx.bus.error(`ERROR could not remove the VM ${uuid} this command made: ${describeError(error)}`);
    return false;
  }
  let removed = true;
  for (const vdi of disks) {
    if (!(await vdiExists(ctx, vdi))) continue;
    await xe(ctx.host, restoreArgs.vdiDestroy(vdi)).catch((error: unknown) => {
      removed = false;
      ctx.bus.error(`ERROR could not remove the disk ${vdi} this command made: ${describeError(error)}`);
    });
  }
  return removed;
}

/** Destroys a VDI this command made, if it is still there. */
export async function removeMadeVdi(ctx: RestoreContext, uuid: string): Promise<boolean> {
  if (!(await vdiExists(ctx, uuid))) return true;
  return xe(ctx.host, restoreArgs.vdiDestroy(uuid)).then(
    () => true,
    (error: unknown) => {
      ctx.bus.error(`ERROR could not remove the disk ${uuid} this command made: ${describeError(error)}`);
      return false;
    },
  );
}

function describeError(error: unknown): string {
  return error instanceof XeError ? `${printXe(error.args)}: ${error.detail}` : (error as Error).message;
}

async function importVm(ctx: RestoreContext, backup: BackupFolder, options: RestoreOptions): Promise<RestoreResult> {
  const metadata = backup.kind === 'metadata-export';
  if (metadata || options.preserve) {
    const recorded = ovaVmUuid(await readOvaXml(ctx.host, backup.file, backup.format as 'xva'));
    if (options.preserve) await refusePreserveOverExisting(ctx, recorded);
    if (metadata && recorded !== undefined && (await vmUuidInUse(ctx, recorded))) {
      throw new RestoreError(
        `the backed-up VM (uuid ${recorded}) is still in the pool: a metadata restore would give the new VM ` +
          "that VM's own disks (a metadata import finds the recorded disks in their SR); " +
          'restore a metadata-export only for a VM that is gone',
      );
    }
  }
  const srUuid = options.sr ? await resolveSr(ctx, options.sr) : undefined;
  const args = restoreArgs.vmImport(backup.file, {
    ...(srUuid && !metadata ? { srUuid } : {}),
    preserve: options.preserve,
    metadata,
  });
  if (metadata && srUuid) ctx.bus.info('note: --sr is not used: a metadata import makes no disks');
  const newUuid = await step(ctx, options.dryRun, 'import', args, () =>
    xeUuid(ctx.host, args, ctx.signal).catch((error: unknown) => {
      if (metadata && error instanceof XeError) {
        ctx.bus.info(
          'a metadata-export backup holds the VM record only: the import attaches the disks the VM had, found in ' +
            'their SR, so every one of them must still be there',
        );
      }
      throw error;
    }),
  );
  if (newUuid) ctx.bus.info(`imported VM ${newUuid}`);
  try {
    await rename(ctx, newUuid, options);
  } catch (error) {
    // An unnamed import would carry the backup's name beside the original: it is undone. A
    // metadata import is only reported: its VM uses disks this command did not make.
    if (newUuid && metadata) {
      ctx.bus.error(
        `ERROR the imported VM ${newUuid} is left in the pool under the backup's name ${quoted(backup.vm)}: ` +
          'rename or remove it (xe vm-destroy keeps its disks)',
      );
    } else if (newUuid && (await removeMadeVm(ctx, newUuid).catch(() => false))) {
      ctx.bus.info(`removed the unfinished restore (VM ${newUuid})`);
    }
    throw error;
  }
  return { ...(newUuid ? { newUuid } : {}), ...(await start(ctx, newUuid, options)) };
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

/** Temporary file for the disk-less metadata import; removed in finally. */
function temporaryXva(ctx: RestoreContext): string {
  const name = `vmbackup-restore-${randomBytes(8).toString('hex')}.xva`;
  return ctx.tempDir === undefined ? `/tmp/${name}` : join(ctx.tempDir, name);
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
  if (bareVm !== undefined && options.preserve) await refusePreserveOverExisting(ctx, ovaVmUuid(bareVm));
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
    const file = temporaryXva(ctx);
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
    const vbd = await step(ctx, options.dryRun, 'vbd-create', vbdArgs, () => xeUuid(ctx.host, vbdArgs, ctx.signal));
    // The disk belongs to the VM, as a provisioned or imported disk does: `xe vm-uninstall` of
    // the restored VM then removes it too (cli_operations.ml destroys disks whose VBD has owner).
    const ownerArgs = restoreArgs.vbdOwner(vbd ?? '<new-vbd-uuid>');
    await step(ctx, options.dryRun, 'vbd-owner', ownerArgs, () => xe(ctx.host, ownerArgs, { signal: ctx.signal }));
    await rename(ctx, vmUuid, options);
  } catch (error) {
    // What this restore made and did not finish is removed again; nothing else is touched.
    const vmGone = vmUuid ? await removeMadeVm(ctx, vmUuid).catch(() => false) : true;
    const vdiGone = vdiUuid ? await removeMadeVdi(ctx, vdiUuid).catch(() => false) : true;
    if (vdiUuid && vmGone && vdiGone) {
      ctx.bus.info(`removed the unfinished restore (VDI ${vdiUuid}${vmUuid ? `, VM ${vmUuid}` : ''})`);
    }
    throw error;
  }
  return {
    ...(vmUuid ? { newUuid: vmUuid } : {}),
    ...(vdiUuid ? { vdiUuid } : {}),
    ...(await start(ctx, vmUuid, options)),
  };
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
