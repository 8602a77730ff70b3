// Connection wiring: documents, settings, debounced validation, the live pool and the custom
// protocol. All IDE answers come from the pure functions in ./service. startServer() holds all
// of a server's state, so tests can run one in-process on any connection; main.ts is the
// stdio entry point of the bundle.
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  TextDocuments,
  type Connection,
  TextDocumentSyncKind,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LivePool, type PoolSnapshot } from './livePool';
import {
  Methods,
  SETTINGS_SECTION,
  type ServerStats,
  type SetPoolPasswordParams,
  type VmbackupInitializationOptions,
} from './protocol';
import { DEFAULT_SETTINGS, normaliseSettings, type ServerSettings } from './settings';
import { DocumentStore, type PlanTiming } from './documentStore';
import { registerFeatures } from './features';
import { FIX_ALL_KIND } from './service/codeActions';
import { WorkspaceConfigs } from './workspace';
import { registerWorkspaceFeatures } from './workspaceFeatures';

import { VERSION } from 'vmbackup-runner/version';

/** Wires a language server to `connection` and starts listening on it. */
/** What a test may inject; the process entry (main.ts) passes nothing. */
export interface ServerOptions {
  /** How plans are timed (a slow plan is deferred while typing); default: the real clock. */
  planTiming?: PlanTiming;
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  let settings: ServerSettings = DEFAULT_SETTINGS;
  let canPullConfiguration = false;
  let canRefreshCodeLens = false;
  let canRefreshInlayHints = false;
  let canWatchFiles = false;
  let validationDelay = 10;
  let pool: LivePool | undefined;
  let lastPoolGeneration = -1;
  const timers = new Map<string, NodeJS.Timeout>();
  // Pool requests wait until the first settings are read, so that a password sent right after
  // `initialized` is used for the configured pool rather than arriving before there is one.
  let markSettingsRead: () => void = () => undefined;
  const settingsRead = new Promise<void>((resolve) => (markSettingsRead = resolve));

  const emptySnapshot = (): PoolSnapshot => ({
    status: { state: 'disconnected', vmCount: 0, message: 'No pool configured (set vmbackup.pool.url).', url: '' },
    generation: 0,
  });
  /** initializationOptions.docsUri: the bundled docs/diagnostics.md the code links point into. */
  let docsUri: string | undefined;
  const workspace = new WorkspaceConfigs();
  const store = new DocumentStore(
    () => settings,
    () => pool?.snapshot() ?? emptySnapshot(),
    () => docsUri,
    options.planTiming,
  );

  function log(message: string): void {
    connection.console.log(message);
  }

  /** A slow selection plan is redone once typing pauses this long. */
  const DEFERRED_PLAN_DELAY_MS = 300;

  function publish(document: TextDocument, full: boolean): void {
    timers.delete(document.uri);
    if (documents.get(document.uri) !== document) return; // closed or replaced meanwhile
    try {
      let diagnostics: Diagnostic[] = [];
      if (settings.validate.enable) {
        const result = full
          ? { diagnostics: store.diagnostics(document), complete: true }
          : store.quickDiagnostics(document);
        diagnostics = store.toLsp(document, result.diagnostics);
        if (!result.complete)
          timers.set(
            document.uri,
            setTimeout(() => publish(document, true), DEFERRED_PLAN_DELAY_MS),
          );
        // Hints and lenses were served from the previous plan meanwhile: ask for them again.
        if (full) refreshViews();
      }
      void connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics });
    } catch (error) {
      connection.console.error(`validation of ${document.uri} failed: ${(error as Error).stack ?? String(error)}`);
    }
  }

  /** `full`: also redo a slow plan now (settings or pool changed, nobody is typing). */
  function scheduleValidation(document: TextDocument, delay = validationDelay, full = false): void {
    clearTimeout(timers.get(document.uri));
    timers.set(
      document.uri,
      setTimeout(() => publish(document, full), delay),
    );
  }

  function refreshViews(): void {
    if (canRefreshCodeLens) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    if (canRefreshInlayHints) void connection.languages.inlayHint.refresh().catch(() => undefined);
  }

  function revalidateAll(): void {
    // Pool and settings changes come while nobody types: the diagnostics go out complete at
    // once instead of losing the pool results until the next pause.
    for (const document of documents.all()) scheduleValidation(document, 0, true);
    refreshViews();
    workspaceWiring.republishDisk();
  }

  let lastSettingsJson = '';
  let initialStatusSent = false;

  async function pullSettings(): Promise<void> {
    if (canPullConfiguration) {
      try {
        settings = normaliseSettings(await connection.workspace.getConfiguration({ section: SETTINGS_SECTION }));
      } catch (error) {
        log(`could not read the ${SETTINGS_SECTION} settings: ${String(error)}`);
      }
    }
    const json = JSON.stringify(settings);
    if (json !== lastSettingsJson) {
      lastSettingsJson = json;
      store.settingsChanged();
      revalidateAll();
    }
    await pool?.configure(settings.pool);
    if (!initialStatusSent && pool) {
      // The client learns the starting state (e.g. "no pool configured") without asking.
      initialStatusSent = true;
      void connection.sendNotification(Methods.poolStatus, pool.snapshot().status);
    }
    markSettingsRead();
  }

  function onPoolChange(snapshot: PoolSnapshot): void {
    void connection.sendNotification(Methods.poolStatus, snapshot.status);
    if (snapshot.generation !== lastPoolGeneration) {
      lastPoolGeneration = snapshot.generation;
      revalidateAll();
    }
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const options = (params.initializationOptions ?? {}) as VmbackupInitializationOptions;
    if (typeof options.validationDelay === 'number' && options.validationDelay >= 0)
      validationDelay = options.validationDelay;
    if (typeof options.docsUri === 'string' && options.docsUri !== '') docsUri = options.docsUri;
    const capabilities = params.capabilities;
    canPullConfiguration = capabilities.workspace?.configuration === true;
    canRefreshCodeLens = capabilities.workspace?.codeLens?.refreshSupport === true;
    canRefreshInlayHints = capabilities.workspace?.inlayHint?.refreshSupport === true;
    canWatchFiles = capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    pool = new LivePool({ storagePath: options.storagePath, onChange: onPoolChange, log });
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    workspace.setFolders(folders);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['=', ':'] },
        codeActionProvider: {
          codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite, FIX_ALL_KIND],
        },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        codeLensProvider: { resolveProvider: false },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentLinkProvider: { resolveProvider: false },
        inlayHintProvider: true,
      },
      serverInfo: { name: 'vmbackup-language-server', version: VERSION },
    };
  });

  connection.onInitialized(() => {
    if (canPullConfiguration) {
      void connection.client
        .register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION })
        .catch(() => undefined);
    }
    if (canWatchFiles) {
      // Workspace configs that are not open (vmbackup/checkConfigs) follow their files on disk.
      const watchers = [{ globPattern: '**/*.cfg' }];
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers }).catch(() => undefined);
    }
    void pullSettings();
  });

  connection.onDidChangeConfiguration((change) => {
    if (!canPullConfiguration && change.settings && typeof change.settings === 'object') {
      settings = normaliseSettings((change.settings as Record<string, unknown>)[SETTINGS_SECTION]);
    }
    void pullSettings();
  });

  documents.onDidOpen(({ document }) => {
    scheduleValidation(document, 0);
  });
  documents.onDidChangeContent(({ document }) => {
    scheduleValidation(document);
  });
  documents.onDidClose(({ document }) => {
    clearTimeout(timers.get(document.uri));
    timers.delete(document.uri);
    store.forget(document.uri);
    // A workspace config stays in Problems after closing: its diagnostics come from the disk copy.
    if (workspace.has(document.uri)) {
      void workspace.reload(document.uri).then(() => workspaceWiring.publishDisk(document.uri));
    } else void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  async function setPassword(params: SetPoolPasswordParams | undefined) {
    await settingsRead;
    // The password belongs to the pool in the settings *now*: re-read them first, so that a
    // password sent right after a change of vmbackup.pool.url never goes to the previous pool.
    await pullSettings();
    await pool?.setPassword(typeof params?.password === 'string' ? params.password : '');
    return (pool?.snapshot() ?? emptySnapshot()).status;
  }
  connection.onRequest(Methods.setPoolPassword, setPassword);
  connection.onNotification(Methods.setPoolPassword, (params: SetPoolPasswordParams) => void setPassword(params));
  connection.onRequest(Methods.connectPool, async () => {
    await settingsRead;
    await pool?.connect();
    return (pool?.snapshot() ?? emptySnapshot()).status;
  });
  connection.onRequest(Methods.disconnectPool, async () => {
    await settingsRead;
    await pool?.disconnect();
    return (pool?.snapshot() ?? emptySnapshot()).status;
  });
  connection.onRequest(Methods.getPoolStatus, async () => {
    await settingsRead;
    return (pool?.snapshot() ?? emptySnapshot()).status;
  });
  connection.onRequest(Methods.serverStats, (): ServerStats => {
    const memory = process.memoryUsage();
    return {
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      externalBytes: memory.external,
      vmCount: (pool?.snapshot() ?? emptySnapshot()).status.vmCount,
      openDocuments: documents.all().length,
    };
  });
  connection.onShutdown(async () => {
    for (const timer of timers.values()) clearTimeout(timer);
    await pool?.dispose();
  });

  registerFeatures(connection, documents, store);
  const workspaceWiring = registerWorkspaceFeatures({
    connection,
    documents,
    store,
    workspace,
    settings: () => settings,
    pool: () => pool?.snapshot() ?? emptySnapshot(),
    docsUri: () => docsUri,
    revalidateOpen: () => {
      for (const document of documents.all()) scheduleValidation(document, 0, true);
    },
  });
  documents.listen(connection);
  connection.listen();
}
