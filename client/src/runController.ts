// Run Preview / Run Backup / Stop: one runner process at a time, its events streamed into the
// VmBackup output channel as they arrive, a cancellable progress notification with the
// current VM, and a summary notification at the end (warnings and errors with a button to
// the log). Run Backup first asks the runner for a dry-run plan and confirms, in a modal
// dialog, how many VMs go where. Running needs a trusted workspace: the config, the `xe`
// path and the runner arguments may come from the workspace.
import * as vscode from 'vscode';
import type { RunEvent } from 'vmbackup-runner/backup/events';
import { parseConfig } from 'vmbackup-runner/config';
import { resolveSettings } from 'vmbackup-runner/config';
import { isAuthenticationFailure, poolUrlProblem } from './poolMessages';
import { describePool, poolIdentity, type PoolPasswords } from './poolPassword';
import {
  buildRunnerInvocation,
  normaliseRunnerSettings,
  RunnerSettingsError,
  type RunAction,
} from './runnerInvocation';
import { RunnerProcess, type RunnerExit } from './runnerProcess';
import {
  describeExit,
  distinctProblems,
  listProblems,
  logLineFor,
  plainMessage,
  RunTracker,
  type LogLevel,
} from './runReport';

/** Where a run's lines also go (the task terminal). */
export type LineSink = (level: LogLevel, text: string) => void;

export interface RunOptions {
  /** Extra runner arguments (from a task definition). */
  extraArgs?: readonly string[];
  /** Ask before a backup (the command always; a task unless vmbackup.tasks.confirmBackup is false). */
  confirm: boolean;
  sink?: LineSink;
}

export class RunController implements vscode.Disposable {
  private current: RunnerProcess | undefined;
  private readonly finished = new vscode.EventEmitter<RunAction>();
  /** A runner process ended (a backup changes what the Backups view shows). */
  readonly onDidFinish = this.finished.event;
  /** The tracker of the run in progress (not of a --dry-run plan). */
  private tracker: RunTracker | undefined;

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
    const refuse = (
      text: string,
      show: (message: string) => void = (m) => void vscode.window.showWarningMessage(m),
    ): undefined => {
      options.sink?.('warn', text);
      show(`VmBackup: ${text}`);
      return undefined;
    };
    if (this.current) return refuse('A run is already in progress. Stop it first (VmBackup: Stop).');
    if (!vscode.workspace.isTrusted) {
      options.sink?.('warn', 'This workspace is in Restricted Mode: trust it to run the backup runner.');
      const manage = 'Manage Workspace Trust';
      const choice = await vscode.window.showWarningMessage(
        'VmBackup runs the backup runner with settings from this workspace, which is in Restricted Mode. ' +
          'Trust the workspace to run it.',
        manage,
      );
      if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
      return undefined;
    }
    if (uri.scheme !== 'file') return refuse('only configs saved on disk can run: save the file first.');
    const document = await vscode.workspace.openTextDocument(uri);
    if (document.isDirty && !(await document.save())) return undefined;

    const pool = poolIdentity(uri);
    const urlProblem = poolUrlProblem(pool.url);
    if (urlProblem) {
      options.sink?.('error', urlProblem);
      const open = 'Open Settings';
      void vscode.window.showErrorMessage(`VmBackup: ${urlProblem}`, open).then((c) => {
        if (c === open) void vscode.commands.executeCommand('workbench.action.openSettings', 'vmbackup.pool.url');
      });
      return undefined;
    }
    const password = await this.passwords.forRun(pool);
    if (!password)
      return refuse(`the password of ${describePool(pool)} is needed to run (VmBackup: Set Pool Password).`);

    let planned: string[] = [];
    if (action === 'backup' && options.confirm) {
      const confirmed = await this.confirmBackup(uri, document.getText(), password, options);
      if (confirmed === 'auth') return this.passwordRejected(action, uri, options);
      if (!confirmed) {
        this.log.info('Backup not started: not confirmed.');
        options.sink?.('warn', 'Backup not started: not confirmed.');
        return undefined;
      }
      planned = confirmed;
    }
    const exit = await this.execute(action, uri, password, options, planned);
    if (exit?.authenticationFailed) return this.passwordRejected(action, uri, options);
    return exit?.code ?? undefined;
  }

  /**
   * The pool refused the stored password: remember that (the next run asks instead of failing
   * again), say so, and offer to enter it again and run once more.
   */
  private passwordRejected(action: 'preview' | 'backup', uri: vscode.Uri, options: RunOptions): number {
    const pool = poolIdentity(uri);
    this.passwords.markRejected(pool);
    const text = `The pool rejected the stored password for ${describePool(pool)}.`;
    options.sink?.('error', text);
    const reenter = 'Re-enter Password';
    const show = 'Show Log';
    // Not awaited: a task's terminal closes now; the answer starts a new run of its own.
    void vscode.window.showErrorMessage(`VmBackup: ${text}`, reenter, show).then(async (choice) => {
      if (choice === show) this.log.show();
      if (choice !== reenter) return;
      const password = await this.passwords.prompt(pool, 'rejected');
      if (password) await this.run(action, uri, { confirm: options.confirm });
    });
    return 2;
  }

  stop(): void {
    if (!this.current) return;
    this.tracker?.stopRequested();
    this.log.warn(
      `Stopping: ${this.current.stopMethod} sent to the runner (pid ${this.current.pid}); ` +
        'it removes its snapshot and partial backup folder before it exits',
    );
    this.current.stop();
  }

  private invocation(action: RunAction, uri: vscode.Uri, password: string, extraArgs: readonly string[] | undefined) {
    const settings = normaliseRunnerSettings(vscode.workspace.getConfiguration('vmbackup', uri));
    return buildRunnerInvocation({
      nodePath: process.execPath,
      platform: process.platform,
      runnerScript: this.context.asAbsolutePath('dist/vmbackup.js'),
      configPath: uri.fsPath,
      action,
      settings,
      password,
      baseEnv: process.env,
      ...(extraArgs ? { extraArgs } : {}),
    });
  }

  /**
   * Plans the backup with --dry-run and asks the user to confirm VM count and target. Resolves
   * with the planned VMs when confirmed, false when not, 'auth' when the pool refused the password.
   */
  private async confirmBackup(
    uri: vscode.Uri,
    text: string,
    password: string,
    options: RunOptions,
  ): Promise<string[] | false | 'auth'> {
    const planned = new Map<string, string>();
    const tracker = new RunTracker();
    const warnings: string[] = [];
    options.sink?.('info', 'Planning the backup (dry run)…');
    const exit = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'VmBackup: planning the backup…' },
      () =>
        this.spawn('dry-run', uri, password, undefined, {
          event: (event) => {
            tracker.apply(event);
            if (event.type === 'vm-start') planned.set(event.vm, event.kind);
            if (event.type === 'warning') warnings.push(plainMessage(event.message));
            const line = logLineFor(event);
            if (line) this.log.debug(`[plan] ${line.text}`);
          },
          text: (line) => this.log.debug(`[plan] ${line}`),
          stderr: (line) => tracker.addStderr(line),
        }),
    );
    if (!exit) return false;
    if (tracker.errors.some(isAuthenticationFailure)) return 'auth';
    if (exit.spawnError || (exit.runEnd?.exitCode ?? exit.code) === 2 || (!exit.runEnd && exit.code !== 0)) {
      const show = 'Show Log';
      const errors = distinctProblems(tracker.problems, 'error');
      const reason = errors.length
        ? listProblems(errors)
        : (exit.spawnError?.message ?? `the runner exited with code ${exit.code}`);
      this.log.error(`Backup not started: planning failed: ${reason}`);
      options.sink?.('error', `Backup not started: ${reason}`);
      void vscode.window
        .showErrorMessage(`VmBackup: the backup was not started: ${reason}`, show)
        .then((c) => c === show && this.log.show());
      return false;
    }
    const settings = resolveSettings(parseConfig(text));
    const runner = normaliseRunnerSettings(vscode.workspace.getConfiguration('vmbackup', uri));
    const host = runner.transport === 'ssh' ? runner.sshTarget : 'this machine';
    const names = [...planned.keys()];
    const count = `${names.length} VM${names.length === 1 ? '' : 's'}`;
    const shown = names.slice(0, 12).join(', ') + (names.length > 12 ? `, … (${names.length - 12} more)` : '');
    this.log.info(`Backup plan for ${uri.fsPath}: ${count} to ${settings.backupDir} on ${host}`);
    for (const [vm, kind] of planned) this.log.info(`  ${kind} ${vm}`);
    for (const warning of warnings) this.log.warn(`  ${warning}`);
    // The safe button comes first: VS Code makes the first button the focused default, so
    // Enter opens the plan in the log and never starts a backup by itself.
    const showPlan: vscode.MessageItem = { title: 'Show Plan' };
    const run: vscode.MessageItem = { title: 'Run Backup' };
    const cancel: vscode.MessageItem = { title: 'Cancel', isCloseAffordance: true };
    const choice = await vscode.window.showWarningMessage(
      `Back up ${count} to ${settings.backupDir} on ${host}?`,
      {
        modal: true,
        detail:
          `Pool: ${poolIdentity(uri).url || 'local host'}\nConfig: ${uri.fsPath}\nVMs: ${shown || 'none'}\n` +
          (warnings.length ? `Warnings: ${warnings.length} (see the VmBackup log), e.g. ${warnings[0]}\n` : '') +
          '\nSnapshots are taken and removed again; old backups beyond max_backups are deleted.',
      },
      showPlan,
      run,
      cancel,
    );
    if (choice === showPlan) this.log.show();
    return choice === run ? names : false;
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
        this.finished.fire(action);
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
    planned: readonly string[],
  ): Promise<(RunnerExit & { authenticationFailed: boolean }) | undefined> {
    const title = action === 'preview' ? 'Preview' : 'Backup';
    const tracker = new RunTracker(planned);
    const emit = (level: LogLevel, text: string): void => {
      this.log[level](text);
      options.sink?.(level, text);
    };
    // A task shows its own terminal; a command run shows the log.
    if (!options.sink) this.log.show(true);
    emit('info', `── VmBackup ${title}: ${uri.fsPath} (${describePool(poolIdentity(uri))}) ──`);
    this.tracker = tracker;
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
            tracker.addStderr(line);
            emit('error', line);
          },
        }).finally(() => {
          cancel.dispose();
          this.tracker = undefined;
        });
      },
    );
    if (!exit) return undefined;
    const authenticationFailed = tracker.started.length === 0 && tracker.errors.some(isAuthenticationFailure);
    const outcome = describeExit(action, exit, tracker);
    emit(
      outcome.severity === 'info' ? 'info' : outcome.severity === 'warning' ? 'warn' : 'error',
      `── ${outcome.text} ──`,
    );
    // A rejected password gets its own notification (with Re-enter Password) instead.
    if (!authenticationFailed) {
      const show = 'Show Log';
      const onChoice = (choice: string | undefined): void => {
        if (choice === show) this.log.show();
      };
      if (outcome.severity === 'info') void vscode.window.showInformationMessage(`VmBackup ${outcome.text}`);
      else if (outcome.severity === 'warning')
        void vscode.window.showWarningMessage(`VmBackup ${outcome.text}`, show).then(onChoice);
      else void vscode.window.showErrorMessage(`VmBackup ${outcome.text}`, show).then(onChoice);
    }
    return { ...exit, authenticationFailed };
  }

  dispose(): void {
    this.current?.stop();
    this.finished.dispose();
  }
}
