// The pool password lives only in VS Code's SecretStorage (the OS keychain), keyed by pool URL
// and user, so a second pool never receives the first pool's password. It reaches the
// language server through `vmbackup/setPoolPassword` and the runner through its environment.
import * as vscode from 'vscode';

export interface PoolIdentity {
  url: string;
  user: string;
}

export function poolIdentity(scope?: vscode.Uri): PoolIdentity {
  const config = vscode.workspace.getConfiguration('vmbackup', scope);
  const url = (config.get<string>('pool.url') ?? '').trim();
  const user = (config.get<string>('pool.user') ?? '').trim() || 'root';
  return { url, user };
}

/** Without a pool URL the runner talks to the local host (http://localhost/ on a XenServer). */
export function describePool(pool: PoolIdentity): string {
  return `${pool.user} at ${pool.url || 'the local host'}`;
}

function secretKey(pool: PoolIdentity): string {
  return `vmbackup.pool.password:${pool.user}@${pool.url || 'local'}`;
}

/** Why the password is asked for: none stored yet, or the stored one was refused by the pool. */
export type PromptReason = 'set' | 'missing' | 'rejected';

export function promptText(pool: PoolIdentity, reason: PromptReason): string {
  const where = "kept in VS Code's secret storage";
  switch (reason) {
    case 'rejected':
      return `The pool rejected the stored password for ${describePool(pool)}. Enter it again (${where})`;
    case 'missing':
      return `Password for ${describePool(pool)} (${where})`;
    default:
      return `Password for ${describePool(pool)} (${where}; leave empty to forget it)`;
  }
}

export class PoolPasswords {
  /** Stored passwords the pool refused (authentication failed) in this session: asked for again before the next run. */
  private readonly rejected = new Set<string>();

  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(pool: PoolIdentity): Thenable<string | undefined> {
    return this.secrets.get(secretKey(pool));
  }

  async store(pool: PoolIdentity, password: string): Promise<void> {
    this.rejected.delete(secretKey(pool));
    await this.secrets.store(secretKey(pool), password);
  }

  async delete(pool: PoolIdentity): Promise<void> {
    this.rejected.delete(secretKey(pool));
    await this.secrets.delete(secretKey(pool));
  }

  /** The pool refused the stored password: the next run asks for it instead of failing again. */
  markRejected(pool: PoolIdentity): void {
    this.rejected.add(secretKey(pool));
  }

  isRejected(pool: PoolIdentity): boolean {
    return this.rejected.has(secretKey(pool));
  }

  onDidChange(listener: () => void): vscode.Disposable {
    return this.secrets.onDidChange((e) => {
      if (e.key.startsWith('vmbackup.pool.password:')) listener();
    });
  }

  /** The password for a run: the stored one, unless missing or refused by the pool, then asked for. */
  async forRun(pool: PoolIdentity): Promise<string | undefined> {
    const stored = await this.get(pool);
    if (stored && !this.isRejected(pool)) return stored;
    const entered = await this.prompt(pool, stored ? 'rejected' : 'missing');
    return entered || undefined;
  }

  /** Asks for the password (masked input) and stores it; undefined when cancelled. */
  async prompt(pool: PoolIdentity, reason: PromptReason = 'set'): Promise<string | undefined> {
    const password = await vscode.window.showInputBox({
      title: reason === 'rejected' ? 'VmBackup: Re-enter Pool Password' : 'VmBackup: Set Pool Password',
      prompt: promptText(pool, reason),
      password: true,
      ignoreFocusOut: true,
    });
    if (password === undefined) return undefined;
    if (password === '') {
      if (reason === 'set') await this.delete(pool);
      return reason === 'set' ? '' : undefined;
    }
    await this.store(pool, password);
    return password;
  }
}
