// Run Preview / Run Backup / Stop: one runner process at a time, its events streamed into the
// VmBackup output channel as they arrive, a cancellable progress notification with the
// current VM, and a summary notification at the end (warnings and errors with a button to
// the log). Run Backup first asks the runner for a dry-run plan and confirms, in a modal
// dialog, how many VMs go where. Running needs a trusted workspace: the config, the `xe`
// path and the runner arguments may come from the workspace.
import * as vscode from 'vscode';
import type { RunEvent } from '../../runner/src/backup/events';
import { parseConfig } from '../../runner/src/config/parse';
import { resolveSettings } from '../../runner/src/config/settings';
import { describePool, poolIdentity, type PoolPasswords } from './poolPassword';
import { buildRunnerInvocation, normaliseRunnerSettings, RunnerSettingsError, type RunAction } from './runnerInvocation';
import { RunnerProcess, type RunnerExit } from './runnerProcess';
import { describeExit, errorText, logLineFor, RunTracker, type LogLevel } from './runReport';

/** Where a run's lines also go (the task terminal). */
export type LineSink = (level: LogLevel, text: string) => void;

export interface RunOptions {
  /** Extra runner arguments (from a task definition). */
  extraArgs?: readonly string[];
  /** Ask before a backup (the command does; a task the user defined does not). */
  confirm: boolean;
  sink?: LineSink;
}

export class RunController implements vscode.Disposable {
  private current: RunnerProcess | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly passwords: PoolPasswords,
  ) {}

  get running(): boolean {
    return this.current !== undefined;
  }

  /** Runs the action on the file; resolves with the runner's exit code (undefined when it did not run). */
  async run(action: 'preview' | 'backup', uri: vscode.Uri, options: RunOptions): Promise<number | undefined> {
    if (this.current) {
      void vscode.window.showWarningMessage('A VmBackup run is already in progress. Stop it first (VmBackup: Stop).');
      return undefined;
    }
    if (!vscode.workspace.isTrusted) {
      const manage = 'Manage Workspace Trust';
      const choice = await vscode.window.showWarningMessage(
        'VmBackup runs the backup runner with settings from this workspace, which is in Restricted Mode. Trust the workspace to run it.',
        manage,
      );
      if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
      return undefined;
    }
    if (uri.scheme !== 'file') {
      void vscode.window.showErrorMessage('VmBackup can only run configs saved on disk: save the file first.');
      return undefined;
    }
    const document = await vscode.workspace.openTextDocument(uri);
    if (document.isDirty && !(await document.save())) return undefined;

    const pool = poolIdentity(uri);
    const password = (await this.passwords.get(pool)) ?? (await this.passwords.prompt(pool));
    if (!password) {
      void vscode.window.showWarningMessage(`VmBackup needs the password of ${describePool(pool)} to run (VmBackup: Set Pool Password).`);
      return undefined;
    }

    if (action === 'backup' && options.confirm && !(await this.confirmBackup(uri, document.getText(), password))) return undefined;
    const exit = await this.execute(action, uri, password, options, true);
    return exit?.code ?? undefined;
  }

  stop(): void {
    if (!this.current) return;
    this.log.warn(`Stopping: SIGTERM sent to the runner (pid ${this.current.pid}); it removes its snapshot and partial backup folder before it exits`);
    this.current.stop();
  }

  private invocation(action: RunAction, uri: vscode.Uri, password: string, extraArgs: readonly string[] | undefined) {
    const settings = normaliseRunnerSettings(vscode.workspace.getConfiguration('vmbackup', uri));
    return buildRunnerInvocation({
      nodePath: process.execPath,
      runnerScript: this.context.asAbsolutePath('dist/vmbackup.js'),
      configPath: uri.fsPath,
      action,
      settings,
      password,
      baseEnv: process.env,
      ...(extraArgs ? { extraArgs } : {}),
    });
  }

  /** Plans the backup with --dry-run and asks the user to confirm VM count and target. */
  private async confirmBackup(uri: vscode.Uri, text: string, password: string): Promise<boolean> {
    const planned = new Map<string, string>();
    const problems: string[] = [];
    const warnings: string[] = [];
    const exit = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'VmBackup: planning the backup…' },
      () =>
        this.spawn('dry-run', uri, password, undefined, {
          event: (event) => {
            if (event.type === 'vm-start') planned.set(event.vm, event.kind);
            if (event.type === 'error') problems.push(errorText(event));
            if (event.type === 'warning') warnings.push(event.message);
            const line = logLineFor(event);
            if (line) this.log.debug(`[plan] ${line.text}`);
          },
          text: (line) => this.log.debug(`[plan] ${line}`),
          stderr: (line) => problems.push(line),
        }),
    );
    if (!exit) return false;
    if (exit.spawnError || (exit.runEnd?.exitCode ?? exit.code) === 2 || (!exit.runEnd && exit.code !== 0)) {
      const show = 'Show Log';
      const reason = problems.at(-1) ?? exit.spawnError?.message ?? `the runner exited with code ${exit.code}`;
      this.log.error(`Backup not started: planning failed: ${reason}`);
      void vscode.window.showErrorMessage(`VmBackup: the backup was not started: ${reason}`, show).then((c) => c === show && this.log.show());
      return false;
    }
    const settings = resolveSettings(parseConfig(text));
    const runner = normaliseRunnerSettings(vscode.workspace.getConfiguration('vmbackup', uri));
    const host = runner.transport === 'ssh' ? runner.sshTarget : 'this machine';
    const names = [...planned.keys()];
    const count = `${names.length} VM${names.length === 1 ? '' : 's'}`;
    const shown = names.slice(0, 12).join(', ') + (names.length > 12 ? `, … (${names.length - 12} more)` : '');
    const run = 'Run Backup';
    const choice = await vscode.window.showWarningMessage(
      `Back up ${count} to ${settings.backupDir} on ${host}?`,
      {
        modal: true,
        detail:
          `Pool: ${poolIdentity(uri).url || 'local host'}\nConfig: ${uri.fsPath}\nVMs: ${shown || 'none'}\n` +
          (warnings.length ? `Warnings: ${warnings.length} (see the VmBackup log), e.g. ${warnings[0]}\n` : '') +
          '\nSnapshots are taken and removed again; old backups beyond max_backups are deleted.',
      },
      run,
    );
    return choice === run;
  }

  private spawn(
    action: RunAction,
    uri: vscode.Uri,
    password: string,
    extraArgs: readonly string[] | undefined,
    listener: ConstructorParameters<typeof RunnerProcess>[1],
  ): Promise<RunnerExit | undefined> {
    try {
      const process = new RunnerProcess(this.invocation(action, uri, password, extraArgs), listener);
      this.current = process;
      void vscode.commands.executeCommand('setContext', 'vmbackup.running', true);
      return process.exited.finally(() => {
        this.current = undefined;
        void vscode.commands.executeCommand('setContext', 'vmbackup.running', false);
      });
    } catch (err) {
      if (err instanceof RunnerSettingsError) {
        void vscode.window.showErrorMessage(`VmBackup: ${err.message}`);
        return Promise.resolve(undefined);
      }
      throw err;
    }
  }

  private async execute(
    action: 'preview' | 'backup',
    uri: vscode.Uri,
    password: string,
    options: RunOptions,
    notify: boolean,
  ): Promise<RunnerExit | undefined> {
    const title = action === 'preview' ? 'Preview' : 'Backup';
    const tracker = new RunTracker();
    const emit = (level: LogLevel, text: string): void => {
      this.log[level](text);
      options.sink?.(level, text);
    };
    // A task shows its own terminal; a command run shows the log.
    if (!options.sink) this.log.show(true);
    emit('info', `── VmBackup ${title}: ${uri.fsPath} (${describePool(poolIdentity(uri))}) ──`);
    const exit = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `VmBackup ${title}`, cancellable: true },
      (progress, token) => {
        const cancel = token.onCancellationRequested(() => this.stop());
        const onEvent = (event: RunEvent): void => {
          const increment = tracker.apply(event);
          const line = logLineFor(event);
          if (line) emit(line.level, line.text);
          progress.report({ message: tracker.message, ...(increment > 0 ? { increment } : {}) });
        };
        return this.spawn(action, uri, password, options.extraArgs, {
          event: onEvent,
          text: (line) => emit('info', line),
          stderr: (line) => {
            tracker.errors.push(line);
            emit('error', line);
          },
        }).finally(() => cancel.dispose());
      },
    );
    if (!exit) return undefined;
    const outcome = describeExit(action, exit, tracker);
    emit(outcome.severity === 'info' ? 'info' : outcome.severity === 'warning' ? 'warn' : 'error', `── ${outcome.text} ──`);
    if (notify) {
      const show = 'Show Log';
      const onChoice = (choice: string | undefined): void => {
        if (choice === show) this.log.show();
      };
      if (outcome.severity === 'info') void vscode.window.showInformationMessage(`VmBackup ${outcome.text}`);
      else if (outcome.severity === 'warning') void vscode.window.showWarningMessage(`VmBackup ${outcome.text}`, show).then(onChoice);
      else void vscode.window.showErrorMessage(`VmBackup ${outcome.text}`, show).then(onChoice);
    }
    return exit;
  }

  dispose(): void {
    this.current?.stop();
  }
}
