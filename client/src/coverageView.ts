// The "VmBackup Pool Coverage" view (Explorer): the language server's coverage report as a
// tree (coverageTree.ts). Refreshed by its title button, when the pool status changes and when
// a VmBackup config is saved; empty (with a welcome text) while there is no pool inventory.
import * as vscode from 'vscode';
import { Methods, type CoverageReport } from '../../server/src/protocol';
import { coverageNodes, type CoverageNode } from './coverageTree';
import type { LanguageServer } from './languageServer';

export const COVERAGE_VIEW = 'vmbackup.coverage';

export class CoverageView implements vscode.TreeDataProvider<CoverageNode>, vscode.Disposable {
  private nodes: CoverageNode[] = [];
  private readonly changed = new vscode.EventEmitter<CoverageNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<CoverageNode>;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly server: LanguageServer,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.view = vscode.window.createTreeView(COVERAGE_VIEW, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.view.onDidChangeVisibility((e) => e.visible && void this.refresh()),
      server.onPoolStatus((status) => {
        if (this.view.visible && (status.state === 'connected' || status.state === 'stale')) void this.refresh();
      }),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (doc.languageId === 'vmbackup' && this.view.visible) void this.refresh();
      }),
    );
  }

  /** Asks the server for a new report (one request at a time). */
  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async load(): Promise<void> {
    try {
      const client = await this.server.ensureStarted();
      const report = await client.sendRequest<CoverageReport | null>(Methods.coverage, {});
      this.nodes = report ? coverageNodes(report) : [];
      const missing = report?.notBackedUp.length ?? 0;
      this.view.badge = missing
        ? { value: missing, tooltip: `${missing} VM${missing === 1 ? '' : 's'} no config backs up` }
        : undefined;
      this.view.message = report
        ? undefined
        : 'No pool inventory yet: connect to a pool to see which VMs the configs back up.';
    } catch (err) {
      this.nodes = [];
      this.view.message = `Coverage not available: ${err instanceof Error ? err.message : String(err)}`;
      this.log.warn(this.view.message);
    }
    this.changed.fire(undefined);
  }

  getChildren(node?: CoverageNode): CoverageNode[] {
    return node ? ('children' in node ? node.children : []) : this.nodes;
  }

  getTreeItem(node: CoverageNode): vscode.TreeItem {
    const collapsible =
      'children' in node && node.children.length > 0
        ? node.kind === 'group' && node.id !== 'configs'
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed
        : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(node.label, collapsible);
    item.id = node.id;
    item.description = node.description;
    switch (node.kind) {
      case 'group':
        item.iconPath = new vscode.ThemeIcon(
          node.id === 'missing' ? 'warning' : node.id === 'twice' ? 'copy' : 'files',
        );
        break;
      case 'vm':
        item.tooltip = node.tooltip;
        item.iconPath = new vscode.ThemeIcon(
          'vm',
          node.warning ? new vscode.ThemeColor('list.warningForeground') : undefined,
        );
        break;
      case 'config':
        item.resourceUri = vscode.Uri.parse(node.uri);
        item.command = { title: 'Open', command: 'vscode.open', arguments: [vscode.Uri.parse(node.uri)] };
        break;
      case 'line': {
        const position = new vscode.Position(node.location.line, 0);
        item.iconPath = new vscode.ThemeIcon('go-to-file');
        item.command = {
          title: 'Open',
          command: 'vscode.open',
          arguments: [vscode.Uri.parse(node.location.uri), { selection: new vscode.Range(position, position) }],
        };
        break;
      }
    }
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
