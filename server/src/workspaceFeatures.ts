// Wiring of the features that look beyond one document: Definition / References / Rename
// across configs, document links, "Check all VmBackup configs" (vmbackup/checkConfigs), pool
// coverage (vmbackup/coverage) and VMB047. The answers come from the pure functions in
// service/navigation.ts, service/workspace.ts and service/links.ts.
import { FileChangeType, type Connection, type TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ConfigDiagnostic, ParsedConfig } from 'vmbackup-runner/config';
import type { DocumentStore } from './documentStore';
import type { PoolSnapshot } from './livePool';
import type { ServerSettings } from './settings';
import {
  Methods,
  type BackupTargets,
  type CheckConfigsParams,
  type CheckConfigsResult,
  type CoverageReport,
} from './protocol';
import { analyseConfig } from './service/analysis';
import { analyseSelection } from './service/selection';
import { effectiveDiagnostics, toLspDiagnostic } from './service/diagnostics';
import { definition, prepareRename, references, rename } from './service/navigation';
import { documentLinks } from './service/links';
import { coverage, crossConfigDiagnostics, type WorkspaceConfig } from './service/workspace';
import type { WorkspaceConfigs } from './workspace';

export interface WorkspaceWiring {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  store: DocumentStore;
  workspace: WorkspaceConfigs;
  settings: () => ServerSettings;
  pool: () => PoolSnapshot;
  docsUri: () => string | undefined;
  /** Re-validates the open documents (their VMB047 may change). */
  revalidateOpen: () => void;
}

export function registerWorkspaceFeatures(w: WorkspaceWiring): {
  publishDisk: (uri: string) => void;
  republishDisk: () => void;
} {
  const { connection, documents, store, workspace } = w;
  const open = (): WorkspaceConfig[] =>
    documents.all().map((d) => ({ uri: d.uri, config: store.context(d, false).analysis.config }));

  store.crossConfig = (uri, config, plan, pool) => {
    if (!workspace.active || !pool.inventory || !plan) return [];
    return crossConfigDiagnostics(
      uri,
      config,
      plan,
      workspace.othersIndex(uri, open(), pool.inventory, pool.generation),
    );
  };

  /** The diagnostics of a config that is not open, as the Problems panel lists it. */
  function diskDiagnostics(uri: string, config: ParsedConfig): ConfigDiagnostic[] {
    const settings = w.settings();
    const pool = w.pool();
    const analysis = analyseConfig(config, settings);
    const selection = analyseSelection(analysis, pool.inventory);
    const cross = store.crossConfig(uri, config, selection.plan, pool);
    return effectiveDiagnostics(config, [...analysis.configDiagnostics, ...selection.diagnostics, ...cross], settings);
  }

  function publishDisk(uri: string): void {
    const config = workspace.all([]).find((c) => c.uri === uri)?.config;
    if (!config || documents.get(uri)) return;
    const diagnostics = diskDiagnostics(uri, config);
    void connection.sendDiagnostics({ uri, diagnostics: diagnostics.map((d) => toLspDiagnostic(d, uri, w.docsUri())) });
  }

  connection.onRequest(
    Methods.checkConfigs,
    async (params: CheckConfigsParams | undefined): Promise<CheckConfigsResult> => {
      const { found, skipped } = await workspace.load(params?.uris);
      const configs: CheckConfigsResult['configs'] = [];
      for (const uri of found) {
        const document = documents.get(uri);
        const diagnostics = document
          ? store.diagnostics(document)
          : diskDiagnostics(uri, workspace.all([]).find((c) => c.uri === uri)!.config);
        if (!document) {
          void connection.sendDiagnostics({
            uri,
            diagnostics: diagnostics.map((d) => toLspDiagnostic(d, uri, w.docsUri())),
          });
        }
        configs.push({
          uri,
          errors: diagnostics.filter((d) => d.severity === 'error').length,
          warnings: diagnostics.filter((d) => d.severity === 'warning').length,
          open: document !== undefined,
        });
      }
      w.revalidateOpen();
      return { configs, skipped };
    },
  );

  connection.onRequest(
    Methods.coverage,
    async (params: CheckConfigsParams | undefined): Promise<CoverageReport | null> => {
      if (!workspace.active || params?.uris) await workspace.load(params?.uris);
      const inventory = w.pool().inventory;
      return inventory ? coverage(workspace.all(open()), inventory) : null;
    },
  );

  connection.onRequest(Methods.backupTargets, async (): Promise<BackupTargets> => {
    if (!workspace.active) await workspace.load();
    const disks = w.pool().inventory?.vms.flatMap((vm) => vm.disks) ?? [];
    return {
      configs: workspace.all(open()).map((c) => c.uri),
      srNames: [...new Set(disks.map((d) => d.srName).filter((name) => name !== ''))].sort(),
    };
  });

  function guarded<P extends { textDocument: { uri: string } }, R>(
    name: string,
    handler: (p: P, d: TextDocument) => R | Promise<R>,
  ) {
    return async (params: P): Promise<R | null> => {
      const document = documents.get(params.textDocument.uri);
      if (!document) return null;
      try {
        return await handler(params, document);
      } catch (error) {
        connection.console.error(
          `${name} failed for ${params.textDocument.uri}: ${(error as Error).stack ?? String(error)}`,
        );
        return null;
      }
    };
  }
  /** Across configs: scan the workspace once, on the first request that needs it. */
  async function allConfigs(): Promise<WorkspaceConfig[]> {
    if (!workspace.active) await workspace.load();
    return workspace.all(open());
  }

  connection.onDefinition(
    guarded('definition', async (p, d) => definition(store.context(d), p.position, await allConfigs())),
  );
  connection.onReferences(
    guarded('references', async (p, d) => references(store.context(d), p.position, await allConfigs())),
  );
  connection.onPrepareRename(guarded('prepareRename', (p, d) => prepareRename(store.context(d), p.position)));
  connection.onRenameRequest(
    guarded('rename', async (p, d) => rename(store.context(d), p.position, p.newName, await allConfigs())),
  );
  connection.onDocumentLinks(guarded('documentLinks', (_p, d) => documentLinks(store.context(d, false))));
  // Configs on disk stay current in Problems: the client's file watcher reports changes.
  connection.onDidChangeWatchedFiles(async ({ changes }) => {
    for (const change of changes) {
      const result = await workspace.fileChanged(change.uri, change.type === FileChangeType.Deleted);
      if (result === 'updated') publishDisk(change.uri);
      else if (result === 'removed' && !documents.get(change.uri)) {
        void connection.sendDiagnostics({ uri: change.uri, diagnostics: [] });
      }
    }
    if (changes.length) w.revalidateOpen();
  });

  /** Pool or settings changed: the configs that are not open get fresh diagnostics too. */
  function republishDisk(): void {
    if (!workspace.active) return;
    for (const { uri } of workspace.all([])) publishDisk(uri);
  }
  return { publishDisk, republishDisk };
}
