// A backup or preview run from the command line: config (or vm-selector), pool inventory,
// selection, then the preview report or the backup engine.
import { validateConfig, formatDiagnostic, CODES, DEFAULTS } from '../config/index';
import { partitionSuppressed } from '../config/suppression';
import { EventBus } from '../backup/events';
import { runBackup } from '../backup/engine';
import { StatusLog } from '../backup/statusLog';
import { vmNameRefusal } from '../backup/layout';
import { RunReportCollector } from '../notify/report';
import { deliverNotifications } from './notify';
import { connectPool, type PoolClient } from '../pool/xapi';
import { PoolRecords } from '../pool/records';
import type { Host } from '../host/types';
import { VERSION } from '../version';
import type { RunCommand } from './args';
import { loadConfig, type LoadedConfig } from './loadConfig';
import { attachOutput, type Io } from './output';
import { resolvePassword } from './password';
import { openTransport } from './transport';
import { readPoolTrust } from './trust';
import type { PoolTrust } from '../pool/tls';
import { buildPlan, lineLocation } from './plan';
import { runPreview } from './preview';
import { patternJobs } from '../select/plan';
import { regexBudgetFromEnv, type MatchResults } from '../select/matchBudget';
import { matchInWorker } from './matchWorker';
import { selectableVms, type Inventory } from '../pool/inventory';
import { silenceTimeoutFromEnv, untilAborted } from '../pool/silence';

/** One line for cron logs and the extension's output: what runs where, with which config. */
function startMessage(mode: 'backup' | 'preview' | 'dry-run', command: RunCommand, config: LoadedConfig): string {
  const ssh = command.transport.ssh;
  const xapi = command.transport.kind === 'xapi' ? command.transport.xapi : undefined;
  const where = ssh
    ? `${ssh.user}@${ssh.host}:${ssh.port ?? 22} (ssh)`
    : xapi
      ? `this machine through XenAPI ${xapi} (xapi transport)`
      : 'the local host';
  // A vm-selector is a VM name: hostile input that may hold quotes or newlines.
  const what = config.file ? `config ${printable(config.file)}` : `vm-selector ${JSON.stringify(command.target)}`;
  return `VmBackup ${mode === 'backup' ? '' : `${mode} `}running on ${where} with ${what} (vmbackup ${VERSION})`;
}

/** Shown as is when plain, JSON-quoted when it holds spaces, quotes or control characters. */
function printable(text: string): string {
  return /^[^\s"\\\x00-\x1f\x7f]+$/.test(text) ? text : JSON.stringify(text);
}

/**
 * Monitoring reads the status log: a backup run that stops before the engine starts (config
 * errors, no pool, no VMs, no backup_dir, an unexpected failure) still leaves `begin` and
 * `end,ERROR`. False when the record could not be written.
 */
async function recordFailedRun(host: Host, statusLog: string, bus: EventBus, silenceMs?: number): Promise<boolean> {
  let written = true;
  // A host that stopped answering must not hang the run here either (the silence budget).
  const server = (await untilAborted(host.hostname(), undefined, silenceMs).catch(() => '')).split('.')[0] ?? '';
  const status = new StatusLog(
    host,
    statusLog,
    server,
    () => new Date(),
    (m) => {
      written = false;
      bus.error(m);
    },
  );
  await untilAborted(
    status.runBegin().then(() => status.runEnd('ERROR', 'S:0 W:0 E:1')),
    undefined,
    silenceMs,
  ).catch((error: Error) => {
    written = false;
    bus.error(`ERROR cannot write the status log ${statusLog}: ${error.message}`);
  });
  return written;
}

function endWithErrors(bus: EventBus, what: string, errors = 1): 2 {
  const message = `VmBackup ended - **ERRORS DETECTED** - ${what}`;
  const summary = { success: 0, warning: 0, error: errors };
  bus.emit({ type: 'run-end', outcome: 'error', summary, exitCode: 2, elapsedMs: 0, message });
  return 2;
}

/** The VMs a backup to this Windows disk would refuse (vmNameRefusal), as preview warnings. */
function windowsRefusals(jobs: readonly { vm: string }[], inventory: Inventory): string[] {
  const poolNames = selectableVms(inventory).map((vm) => vm.name);
  return [...new Set(jobs.map((job) => job.vm))].flatMap((vm) => {
    const reason = vmNameRefusal(vm, 'windows', poolNames);
    return reason ? [`WARNING ${reason}; a backup to this Windows disk refuses it`] : [];
  });
}

/** A regex still matching after this long is named in the log (the run seems to wait). */
const SLOW_REGEX_NOTICE_MS = 1000;

export async function runCommand(command: RunCommand, io: Io, signal: AbortSignal): Promise<number> {
  const bus = new EventBus();
  attachOutput(bus, io, command.json);
  const collector = new RunReportCollector();
  bus.subscribe(collector.sink);
  const { password, warnings } = await resolvePassword(command.password, io.env, io.stdin);
  const config = loadConfig(command.target);
  const mode = command.preview ? 'preview' : command.dryRun ? 'dry-run' : 'backup';
  const ssh = command.transport.ssh;
  bus.emit({
    type: 'run-start',
    mode,
    host: ssh
      ? `ssh ${ssh.user}@${ssh.host}:${ssh.port ?? 22}`
      : command.transport.kind === 'xapi'
        ? `xapi ${command.transport.xapi ?? ''}`
        : 'local',
    version: VERSION,
    ...(config.file ? { config: config.file } : {}),
    message: startMessage(mode, command, config),
  });
  for (const w of warnings) bus.warning(w);
  for (const note of command.notes) bus.info(note);

  const settings = { ...config.settings };
  if (command.compress !== undefined) settings.compress = command.compress;
  // The editor's suppression comments mean the same here: a silenced warning is information.
  const validated = validateConfig(config.parsed, { ignoreExtraKeys: command.ignoreExtraKeys });
  const checked = partitionSuppressed(config.parsed, validated);
  const diagnostics = checked.kept;
  for (const d of checked.suppressed) {
    bus.info(`${formatDiagnostic(config.displayName, d)} (suppressed by line ${d.range.start.line})`);
  }
  for (const d of diagnostics) {
    const line = formatDiagnostic(config.displayName, d);
    const location = line.slice(0, line.indexOf(': '));
    if (d.severity === 'error') bus.error(line, undefined, location);
    else if (d.severity === 'warning') bus.warning(line, undefined, location);
  }
  const configErrors = diagnostics.filter((d) => d.severity === 'error').length;
  const silenceMs = command.silenceTimeoutMs ?? silenceTimeoutFromEnv(io.env);
  // Where a run that stops early records itself (a config-file backup run only, as the original).
  const failureRecord = config.file && mode === 'backup' ? settings.statusLog : undefined;
  if (configErrors > 0 && !command.preview) {
    bus.error(`ERROR in configuration settings... (${configErrors} error(s) above; nothing was backed up)`);
    if (failureRecord !== undefined) {
      const transport = await openTransport(command.transport, password, silenceMs, io.machine).catch(
        (error: Error) => {
          bus.error(`ERROR cannot reach the host to write the status log: ${error.message}`);
          return undefined;
        },
      );
      if (transport) {
        await recordFailedRun(transport.host, failureRecord, bus, silenceMs);
        await transport.host.close().catch(() => undefined);
      }
    }
    return endWithErrors(bus, 'configuration', configErrors);
  }

  let host: Host | undefined;
  let pool: PoolClient | undefined;
  let engineEnded = false;
  try {
    let transport;
    try {
      transport = await openTransport(command.transport, password, silenceMs, io.machine);
    } catch (error) {
      bus.error(`ERROR cannot reach the host: ${(error as Error).message}`);
      return endWithErrors(bus, 'S:0 W:0 E:1');
    }
    host = transport.host;
    if (transport.cleartextWarning) bus.warning(transport.cleartextWarning);
    if (transport.xapiFingerprint && !transport.xapiUrl.startsWith('https:')) {
      bus.info(`note: the pinned certificate fingerprint is not used: XenAPI at ${transport.xapiUrl} is not https`);
    }
    let trust: PoolTrust | undefined;
    try {
      trust = transport.xapiTrustFile ? await readPoolTrust(transport.xapiTrustFile) : undefined;
    } catch (error) {
      bus.error(`ERROR --xapi-trust-file ${(error as Error).message}`);
      return endWithErrors(bus, 'S:0 W:0 E:1');
    }
    const readyHost = host;
    /** Ends a run that stops before any VM: monitoring reads the status log, so it gets a record. */
    const endBeforeBackup = async (message: string, what: string): Promise<number> => {
      bus.error(message);
      if (failureRecord !== undefined) await recordFailedRun(readyHost, failureRecord, bus, silenceMs);
      return endWithErrors(bus, what);
    };
    let inventory: Inventory;
    let records: PoolRecords;
    let matches: MatchResults;
    try {
      try {
        pool = await untilAborted(
          connectPool(transport.xapiUrl, password, {
            allowUnauthorized: transport.xapiInsecure,
            silenceMs,
            ...(transport.xapiFingerprint ? { fingerprint: transport.xapiFingerprint } : {}),
            ...(trust ? { trust } : {}),
          }),
          signal,
        );
      } catch (error) {
        if (signal.aborted) throw error;
        return await endBeforeBackup(`ERROR ${(error as Error).message}`, 'S:0 W:0 E:1');
      }
      records = await untilAborted(PoolRecords.load(pool), signal);
      inventory = records.inventory();
      const budgetMs = command.regexBudgetMs ?? regexBudgetFromEnv(io.env);
      const lineOf = new Map(config.parsed.entries.map((e) => [e.key === 'exclude' ? e.value : e.name, e.line]));
      matches = await matchInWorker(
        patternJobs(config.parsed),
        selectableVms(inventory).map((vm) => vm.name),
        {
          budgetMs,
          signal,
          ...(budgetMs > SLOW_REGEX_NOTICE_MS
            ? {
                slowMs: SLOW_REGEX_NOTICE_MS,
                onSlow: (pattern: string) =>
                  bus.info(
                    `matching the regex of line ${(lineOf.get(pattern) ?? 0) + 1} against the VM names is slow; it ` +
                      `is stopped at ${budgetMs} ms (--regex-budget-ms)`,
                  ),
              }
            : {}),
        },
      );
    } catch (error) {
      if (!signal.aborted) throw error;
      return await endBeforeBackup(
        `ERROR stopped before the backup: ${(signal.reason as Error)?.message ?? 'interrupted'}`,
        'S:0 W:0 E:1',
      );
    }
    const plan = buildPlan(config, settings, inventory, matches);
    const logMessages = (phase: string) => {
      for (const m of plan.selection.messages) {
        if (m.phase === 'preview' || (m.phase === 'validate') !== (phase === 'validate')) continue;
        const location = lineLocation(config, m.line);
        if (m.level === 'error') bus.error(m.text, undefined, location);
        else if (m.level === 'warning') bus.warning(m.text, undefined, location);
        else bus.info(m.text);
      }
    };
    logMessages('load');
    // The original names the argument as given: the config path, or the vm-selector.
    bus.info(`VmBackup config loaded from: ${command.target}`);
    for (const line of plan.settingsBlock) bus.info(line);
    // Then is_config_valid() and `ERROR no VMs loaded`, as the original orders them.
    logMessages('validate');
    if (command.preview) {
      const extraWarnings: string[] = [];
      if (!(await host.exists(settings.backupDir))) {
        extraWarnings.push(
          `WARNING backup_dir does not exist on ${host.description}: ${settings.backupDir} (a backup would stop here)`,
        );
      }
      if (host.nameRules === 'windows') extraWarnings.push(...windowsRefusals(plan.jobs, inventory));
      return runPreview(bus, config, plan, inventory, diagnostics, extraWarnings);
    }
    if (plan.selection.lines.some((l) => l.status === 'regex-too-expensive')) {
      return endBeforeBackup('ERROR regex too expensive (see above): nothing was backed up', 'selection');
    }
    if (plan.errors.length > 0 || plan.jobs.length === 0) {
      // `ERROR no VMs loaded` is among the plan's validate messages above.
      if (failureRecord !== undefined) await recordFailedRun(host, failureRecord, bus, silenceMs);
      return endWithErrors(bus, 'selection');
    }
    if (!(await host.exists(settings.backupDir))) {
      bus.error(`ERROR: config backup_dir does not exist -> ${settings.backupDir}`);
      if (failureRecord !== undefined) await recordFailedRun(host, failureRecord, bus, silenceMs);
      return endWithErrors(bus, 'backup_dir');
    }
    // Python's '... %s' % '' keeps the blank: `SUCCESS check of parameters `.
    bus.info(`SUCCESS check of parameters ${plan.selection.matchWarnings ? ' - WARNINGS found (see above)' : ''}`);
    const result = await runBackup({
      host,
      pool,
      records,
      bus,
      signal,
      jobs: plan.jobs,
      // Keys skipped on purpose (ignore_extra_keys=True) are logged but do not make the night "WARNING".
      priorWarnings:
        plan.warnings.length +
        diagnostics.filter((d) => d.severity === 'warning' && !(command.ignoreExtraKeys && d.code === CODES.unknownKey))
          .length,
      settings: {
        backupDir: settings.backupDir,
        ...(config.file ? { statusLog: settings.statusLog } : {}),
        vdiExportFormat: settings.vdiExportFormat,
        compress: settings.compress,
        poolDbBackup: settings.poolDbBackup === 1,
        preClean: command.preClean ?? false,
        concurrency: command.concurrency,
        dryRun: command.dryRun,
        ...(command.busyWaitSeconds !== undefined ? { busyWaitMs: command.busyWaitSeconds * 1000 } : {}),
      },
    });
    engineEnded = true;
    const notified = command.dryRun ? 'ok' : await deliverNotifications(collector, settings, host, io, command.json);
    return Math.max(result.exitCode, notified === 'failed' ? 1 : 0);
  } catch (error) {
    // A file-system failure nobody expected (ENAMETOOLONG, ELOOP, ...) still ends the run
    // like any other error: one ERROR line, a status-log record, a run-end event, exit 2.
    bus.error(`ERROR ${(error as Error).message}`);
    if (engineEnded) return 2; // the engine already wrote its records and its run-end
    if (host && failureRecord !== undefined) await recordFailedRun(host, failureRecord, bus);
    return endWithErrors(bus, 'S:0 W:0 E:1');
  } finally {
    await pool?.close();
    await host?.close().catch(() => undefined);
  }
}

export { DEFAULTS };
