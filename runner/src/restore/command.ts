// The command line side of `vmbackup restore` and `vmbackup healthcheck`: password, transport
// (the run's own: cli/password.ts, cli/transport.ts), the backup folder, the human log or JSON
// lines, a `restore-report` event and the exit code (0 done, 1 nothing restored, 2 error).
import { tmpdir } from 'node:os';
import { EventBus, type Outcome } from '../backup/events';
import { XeError } from '../backup/xe';
import type { Host } from '../host/types';
import { silenceTimeoutFromEnv } from '../pool/silence';
import { VERSION } from '../version';
import { attachOutput, type Io } from '../cli/output';
import { resolvePassword } from '../cli/password';
import { openTransport } from '../cli/transport';
import { type RestoreCommand, usageLine } from './args';
import { NotABackup, readBackupFolder, type BackupFolder, type PoolDump } from './folder';
import { healthcheck } from './healthcheck';
import { restoreBackup, RestoreError, type RestoreContext } from './restore';
import { printXe } from './xe-steps';

const DEFAULT_BOOT_TIMEOUT_SECONDS = 600;
const DEFAULT_POLL_MS = 2000;
/** Milliseconds between two power-state reads of a health check (tests shorten it). */
export const POLL_ENV = 'VMBACKUP_HEALTHCHECK_POLL_MS';

type Report = Omit<Extract<Parameters<EventBus['emit']>[0], { type: 'restore-report' }>, 'type' | 'message'>;

function describeFailure(error: unknown): string {
  if (error instanceof XeError) return `ERROR ${printXe(error.args)} failed: ${error.detail}`;
  return `ERROR ${(error as Error).message}`;
}

function poolDbSteps(bus: EventBus, dump: PoolDump): void {
  bus.info(`${dump.file} is a pool database dump (pool_db_backup=1): vmbackup never restores a pool database.`);
  bus.info('Restoring one replaces the whole pool state; VmBackup documents it as a manual step, to be decided');
  bus.info('with your vendor support (XenServer Administrator\'s Guide, "xe pool-restore-database"). On the master:');
  bus.info(`  ${printXe(['pool-restore-database', `file-name=${dump.file}`, 'dry-run=true'])}`);
  bus.info(`  ${printXe(['pool-restore-database', `file-name=${dump.file}`])}`);
  bus.info('Nothing was changed.');
}

function refusedUnmarked(backup: BackupFolder): string {
  return (
    `ERROR ${backup.folder} has no success marker: that backup did not finish or its file was not proven ` +
    'complete (a failed or interrupted run), so it may be damaged; restore it anyway with --force'
  );
}

export async function restoreCommand(command: RestoreCommand, io: Io, signal: AbortSignal): Promise<number> {
  if (command.help) {
    io.stdout.write(`usage: ${usageLine(command.kind)}\n(docs/cli.md, "Restore"; vmbackup --help for the options)\n`);
    return 0;
  }
  const bus = new EventBus();
  attachOutput(bus, io, command.json);
  const began = Date.now();
  const { password, warnings } = await resolvePassword(command.password, io.env, io.stdin);
  const ssh = command.transport.ssh;
  const xapi = command.transport.kind === 'xapi' ? command.transport.xapi : undefined;
  const where = ssh ? `ssh ${ssh.user}@${ssh.host}:${ssh.port ?? 22}` : xapi ? `XenAPI ${xapi}` : 'local';
  bus.emit({
    type: 'run-start',
    mode: command.kind,
    host: where,
    version: VERSION,
    message:
      `VmBackup ${command.kind}${command.dryRun ? ' (dry-run: nothing is changed)' : ''} of ` +
      `${JSON.stringify(command.folder)} on ${where} (vmbackup ${VERSION})`,
  });
  for (const w of warnings) bus.warning(w);
  const report: Report = {
    command: command.kind,
    dryRun: command.dryRun,
    folder: command.folder,
    kind: 'vm-export',
    started: false,
    outcome: 'error',
  };
  const finish = (outcome: Outcome, message: string): number => {
    const exitCode = outcome === 'success' ? 0 : outcome === 'warning' ? 1 : 2;
    report.outcome = outcome;
    bus.emit({ type: 'restore-report', ...report, message: `${command.kind} report: ${outcome}` });
    const summary = {
      success: outcome === 'success' ? 1 : 0,
      warning: outcome === 'warning' ? 1 : 0,
      error: outcome === 'error' ? 1 : 0,
    };
    bus.emit({ type: 'run-end', outcome, summary, exitCode, elapsedMs: Date.now() - began, message });
    return exitCode;
  };

  let host: Host | undefined;
  try {
    const silenceMs = command.silenceTimeoutMs ?? silenceTimeoutFromEnv(io.env);
    try {
      const transport = await openTransport(command.transport, password, silenceMs);
      host = transport.host;
      if (transport.cleartextWarning) bus.warning(transport.cleartextWarning);
    } catch (error) {
      bus.error(`ERROR cannot reach the host: ${(error as Error).message}`);
      return finish('error', `VmBackup ${command.kind} ended - **ERRORS DETECTED** - cannot reach the host`);
    }
    const found = await readBackupFolder(host, command.folder);
    if (found.kind === 'pool-db') {
      report.kind = 'pool-db';
      report.folder = found.file;
      poolDbSteps(bus, found);
      return finish('warning', `VmBackup ${command.kind} ended - nothing restored (a pool database is manual)`);
    }
    report.folder = found.folder;
    report.kind = found.kind;
    report.vm = found.vm;
    bus.info(
      `${found.kind} backup of VM ${JSON.stringify(found.vm)}: ${found.file}` +
        `${found.marker ? ` (${found.marker})` : ' (NO success marker)'}`,
    );
    if (!found.marker) {
      if (!command.force) {
        bus.error(refusedUnmarked(found));
        return finish('error', `VmBackup ${command.kind} ended - **ERRORS DETECTED** - backup not marked good`);
      }
      bus.warning(`WARNING ${found.folder} has no success marker; restoring it because of --force`);
    }
    // The xapi transport's files are this machine's: its temporary files too.
    const local = command.transport.kind === 'xapi' ? { tempDir: tmpdir() } : {};
    const ctx: RestoreContext = { host, bus, signal, ...local };
    if (command.kind === 'healthcheck') {
      const poll = Number(io.env[POLL_ENV]);
      const result = await healthcheck(ctx, found, {
        ...(command.sr ? { sr: command.sr } : {}),
        dryRun: command.dryRun,
        bootTimeoutMs: (command.bootTimeoutSeconds ?? DEFAULT_BOOT_TIMEOUT_SECONDS) * 1000,
        pollMs: Number.isFinite(poll) && poll > 0 ? poll : DEFAULT_POLL_MS,
        now: () => new Date(),
      });
      report.newName = result.name;
      if (result.newUuid) report.newUuid = result.newUuid;
      report.started = result.running;
      report.running = result.running;
      report.removed = result.removed;
      if (result.error) bus.error(`ERROR health check of ${JSON.stringify(found.vm)}: ${result.error}`);
      const good = command.dryRun || (result.running && result.removed && !result.error);
      return finish(
        good ? 'success' : 'error',
        good
          ? `VmBackup healthcheck ended - Success - ${command.dryRun ? 'dry-run' : 'the backup boots'}`
          : 'VmBackup healthcheck ended - **ERRORS DETECTED**',
      );
    }
    const name = command.name ?? found.vm;
    report.newName = name;
    const result = await restoreBackup(ctx, found, {
      name,
      ...(command.sr ? { sr: command.sr } : {}),
      preserve: command.preserve,
      start: command.start,
      diskOnly: command.diskOnly,
      dryRun: command.dryRun,
    });
    if (command.diskOnly && found.kind === 'vdi-export') delete report.newName;
    if (result.newUuid) report.newUuid = result.newUuid;
    if (result.vdiUuid) report.vdiUuid = result.vdiUuid;
    report.started = result.started;
    if (result.startError) {
      bus.error(`ERROR the VM is restored (${result.newUuid}) but did not start: ${result.startError}`);
      return finish('error', `VmBackup restore ended - **ERRORS DETECTED** - restored, not started`);
    }
    const what = result.newUuid
      ? `VM ${JSON.stringify(name)} (${result.newUuid})`
      : result.vdiUuid
        ? `VDI ${result.vdiUuid}`
        : 'dry-run, nothing changed';
    return finish('success', `VmBackup restore ended - Success - ${what}`);
  } catch (error) {
    if (error instanceof NotABackup || error instanceof RestoreError || error instanceof XeError) {
      bus.error(describeFailure(error));
    } else if (signal.aborted) {
      bus.error(`ERROR stopped: ${(signal.reason as Error)?.message ?? 'interrupted'}`);
    } else {
      bus.error(describeFailure(error));
    }
    return finish('error', `VmBackup ${command.kind} ended - **ERRORS DETECTED**`);
  } finally {
    await host?.close().catch(() => undefined);
  }
}
