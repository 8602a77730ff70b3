// Starts the bundled language server (dist/server.js over node IPC) the first time a vmbackup
// document is open, keeps it supplied with the pool password, and relays the server's pool
// status to the language status item. Starting lazily keeps activation cheap when the
// extension was activated only for content detection of some other `.cfg` file.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { Methods, type PoolStatus } from '../../server/src/protocol';
import { poolIdentity, type PoolPasswords } from './poolPassword';

export class LanguageServer implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;
  private inFlight: { key: string; status: Promise<PoolStatus> } | undefined;
  private readonly statusEmitter = new vscode.EventEmitter<PoolStatus>();
  readonly onPoolStatus = this.statusEmitter.event;
  private readonly disposables: vscode.Disposable[] = [this.statusEmitter];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly passwords: PoolPasswords,
  ) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((doc) => {
        if (doc.languageId === 'vmbackup') void this.ensureStarted().catch(() => undefined);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (
          this.client &&
          (e.affectsConfiguration('vmbackup.pool.url') || e.affectsConfiguration('vmbackup.pool.user'))
        ) {
          void this.sendPassword();
        }
      }),
      passwords.onDidChange(() => {
        if (this.client) void this.sendPassword();
      }),
    );
    // Started right after activation returns (forking the server is the costliest step).
    if (vscode.workspace.textDocuments.some((doc) => doc.languageId === 'vmbackup'))
      setImmediate(() => void this.ensureStarted().catch(() => undefined));
  }

  ensureStarted(): Promise<LanguageClient> {
    this.starting ??= this.start().catch((err: unknown) => {
      this.starting = undefined;
      this.log.error(`the VmBackup language server did not start: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    });
    return this.starting;
  }

  private async start(): Promise<LanguageClient> {
    // A separate bundle, required at run time (see languageClient.ts for why).
    const { createLanguageClient } = require(
      this.context.asAbsolutePath('dist/languageClient.js'),
    ) as typeof import('./languageClient');
    const client = createLanguageClient(this.context, this.log);
    this.disposables.push(
      client.onNotification(Methods.poolStatus, (status: PoolStatus) => this.statusEmitter.fire(status)),
    );
    await client.start();
    this.client = client;
    this.log.info('VmBackup language server started');
    // Shows the pool coverage view: the workspace has VmBackup configs.
    void vscode.commands.executeCommand('setContext', 'vmbackup.active', true);
    await this.sendPassword();
    return client;
  }

  /**
   * Sends the stored password for the configured pool ("" when there is none) and resolves
   * with the status the server answers once it has tried to log in with it. A change of the
   * secret and the command that stored it both ask; while the same password is on its way,
   * they share the one login instead of making two.
   */
  async sendPassword(): Promise<PoolStatus | undefined> {
    const client = this.client;
    if (!client) return undefined;
    const pool = poolIdentity();
    const password = (await this.passwords.get(pool)) ?? '';
    const key = `${pool.user}@${pool.url}\n${password}`;
    if (this.inFlight?.key === key) return this.inFlight.status;
    const status = client.sendRequest<PoolStatus>(Methods.setPoolPassword, { password }).then((answer) => {
      this.statusEmitter.fire(answer);
      return answer;
    });
    this.inFlight = { key, status };
    try {
      return await status;
    } finally {
      if (this.inFlight?.status === status) this.inFlight = undefined;
    }
  }

  async request(
    method: typeof Methods.connectPool | typeof Methods.disconnectPool | typeof Methods.getPoolStatus,
  ): Promise<PoolStatus> {
    const client = await this.ensureStarted();
    const status = await client.sendRequest<PoolStatus>(method);
    this.statusEmitter.fire(status);
    return status;
  }

  get running(): boolean {
    return this.client !== undefined;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.starting = undefined;
    if (client) await client.stop();
  }

  dispose(): void {
    void this.stop();
    for (const d of this.disposables) d.dispose();
  }
}
