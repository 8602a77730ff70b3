// Task provider for `"type": "vmbackup"`: preview and backup of a config as VS Code tasks, so
// they can be bound to keys, chained, or run from tasks.json. Each task runs the same runner
// through the RunController in a pseudoterminal that shows the run's log lines. A backup task
// is never a build task and asks like Run Backup does (taskRules.ts).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LogLevel } from './runReport';
import type { RunController } from './runController';
import { taskGroupKind, taskNeedsConfirmation } from './taskRules';

export const TASK_TYPE = 'vmbackup';

interface VmbackupTaskDefinition extends vscode.TaskDefinition {
  action: 'preview' | 'backup';
  config: string;
  args?: string[];
}

const COLORS: Record<LogLevel, string> = { trace: '2', debug: '2', info: '0', warn: '33', error: '31' };

export class VmbackupTaskProvider implements vscode.TaskProvider {
  constructor(private readonly runs: RunController) {}

  async provideTasks(): Promise<vscode.Task[]> {
    const files = new Map<string, vscode.Uri>();
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.languageId === 'vmbackup' && doc.uri.scheme === 'file') files.set(doc.uri.fsPath, doc.uri);
    }
    const found = await vscode.workspace.findFiles(
      '{**/*.vmbackup.cfg,**/NAUbackup/**/*.cfg,**/VmBackup/**/*.cfg}',
      '**/node_modules/**',
      50,
    );
    for (const uri of found) files.set(uri.fsPath, uri);
    const tasks: vscode.Task[] = [];
    for (const uri of files.values()) {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      const config = folder ? path.relative(folder.uri.fsPath, uri.fsPath) : uri.fsPath;
      for (const action of ['preview', 'backup'] as const) {
        tasks.push(this.createTask({ type: TASK_TYPE, action, config }, folder ?? vscode.TaskScope.Workspace));
      }
    }
    return tasks;
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const definition = task.definition as VmbackupTaskDefinition;
    if ((definition.action !== 'preview' && definition.action !== 'backup') || typeof definition.config !== 'string')
      return undefined;
    return this.createTask(definition, task.scope ?? vscode.TaskScope.Workspace);
  }

  private createTask(
    definition: VmbackupTaskDefinition,
    scope: vscode.WorkspaceFolder | vscode.TaskScope,
  ): vscode.Task {
    const name = `${definition.action} ${definition.config}`;
    const execution = new vscode.CustomExecution(async () => this.terminal(definition, scope));
    // No problem matcher: the run's problems are the language server's diagnostics (and an
    // explicit empty list keeps VS Code from asking which matcher to scan the output with).
    const task = new vscode.Task(definition, scope, name, 'vmbackup', execution, []);
    // Never the Build group: Ctrl+Shift+B must not be able to start a backup.
    if (taskGroupKind(definition.action) === 'test') task.group = vscode.TaskGroup.Test;
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true };
    return task;
  }

  private terminal(
    definition: VmbackupTaskDefinition,
    scope: vscode.WorkspaceFolder | vscode.TaskScope,
  ): vscode.Pseudoterminal {
    const write = new vscode.EventEmitter<string>();
    const close = new vscode.EventEmitter<number>();
    const configPath =
      path.isAbsolute(definition.config) || typeof scope !== 'object'
        ? definition.config
        : path.join(scope.uri.fsPath, definition.config);
    return {
      onDidWrite: write.event,
      onDidClose: close.event,
      open: () => {
        const uri = vscode.Uri.file(configPath);
        const confirm = taskNeedsConfirmation(definition.action, vscode.workspace.getConfiguration('vmbackup', uri));
        const sink = (level: LogLevel, text: string): void => {
          write.fire(`\x1b[${COLORS[level]}m${text.replace(/\r?\n/g, '\r\n')}\x1b[0m\r\n`);
        };
        this.runs
          .run(definition.action, uri, { confirm, sink, ...(definition.args ? { extraArgs: definition.args } : {}) })
          .then(
            (code) => close.fire(code ?? 1),
            (err: unknown) => {
              sink('error', err instanceof Error ? err.message : String(err));
              close.fire(1);
            },
          );
      },
      close: () => this.runs.stop(),
    };
  }
}
