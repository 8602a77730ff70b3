// The "VmBackup Backups" view (Explorer): every workspace config's backup_dir as the runner
// lists it (`vmbackup list --json`, local or over the ssh transport of runs), rendered from
// backupsTree.ts, with the actions Verify, Restore…, Health Check, Reveal and Delete. The
// runner does the work; this file asks the questions and shows the answers.
import { spawn } from 'node:child_process';
import * as vscode from 'vscode';
import type { RunEvent } from 'vmbackup-runner/backup/events';
import type { BackupListing } from 'vmbackup-runner/backups/types';
import { Methods, type BackupTargets } from '../../server/src/protocol';
import { confirmButtons, defaultRestoreName, restoreNameProblem, srChoices, type Confirmation } from './backupActions';
import {
  deleteInvocation,
  listInvocation,
  parseDeleteReport,
  parseListing,
  parseVerifyReport,
  restoreInvocation,
  verifyInvocation,
  type InvocationBase,
} from './backupCommands';
import {
  applyVerification,
  configNode,
  deletionRefusal,
  failedConfigNode,
  findBackup,
  type BackupItem,
  type BackupsNode,
} from './backupsTree';
import type { LanguageServer } from './languageServer';
import { describePool, poolIdentity, type PoolPasswords } from './poolPassword';
import { normaliseRunnerSettings, type RunnerInvocation } from './runnerInvocation';
import { RunnerProcess } from './runnerProcess';

export const BACKUPS_VIEW = 'vmbackup.backups';

interface Captured {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a read-only runner command to its end and keeps its output (no shell, as every run). */
function capture(invocation: RunnerInvocation): Promise<Captured> {
  return new Promise((resolve) => {
    const child = spawn(invocation.command, invocation.args, {
      cwd: invocation.cwd,
      env: invocation.env,
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', (err) => resolve({ code: null, stdout, stderr: `${stderr}${err.message}` }));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export class BackupsView implements vscode.TreeDataProvider<BackupsNode>, vscode.Disposable {
  private nodes: BackupsNode[] = [];
  private readonly listings = new Map<string, { label: string; listing: BackupListing }>();
  private srNames: string[] = [];
  private readonly changed = new vscode.EventEmitter<BackupsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<BackupsNode>;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly server: LanguageServer,
    private readonly passwords: PoolPasswords,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.view = vscode.window.createTreeView(BACKUPS_VIEW, { treeDataProvider: this, showCollapseAll: true });
    const item = (handler: (item: BackupItem) => Promise<void>) => (node: BackupsNode | undefined) => {
      const target = node ?? this.view.selection[0];
      if (target?.kind === 'backup') return handler(target);
      void vscode.window.showInformationMessage('VmBackup: select a backup in the Backups view first.');
      return undefined;
    };
    this.disposables.push(
      this.view,
      this.view.onDidChangeVisibility((e) => e.visible && void this.refresh()),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (doc.languageId === 'vmbackup' && this.view.visible) void this.refresh();
      }),
      vscode.commands.registerCommand('vmbackup.refreshBackups', () => this.refresh()),
      vscode.commands.registerCommand(
        'vmbackup.verifyBackup',
        item((b) => this.verify(b)),
      ),
      vscode.commands.registerCommand(
        'vmbackup.restoreBackup',
        item((b) => this.restore(b, 'restore')),
      ),
      vscode.commands.registerCommand(
        'vmbackup.healthCheckBackup',
        item((b) => this.restore(b, 'healthcheck')),
      ),
      vscode.commands.registerCommand(
        'vmbackup.revealBackup',
        item((b) => this.reveal(b)),
      ),
      vscode.commands.registerCommand(
        'vmbackup.deleteBackup',
        item((b) => this.delete(b)),
      ),
    );
  }

  private base(uri: vscode.Uri): InvocationBase {
    return {
      nodePath: process.execPath,
      runnerScript: this.context.asAbsolutePath('dist/vmbackup.js'),
      settings: normaliseRunnerSettings(vscode.workspace.getConfiguration('vmbackup', uri)),
      platform: process.platform,
      baseEnv: process.env,
    };
  }

  /** Lists every config's backups again (one refresh at a time). */
  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** After a backup run: the view lists again only when it is shown (it does when it opens). */
  refreshIfVisible(): void {
    if (this.view.visible) void this.refresh();
  }

  private async load(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.nodes = [];
      this.view.message = 'Trust this workspace to list its backups: listing runs the backup runner.';
      this.changed.fire(undefined);
      return;
    }
    try {
      const client = await this.server.ensureStarted();
      const targets = await client.sendRequest<BackupTargets>(Methods.backupTargets);
      this.srNames = targets.srNames;
      const uris = targets.configs.map((u) => vscode.Uri.parse(u)).filter((u) => u.scheme === 'file');
      this.listings.clear();
      this.nodes = await Promise.all(uris.map((uri) => this.listConfig(uri)));
      this.view.message = uris.length ? undefined : 'No VmBackup config in this workspace.';
    } catch (err) {
      this.nodes = [];
      this.view.message = `Backups not available: ${err instanceof Error ? err.message : String(err)}`;
      this.log.warn(this.view.message);
    }
    this.changed.fire(undefined);
  }

  private async listConfig(uri: vscode.Uri): Promise<BackupsNode> {
    const label = vscode.workspace.asRelativePath(uri);
    try {
      const result = await capture(listInvocation(this.base(uri), uri.fsPath));
      const listing = parseListing(result.stdout, result.stderr);
      this.listings.set(uri.toString(), { label, listing });
      return configNode(uri.toString(), label, listing);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log.warn(`vmbackup list ${uri.fsPath}: ${message}`);
      return failedConfigNode(uri.toString(), label, message);
    }
  }

  private rebuild(configUri: string, listing: BackupListing): void {
    const entry = this.listings.get(configUri);
    if (!entry) return;
    this.listings.set(configUri, { label: entry.label, listing });
    this.nodes = this.nodes.map((n) => (n.id === configUri ? configNode(configUri, entry.label, listing) : n));
    this.changed.fire(undefined);
  }

  private async verify(item: BackupItem): Promise<void> {
    const uri = vscode.Uri.parse(item.configUri);
    const report = await vscode.window.withProgress(
      { location: { viewId: BACKUPS_VIEW }, title: `Verifying ${item.vm} ${item.label}` },
      async () => {
        const result = await capture(verifyInvocation(this.base(uri), [item.path], uri.fsPath));
        return parseVerifyReport(result.stdout, result.stderr);
      },
    );
    const listing = this.listings.get(item.configUri)?.listing;
    if (listing) this.rebuild(item.configUri, applyVerification(listing, report.folders));
    const folder = report.folders[0];
    this.log.info(`verify ${item.path}: ${folder?.result ?? 'no result'} ${folder?.damage ?? folder?.error ?? ''}`);
    for (const line of folder?.checked ?? []) this.log.info(`  ${line}`);
    const updated = findBackup(this.nodes, item.configUri, item.path);
    if (updated) void this.view.reveal(updated, { select: true, focus: false }).then(undefined, () => undefined);
    if (folder?.result === 'good')
      void vscode.window.showInformationMessage(`VmBackup: ${item.vm} ${item.label} is good.`);
    else {
      const reason = folder?.damage ?? folder?.error ?? 'no result';
      void vscode.window.showErrorMessage(
        `VmBackup: ${item.vm} ${item.label}: ${folder?.result ?? 'error'}: ${reason}`,
      );
    }
  }

  private async confirm(kind: Confirmation, message: string, detail: string): Promise<'dry-run' | 'act' | undefined> {
    const [safe, act] = confirmButtons(kind);
    const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, safe!, act!);
    if (choice === act) return 'act';
    return choice === safe && kind !== 'delete' ? 'dry-run' : undefined;
  }

  private async restore(item: BackupItem, verb: 'restore' | 'healthcheck'): Promise<void> {
    const uri = vscode.Uri.parse(item.configUri);
    let name: string | undefined;
    if (verb === 'restore') {
      const date = /^\d{4}-\d{2}-\d{2}/.exec(item.label)?.[0] ?? '';
      name = await vscode.window.showInputBox({
        title: `Restore ${item.vm} ${item.label}`,
        prompt: 'Name of the new VM (an existing VM is never overwritten)',
        value: defaultRestoreName(item.vm, date),
        validateInput: restoreNameProblem,
        // A background refresh of the view (a save, a run ending) must not close the question.
        ignoreFocusOut: true,
      });
      if (name === undefined) return;
    }
    const sr = await vscode.window.showQuickPick(srChoices(this.srNames), {
      title: `${verb === 'restore' ? 'Restore' : 'Health check'}: storage repository`,
      placeHolder: this.srNames.length
        ? 'SR for the disks'
        : 'No pool inventory: the pool default SR, or connect first',
      ignoreFocusOut: true,
    });
    if (!sr) return;
    const pool = poolIdentity(uri);
    const what = verb === 'restore' ? `Restore ${item.vm} ${item.label} as "${name}"?` : `Health check ${item.vm}?`;
    const detail =
      `Backup: ${item.path}\nPool: ${pool.url || 'local host'}\nSR: ${sr.label}\n\n` +
      (verb === 'restore'
        ? 'A new VM is created in the pool; no existing VM is changed.'
        : 'The backup is restored under a temporary name, started, then removed again.');
    const answer = await this.confirm(verb, what, detail);
    if (!answer) return;
    const password = await this.passwords.forRun(pool);
    if (!password) {
      void vscode.window.showWarningMessage(`VmBackup: the password of ${describePool(pool)} is needed.`);
      return;
    }
    const choice = { ...(name !== undefined ? { name } : {}), ...(sr.sr !== undefined ? { sr: sr.sr } : {}) };
    const invocation = restoreInvocation(this.base(uri), verb, item.path, choice, password, uri.fsPath);
    if (answer === 'dry-run') invocation.args.splice(invocation.args.indexOf('--'), 0, '--dry-run');
    this.log.show(true);
    this.log.info(`${verb}${answer === 'dry-run' ? ' (dry run)' : ''} ${item.path}`);
    let report: Extract<RunEvent, { type: 'restore-report' }> | undefined;
    const exit = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `VmBackup ${verb} ${item.vm}`, cancellable: true },
      (progress, token) => {
        const runner = new RunnerProcess(invocation, {
          event: (e) => {
            if (e.type === 'restore-report') report = e;
            this.log.info(e.message);
            progress.report({ message: e.message.slice(0, 100) });
          },
          text: (line) => this.log.info(line),
          stderr: (line) => this.log.error(line),
        });
        token.onCancellationRequested(() => runner.stop());
        return runner.exited;
      },
    );
    const ok = exit.code === 0;
    const text = `VmBackup ${verb}${answer === 'dry-run' ? ' (dry run)' : ''} of ${item.vm} ${item.label}`;
    const made =
      report?.newName && !report.dryRun ? `: ${report.newName}${report.newUuid ? ` (${report.newUuid})` : ''}` : '';
    if (ok) void vscode.window.showInformationMessage(`${text} finished${made}.`);
    else
      void vscode.window.showErrorMessage(`${text} failed (exit ${exit.code ?? exit.signal}): see the VmBackup log.`);
  }

  private async reveal(item: BackupItem): Promise<void> {
    const settings = normaliseRunnerSettings(
      vscode.workspace.getConfiguration('vmbackup', vscode.Uri.parse(item.configUri)),
    );
    if (settings.transport === 'ssh') {
      await vscode.env.clipboard.writeText(item.path);
      void vscode.window.showInformationMessage(`VmBackup: copied the path on ${settings.sshTarget}: ${item.path}`);
      return;
    }
    await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(item.path));
  }

  private async delete(item: BackupItem): Promise<void> {
    const uri = vscode.Uri.parse(item.configUri);
    // Decided on a fresh listing: a run may have finished since the view was drawn.
    const fresh = await this.listConfig(uri);
    this.nodes = this.nodes.map((n) => (n.id === fresh.id ? fresh : n));
    this.changed.fire(undefined);
    const listing = this.listings.get(item.configUri)?.listing;
    const vm = listing?.vms.find((v) => v.backups.some((b) => b.path === item.path));
    const entry = vm?.backups.find((b) => b.path === item.path);
    const refusal = vm && entry ? deletionRefusal(vm, entry.folder) : `${item.path} is no longer listed.`;
    if (refusal || !listing) {
      void vscode.window.showWarningMessage(`VmBackup: ${refusal ?? `${item.path} is no longer listed.`}`);
      return;
    }
    const answer = await this.confirm(
      'delete',
      `Delete the backup ${item.vm} ${item.label}?`,
      `${item.path}\n\nThe folder and everything in it is removed from disk. This cannot be undone.`,
    );
    if (answer !== 'act') return;
    // The runner deletes (locally or on the ssh target), applying the same rule again on the disk.
    const invocation = deleteInvocation(this.base(uri), [item.path], listing.backupDir, uri.fsPath);
    const result = await capture(invocation);
    let outcome: string;
    try {
      const folder = parseDeleteReport(result.stdout, result.stderr).folders[0];
      outcome = folder?.result === 'deleted' ? 'deleted' : `${folder?.result ?? 'error'}: ${folder?.reason ?? ''}`;
    } catch (err) {
      outcome = `error: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (outcome === 'deleted') {
      this.log.info(`deleted backup ${item.path} on ${listing.host}`);
      void vscode.window.showInformationMessage(`VmBackup: deleted ${item.vm} ${item.label}.`);
    } else {
      this.log.warn(`delete ${item.path}: ${outcome}`);
      void vscode.window.showErrorMessage(`VmBackup: ${item.vm} ${item.label} not deleted: ${outcome}`);
    }
    await this.refresh();
  }

  getChildren(node?: BackupsNode): BackupsNode[] {
    return node ? ('children' in node ? node.children : []) : this.nodes;
  }

  getParent(node: BackupsNode): BackupsNode | undefined {
    const search = (list: readonly BackupsNode[], parent?: BackupsNode): BackupsNode | undefined => {
      for (const n of list) {
        if (n.id === node.id) return parent;
        if ('children' in n) {
          const found = search(n.children, n);
          if (found) return found;
        }
      }
      return undefined;
    };
    return search(this.nodes);
  }

  getTreeItem(node: BackupsNode): vscode.TreeItem {
    const collapsible =
      'children' in node
        ? node.kind === 'config'
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed
        : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(node.label, collapsible);
    item.id = node.id;
    item.tooltip = node.tooltip;
    switch (node.kind) {
      case 'config':
        item.description = node.description;
        item.iconPath = new vscode.ThemeIcon('file-directory');
        item.contextValue = 'config';
        item.resourceUri = vscode.Uri.parse(node.uri);
        break;
      case 'vm':
        item.description = node.description;
        item.iconPath = new vscode.ThemeIcon('vm');
        break;
      case 'backup':
        item.description = node.description;
        item.iconPath = new vscode.ThemeIcon(node.icon, new vscode.ThemeColor(node.color));
        item.contextValue = node.contextValue;
        break;
      case 'dump':
        item.description = node.description;
        item.iconPath = new vscode.ThemeIcon('database');
        break;
      case 'message':
        item.iconPath = new vscode.ThemeIcon(node.error ? 'error' : 'info');
        break;
    }
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
