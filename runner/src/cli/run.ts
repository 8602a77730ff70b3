// A backup or preview run from the command line: config (or vm-selector), pool inventory,
// selection, then the preview report or the backup engine.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { parseConfig, resolveSettings, validateConfig, formatDiagnostic, CODES, DEFAULTS, type ParsedConfig, type Settings } from '../config/index';
import { partitionSuppressed } from '../config/suppression';
import { EventBus } from '../backup/events';
import { runBackup } from '../backup/engine';
import { StatusLog } from '../backup/statusLog';
import { RunReportCollector } from '../notify/report';
import { deliverNotifications } from './notify';
import { connectPool, type PoolClient } from '../pool/xapi';
import { PoolRecords } from '../pool/records';
import type { Host } from '../host/types';
import { VERSION } from '../version';
import { CliError, type RunCommand } from './args';
import { attachOutput, type Io } from './output';
import { resolvePassword } from './password';
import { openTransport } from './transport';
import { buildPlan, lineLocation } from './plan';
import { runPreview } from './preview';
import { selectorToConfig } from '../select/selector';

export interface LoadedConfig {
  /** The config file path, or undefined for a vm-selector. */
  file?: string;
  /** Name used in diagnostics (`weekend.cfg`, or `<vm-selector>`). */
  displayName: string;
  text: string;
  parsed: ParsedConfig;
  settings: Settings;
}

export function loadConfig(target: string): LoadedConfig {
  if (existsSync(target) && statSync(target).isFile()) {
    let text: string;
    try {
      text = readFileSync(target, 'utf8');
    } catch (error) {
      throw new CliError(target, `cannot read config file: ${(error as Error).message}`);
    }
    const parsed = parseConfig(text);
    return { file: target, displayName: target, text, parsed, settings: resolveSettings(parsed) };
  }
  const selector = selectorToConfig(target);
  if (!selector.ok) throw new CliError(target, `ERROR ${selector.error}`);
  // All settings take their defaults with a vm-selector (as the original).
  return { displayName: '<vm-selector>', text: target, parsed: selector.config, settings: resolveSettings(parseConfig('')) };
}

/** One line for cron logs and the extension's output: what runs where, with which config. */
function startMessage(mode: 'backup' | 'preview' | 'dry-run', command: RunCommand, config: LoadedConfig): string {
  const ssh = command.transport.ssh;
  const where = ssh ? `${ssh.user}@${ssh.host}:${ssh.port ?? 22} (ssh)` : 'the local host';
  // A vm-selector is a VM name: hostile input that may hold quotes or newlines.
  const what = config.file ? `config ${printable(config.file)}` : `vm-selector ${JSON.stringify(command.target)}`;
  return `VmBackup ${mode === 'backup' ? '' : `${mode} `}running on ${where} with ${what} (vmbackup ${VERSION})`;
}

/** Shown as is when plain, JSON-quoted when it holds spaces, quotes or control characters. */
function printable(text: string): string {
  return /^[^\s"\\\x00-\x1f\x7f]+$/.test(text) ? text : JSON.stringify(text);
}

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
    host: ssh ? `ssh ${ssh.user}@${ssh.host}:${ssh.port ?? 22}` : 'local',
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
  if (configErrors > 0 && !command.preview) {
    bus.error(`ERROR in configuration settings... (${configErrors} error(s) above; nothing was backed up)`);
    bus.emit({ type: 'run-end', outcome: 'error', summary: { success: 0, warning: 0, error: configErrors }, exitCode: 2, elapsedMs: 0, message: 'VmBackup ended - **ERRORS DETECTED** - configuration' });
    return 2;
  }

  let host: Host | undefined;
  let pool: PoolClient | undefined;
  try {
    let transport;
    try {
      transport = await openTransport(command.transport, password);
    } catch (error) {
      bus.error(`ERROR cannot reach the host: ${(error as Error).message}`);
      bus.emit({ type: 'run-end', outcome: 'error', summary: { success: 0, warning: 0, error: 1 }, exitCode: 2, elapsedMs: 0, message: 'VmBackup ended - **ERRORS DETECTED** - S:0 W:0 E:1' });
      return 2;
    }
    host = transport.host;
    if (transport.xapiFingerprint && !transport.xapiUrl.startsWith('https:')) {
      bus.info(`note: the pinned certificate fingerprint is not used: XenAPI at ${transport.xapiUrl} is not https`);
    }
    try {
      pool = await connectPool(transport.xapiUrl, password, {
        allowUnauthorized: transport.xapiInsecure,
        ...(transport.xapiFingerprint ? { fingerprint: transport.xapiFingerprint } : {}),
      });
    } catch (error) {
      bus.error(`ERROR ${(error as Error).message}`);
      if (config.file && mode === 'backup') {
        // Monitoring reads the status log: a run that could not even log in must show up.
        const server = (await host.hostname()).split('.')[0] ?? '';
        const status = new StatusLog(host, settings.statusLog, server, () => new Date(), (m) => bus.error(m));
        await status.runBegin();
        await status.runEnd('ERROR', 'S:0 W:0 E:1');
      }
      bus.emit({ type: 'run-end', outcome: 'error', summary: { success: 0, warning: 0, error: 1 }, exitCode: 2, elapsedMs: 0, message: 'VmBackup ended - **ERRORS DETECTED** - S:0 W:0 E:1' });
      return 2;
    }
    const records = await PoolRecords.load(pool);
    const inventory = records.inventory();
    const plan = buildPlan(config, settings, inventory);
    for (const m of plan.selection.messages) {
      if (m.phase === 'preview') continue;
      const location = lineLocation(config, m.line);
      if (m.level === 'error') bus.error(m.text, undefined, location);
      else if (m.level === 'warning') bus.warning(m.text, undefined, location);
      else bus.info(m.text);
    }
    if (config.file) bus.info(`VmBackup config loaded from: ${basename(config.file)}`);
    for (const line of plan.settingsBlock) bus.info(line);
    if (command.preview) {
      const extraWarnings: string[] = [];
      if (!(await host.exists(settings.backupDir))) {
        extraWarnings.push(`WARNING backup_dir does not exist on ${host.description}: ${settings.backupDir} (a backup would stop here)`);
      }
      return runPreview(bus, config, plan, inventory, diagnostics, extraWarnings);
    }
    if (plan.errors.length > 0 || plan.jobs.length === 0) {
      if (plan.jobs.length === 0) bus.error('ERROR no VMs loaded');
      bus.emit({ type: 'run-end', outcome: 'error', summary: { success: 0, warning: 0, error: 1 }, exitCode: 2, elapsedMs: 0, message: 'VmBackup ended - **ERRORS DETECTED** - selection' });
      return 2;
    }
    if (!(await host.exists(settings.backupDir))) {
      bus.error(`ERROR: config backup_dir does not exist -> ${settings.backupDir}`);
      bus.emit({ type: 'run-end', outcome: 'error', summary: { success: 0, warning: 0, error: 1 }, exitCode: 2, elapsedMs: 0, message: 'VmBackup ended - **ERRORS DETECTED** - backup_dir' });
      return 2;
    }
    bus.info('SUCCESS check of parameters');
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
        diagnostics.filter((d) => d.severity === 'warning' && !(command.ignoreExtraKeys && d.code === CODES.unknownKey)).length,
      settings: {
        backupDir: settings.backupDir,
        ...(config.file ? { statusLog: settings.statusLog } : {}),
        vdiExportFormat: settings.vdiExportFormat,
        compress: settings.compress,
        poolDbBackup: settings.poolDbBackup === 1,
        preClean: command.preClean ?? false,
        concurrency: command.concurrency,
        dryRun: command.dryRun,
      },
    });
    const notified = command.dryRun ? 'ok' : await deliverNotifications(collector, settings, host, io, command.json);
    return Math.max(result.exitCode, notified === 'failed' ? 1 : 0);
  } finally {
    await pool?.close();
    await host?.close().catch(() => undefined);
  }
}

export { DEFAULTS };
