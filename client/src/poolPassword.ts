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

export class PoolPasswords {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(pool: PoolIdentity): Thenable<string | undefined> {
    return this.secrets.get(secretKey(pool));
  }

  store(pool: PoolIdentity, password: string): Thenable<void> {
    return this.secrets.store(secretKey(pool), password);
  }

  delete(pool: PoolIdentity): Thenable<void> {
    return this.secrets.delete(secretKey(pool));
  }

  onDidChange(listener: () => void): vscode.Disposable {
    return this.secrets.onDidChange((e) => {
      if (e.key.startsWith('vmbackup.pool.password:')) listener();
    });
  }

  /** Asks for the password (masked input) and stores it; undefined when cancelled. */
  async prompt(pool: PoolIdentity): Promise<string | undefined> {
    const password = await vscode.window.showInputBox({
      title: 'VmBackup: Set Pool Password',
      prompt: `Password for ${describePool(pool)} (kept in VS Code's secret storage; leave empty to forget it)`,
      password: true,
      ignoreFocusOut: true,
    });
    if (password === undefined) return undefined;
    if (password === '') await this.delete(pool);
    else await this.store(pool, password);
    return password;
  }
}
