// A real LSP client for protocol tests and the benchmark, talking LSP with
// vscode-languageserver-protocol to either
// - a server started in this process (startServer on an in-memory stream pair: the default,
//   fast, no build needed), or
// - the BUILT server (dist/server.js) over stdio, as VS Code runs it (`transport: 'stdio'`;
//   connection.test.ts keeps that wiring honest, and the benchmark measures it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import {
  CodeActionRequest,
  CompletionRequest,
  ConfigurationRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ExitNotification,
  HoverRequest,
  ShutdownRequest,
  type CodeAction,
  type CompletionItem,
  type Diagnostic,
  type InitializeResult,
  type MarkupContent,
  type Position,
  type PublishDiagnosticsParams,
  type TextEdit,
} from 'vscode-languageserver-protocol';
import { createConnection } from 'vscode-languageserver/node';
import { Methods, type PoolStatus } from '../../server/src/protocol';
import { QUICK_PLAN_MS } from '../../server/src/documentStore';
import { startServer } from '../../server/src/server';

export const ROOT = join(import.meta.dirname, '..', '..');
const SERVER = join(ROOT, 'dist', 'server.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name);
    newest = Math.max(newest, name.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Rebuilds dist/ when server or runner sources are newer than dist/server.js. */
export function ensureBuilt(): void {
  const built = existsSync(SERVER) ? statSync(SERVER).mtimeMs : 0;
  const sources = Math.max(newestMtime(join(ROOT, 'server', 'src')), newestMtime(join(ROOT, 'runner', 'src')));
  if (built >= sources) return;
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  // The build makes three bundles; only a failure that left dist/server.js stale stops us.
  const rebuilt = existsSync(SERVER) && statSync(SERVER).mtimeMs >= sources;
  if (!rebuilt) throw new Error(`node scripts/build.mjs failed:\n${result.stdout}${result.stderr}`);
}

export interface ClientOptions {
  /** Another language server to drive (the benchmark's reference point); default: ours. */
  command?: string[];
  languageId?: string;
  settings?: Record<string, unknown>;
  storagePath?: string;
  validationDelay?: number;
  /** initializationOptions.docsUri: the bundled docs/diagnostics.md the code links point into. */
  docsUri?: string;
  /** Workspace folders sent in `initialize`. */
  workspaceFolders?: Array<{ uri: string; name: string }>;
  /** Extra environment variables for the server process (stdio only, e.g. VMBACKUP_REGEX_BUDGET_MS). */
  env?: Record<string, string>;
  /** Default: 'in-process', or 'stdio' when `command` or `env` is given. */
  transport?: 'in-process' | 'stdio';
}

/** The two ends of an in-process LSP link: what the client writes the server reads, and back. */
function inProcessServer(): { toServer: PassThrough; fromServer: PassThrough; stop(): void } {
  const toServer = new PassThrough();
  const fromServer = new PassThrough();
  // No exit handler of its own: an LSP `exit` must not end the test process (see dispose()).
  const connection = createConnection(toServer, fromServer);
  // Plans are timed by a clock that never moves: a loaded machine never makes a plan "slow",
  // so every publish is complete (the deferral itself is tested in deferredPlan.test.ts).
  startServer(connection, { planTiming: { now: () => 0, quickPlanMs: QUICK_PLAN_MS } });
  return {
    toServer,
    fromServer,
    stop() {
      connection.dispose();
      toServer.end();
      fromServer.end();
    },
  };
}

export class TestClient {
  readonly connection: ProtocolConnection;
  /** The server's process (stdio transport only). */
  readonly process: ChildProcess | undefined;
  private readonly inProcess: ReturnType<typeof inProcessServer> | undefined;
  settings: Record<string, unknown>;
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  /** How many times diagnostics were published per URI. */
  readonly publishCount = new Map<string, number>();
  readonly poolStatuses: PoolStatus[] = [];
  readonly storagePath: string;
  /** A storage folder made here (not passed in by a test that reuses it) is removed on dispose. */
  private readonly ownsStoragePath: boolean;
  private readonly versions = new Map<string, number>();
  private readonly texts = new Map<string, string>();
  private waiters: Array<() => void> = [];
  stderr = '';
  /** window/logMessage texts, shown when a wait times out. */
  readonly log: string[] = [];

  constructor(private readonly options: ClientOptions = {}) {
    const transport = options.transport ?? (options.command || options.env ? 'stdio' : 'in-process');
    this.settings = options.settings ?? {};
    this.ownsStoragePath = options.storagePath === undefined;
    this.storagePath = options.storagePath ?? mkdtempSync(join(tmpdir(), 'vmbackup-lsp-'));
    if (transport === 'stdio') {
      if (!options.command) ensureBuilt();
      const [command, ...args] = options.command ?? [process.execPath, SERVER, '--stdio'];
      const child = spawn(command!, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
      child.stderr!.on('data', (chunk) => (this.stderr += chunk));
      this.process = child;
      this.connection = createProtocolConnection(
        new StreamMessageReader(child.stdout!),
        new StreamMessageWriter(child.stdin!),
      );
    } else {
      this.process = undefined;
      this.inProcess = inProcessServer();
      this.connection = createProtocolConnection(
        new StreamMessageReader(this.inProcess.fromServer),
        new StreamMessageWriter(this.inProcess.toServer),
      );
    }
    this.connection.onRequest(ConfigurationRequest.type, (params) =>
      params.items.map((item) => (item.section === 'vmbackup' ? this.settings : null)),
    );
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.diagnostics.set(params.uri, params);
      this.publishCount.set(params.uri, (this.publishCount.get(params.uri) ?? 0) + 1);
      this.notify();
    });
    this.connection.onNotification(Methods.poolStatus, (status: PoolStatus) => {
      this.poolStatuses.push(status);
      this.notify();
    });
    this.connection.onNotification('window/logMessage', (params: { message: string }) => {
      this.log.push(params.message);
    });
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('workspace/codeLens/refresh', () => null);
    this.connection.onRequest('workspace/inlayHint/refresh', () => null);
    this.connection.onRequest('workspace/semanticTokens/refresh', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.listen();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when `check` returns a value (re-checked on every notification). */
  async waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${what}\npool statuses: ${JSON.stringify(this.poolStatuses.slice(-3))}\n` +
            `server log:\n${this.log.join('\n')}\nserver stderr:\n${this.stderr}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async initialize(): Promise<InitializeResult> {
    const result = await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        workspace: {
          configuration: true,
          didChangeConfiguration: { dynamicRegistration: true },
          didChangeWatchedFiles: { dynamicRegistration: true },
        },
        textDocument: {
          publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown'] } },
          codeAction: {
            codeActionLiteralSupport: {
              codeActionKind: { valueSet: ['quickfix', 'refactor', 'refactor.rewrite', 'source', 'source.fixAll'] },
            },
          },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        },
      },
      workspaceFolders: this.options.workspaceFolders ?? null,
      initializationOptions: {
        storagePath: this.storagePath,
        validationDelay: this.options.validationDelay,
        ...(this.options.docsUri ? { docsUri: this.options.docsUri } : {}),
      },
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
    return result;
  }

  async open(uri: string, text: string): Promise<void> {
    // Versions are never reused for a URI, so a late publish for an earlier open never
    // passes for the current one.
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    this.texts.set(uri, text);
    this.diagnostics.delete(uri);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: this.options.languageId ?? 'vmbackup', version, text },
    });
  }

  /** Replaces the whole text (full-document change). */
  async replace(uri: string, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    this.texts.set(uri, text);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
    return version;
  }

  /** Sends an incremental change, as an editor does per keystroke. */
  async edit(uri: string, edit: TextEdit): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    this.texts.set(uri, applyEdits(this.texts.get(uri) ?? '', [edit]));
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ range: edit.range, text: edit.newText }],
    });
    return version;
  }

  text(uri: string): string {
    return this.texts.get(uri) ?? '';
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** Diagnostics for the document's current version. */
  async diagnosticsFor(uri: string, timeoutMs?: number): Promise<Diagnostic[]> {
    const version = this.version(uri);
    return this.waitFor(
      `diagnostics for ${uri} v${version}`,
      () => {
        const published = this.diagnostics.get(uri);
        return published && published.version === version ? published.diagnostics : undefined;
      },
      timeoutMs,
    );
  }

  /** The hover's markdown at `position` ('' when there is none). */
  async hover(uri: string, position: Position): Promise<string> {
    const hover = await this.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
    return (hover?.contents as MarkupContent | undefined)?.value ?? '';
  }

  /** The completion items at `position`, whether the server answers a list or a CompletionList. */
  async completions(
    uri: string,
    position: Position,
    context?: { triggerKind: 1 | 2 | 3; triggerCharacter?: string },
  ): Promise<CompletionItem[]> {
    const result = await this.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri },
      position,
      ...(context ? { context } : {}),
    });
    return Array.isArray(result) ? result : (result?.items ?? []);
  }

  /** The code actions at `position` (an empty range), asked without diagnostics in the context. */
  async codeActions(uri: string, position: Position, only?: string[]): Promise<CodeAction[]> {
    const result = await this.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: position, end: position },
      context: { diagnostics: [], ...(only ? { only } : {}) },
    });
    return (result ?? []) as CodeAction[];
  }

  async changeSettings(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  async waitForPoolStatus(what: string, check: (s: PoolStatus) => boolean, timeoutMs = 15_000): Promise<PoolStatus> {
    return this.waitFor(
      `pool status ${what}`,
      () => {
        const last = this.poolStatuses[this.poolStatuses.length - 1];
        return last && check(last) ? last : undefined;
      },
      timeoutMs,
    );
  }

  async dispose(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
      // In-process, `exit` would end the test runner itself: the server's shutdown handler has
      // already released everything, and the streams are closed below.
      if (this.process) await this.connection.sendNotification(ExitNotification.type);
    } catch {
      // the server may already be gone; killing it below is enough
    }
    const child = this.process;
    if (child) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      if (child.exitCode === null) await exited;
      clearTimeout(timer);
    }
    this.connection.dispose();
    this.inProcess?.stop();
    if (this.ownsStoragePath) rmSync(this.storagePath, { recursive: true, force: true });
  }
}

/** Applies LSP text edits (non-overlapping) to a text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: { line: number; character: number }) =>
    p.line >= lineStarts.length ? text.length : Math.min(lineStarts[p.line]! + p.character, text.length);
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let result = text;
  for (const e of sorted)
    result = result.slice(0, offset(e.range.start)) + e.newText + result.slice(offset(e.range.end));
  return result;
}

/** `caret('vm-export=we|b1')` -> text without the `|` and the position where it was. */
export function caret(textWithCaret: string): { text: string; position: { line: number; character: number } } {
  const index = textWithCaret.indexOf('|');
  const before = textWithCaret.slice(0, index);
  const line = before.split('\n').length - 1;
  const character = index - (before.lastIndexOf('\n') + 1);
  return { text: before + textWithCaret.slice(index + 1), position: { line, character } };
}
