// `vmbackup healthcheck`: Xen Orchestra's "health check" for a VmBackup backup. The backup is
// restored under a temporary, clearly marked name (HEALTHCHECK_<vm>_<UTC time>), started,
// watched until it runs (bounded wait), and removed again in `finally` — also when the wait
// times out, a step fails, or SIGINT/SIGTERM stops the command — with the disks it made.
import { xe } from '../backup/xe';
import type { BackupFolder } from './folder';
import { removeMadeVdi, removeMadeVm, restoreBackup, RestoreError, type RestoreContext } from './restore';
import { restoreArgs } from './xe-steps';

export interface HealthcheckOptions {
  sr?: string;
  dryRun: boolean;
  /** How long the VM may take to reach Running. */
  bootTimeoutMs: number;
  /** Pause between two power-state reads. */
  pollMs: number;
  now: () => Date;
}

export interface HealthcheckResult {
  name: string;
  newUuid?: string;
  running: boolean;
  removed: boolean;
  /** Why the check failed after the VM was made (the VM is removed all the same). */
  error?: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function healthcheckName(vm: string, date: Date): string {
  const time =
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}T` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
  return `HEALTHCHECK_${vm}_${time}`;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(done, ms);
    function done() {
      signal.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }
    signal.addEventListener('abort', aborted, { once: true });
  });
}

async function waitRunning(ctx: RestoreContext, uuid: string, options: HealthcheckOptions): Promise<void> {
  const deadline = options.now().getTime() + options.bootTimeoutMs;
  for (;;) {
    const state = (await xe(ctx.host, restoreArgs.powerState(uuid), { signal: ctx.signal })).trim().toLowerCase();
    if (state === 'running') return;
    if (options.now().getTime() >= deadline) {
      throw new RestoreError(
        `the VM did not reach Running within ${Math.round(options.bootTimeoutMs / 1000)} s (power state ${state})`,
      );
    }
    await pause(options.pollMs, ctx.signal);
  }
}

export async function healthcheck(
  ctx: RestoreContext,
  backup: BackupFolder,
  options: HealthcheckOptions,
): Promise<HealthcheckResult> {
  if (backup.kind === 'metadata-export') {
    throw new RestoreError('a metadata-export backup holds no disks: there is nothing to boot for a health check');
  }
  const name = healthcheckName(backup.vm, options.now());
  const restoreOptions = { name, preserve: false, start: false, diskOnly: false, dryRun: options.dryRun };
  const result: HealthcheckResult = { name, running: false, removed: false };
  // A restore that fails removes what it made itself (restore.ts); from here on it is ours.
  const restored = await restoreBackup(ctx, backup, { ...restoreOptions, ...(options.sr ? { sr: options.sr } : {}) });
  if (options.dryRun) {
    ctx.bus.step('start', `[dry-run] would run: xe vm-start uuid=<new-vm-uuid>, wait until running, then remove it`);
    return result;
  }
  const uuid = restored.newUuid!;
  result.newUuid = uuid;
  try {
    ctx.bus.step('start', `starting ${JSON.stringify(name)} (${uuid})`);
    await xe(ctx.host, restoreArgs.vmStart(uuid), { signal: ctx.signal });
    await waitRunning(ctx, uuid, options);
    result.running = true;
    ctx.bus.info(`health check: ${JSON.stringify(name)} is running`);
  } catch (error) {
    result.error = ctx.signal.aborted
      ? `stopped: ${(ctx.signal.reason as Error)?.message ?? 'interrupted'}`
      : (error as Error).message;
  } finally {
    const vmGone = await removeMadeVm(ctx, uuid).catch((error: Error) => {
      ctx.bus.error(`ERROR could not remove the health-check VM ${uuid}: ${error.message}`);
      return false;
    });
    const vdiGone = restored.vdiUuid ? await removeMadeVdi(ctx, restored.vdiUuid).catch(() => false) : true;
    result.removed = vmGone && vdiGone;
    if (result.removed) ctx.bus.step('remove', `removed the health-check VM ${uuid} and its disks`);
  }
  return result;
}
