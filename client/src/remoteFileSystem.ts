// The read-only `vmbackup-ssh:` file system: what a backup_dir or status_log document link
// opens when the runner works over ssh (server/src/service/links.ts). The status log opens in
// an editor, read-only (File: Revert File reads it again); backup_dir links run
// "vmbackup.browseRemoteFolder", a quick pick over the folder's entries. Reads go through
// the runner's ssh Host (remoteFiles.ts, its own bundle, loaded on the first read); only the
// configured vmbackup.runner.sshTarget is reached.
import * as vscode from 'vscode';
import { REMOTE_FILE_SCHEME } from '../../server/src/protocol';
import type { FileInfo, RemoteFileReader } from './remoteFiles';
import { normaliseRunnerSettings } from './runnerInvocation';
import { remoteTargetFor, type RemoteTargetOptions } from './remoteTarget';

export class RemoteFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private reader: RemoteFileReader | undefined;
  private readonly changes = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changes.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  static register(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable {
    const provider = new RemoteFileSystem(context, log);
    return vscode.Disposable.from(
      provider,
      vscode.workspace.registerFileSystemProvider(REMOTE_FILE_SCHEME, provider, {
        isReadonly: true,
        isCaseSensitive: true,
      }),
    );
  }

  dispose(): void {
    this.changes.dispose();
    void this.reader?.close();
    this.reader = undefined;
  }

  watch(): vscode.Disposable {
    // Not watched: the remote file is read when opened and on File: Revert File.
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const info = await this.call(uri, (reader, options) => reader.stat(options, uri.path));
    if (!info) throw vscode.FileSystemError.FileNotFound(uri);
    return statOf(info);
  }

  async readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    const entries = await this.call(uri, (reader, options) => reader.list(options, uri.path));
    return entries.map((e) => [e.name, e.isDirectory ? vscode.FileType.Directory : vscode.FileType.File]);
  }

  readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return this.call(uri, (reader, options) => reader.read(options, uri.path));
  }

  writeFile(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  createDirectory(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  delete(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  rename(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  private async call<T>(
    uri: vscode.Uri,
    operation: (reader: RemoteFileReader, options: RemoteTargetOptions) => Promise<T>,
  ): Promise<T> {
    const options = remoteTargetFor(uri.authority, settingsScopes());
    if ('refused' in options) throw vscode.FileSystemError.NoPermissions(options.refused);
    if (!this.reader) {
      // A separate bundle, required at run time: most sessions never read over ssh.
      const { createRemoteFileReader } = require(
        this.context.asAbsolutePath('dist/remoteFiles.js'),
      ) as typeof import('./remoteFiles');
      this.reader = createRemoteFileReader();
    }
    try {
      return await operation(this.reader, options);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.warn(`${REMOTE_FILE_SCHEME}: ${message}`);
      const kind = (error as { kind?: string }).kind;
      if (kind === 'not-found') throw vscode.FileSystemError.FileNotFound(uri);
      throw vscode.FileSystemError.Unavailable(message);
    }
  }
}

/** The runner settings of every scope a config can be in: the window and each workspace folder. */
function settingsScopes() {
  const folders = vscode.workspace.workspaceFolders ?? [];
  return [
    normaliseRunnerSettings(vscode.workspace.getConfiguration('vmbackup')),
    ...folders.map((f) => normaliseRunnerSettings(vscode.workspace.getConfiguration('vmbackup', f.uri))),
  ];
}

function statOf(info: FileInfo): vscode.FileStat {
  return {
    type: info.isDirectory ? vscode.FileType.Directory : vscode.FileType.File,
    ctime: info.mtimeMs,
    mtime: info.mtimeMs,
    size: info.size,
    permissions: vscode.FilePermission.Readonly,
  };
}

/** "vmbackup.browseRemoteFolder": lists a remote folder; a file opens read-only, a folder is listed in turn. */
export async function browseRemoteFolder(arg: unknown): Promise<void> {
  if (typeof arg !== 'string' && !(arg instanceof vscode.Uri)) return;
  let folder = typeof arg === 'string' ? vscode.Uri.parse(arg) : arg;
  for (;;) {
    let entries: [string, vscode.FileType][];
    try {
      entries = await vscode.workspace.fs.readDirectory(folder);
    } catch (error) {
      void vscode.window.showErrorMessage(
        `VmBackup: cannot list ${folder.path} on ${folder.authority}: ` +
          `${error instanceof Error ? error.message : error}`,
      );
      return;
    }
    const up = { label: '$(arrow-up) ..', entry: undefined as [string, vscode.FileType] | undefined };
    const items = [
      ...(folder.path === '/' ? [] : [up]),
      ...entries.map((entry) => ({
        label: `${entry[1] === vscode.FileType.Directory ? '$(folder)' : '$(file)'} ${entry[0]}`,
        entry,
      })),
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: `${folder.path} on ${folder.authority} (read-only, over ssh)`,
      placeHolder: entries.length === 0 ? 'The folder is empty' : 'Open a file or a folder',
    });
    if (!picked) return;
    if (!picked.entry) {
      folder = folder.with({ path: folder.path.replace(/\/[^/]*\/?$/, '') || '/' });
      continue;
    }
    const child = vscode.Uri.joinPath(folder, picked.entry[0]);
    if (picked.entry[1] === vscode.FileType.Directory) {
      folder = child;
      continue;
    }
    await vscode.window.showTextDocument(child, { preview: true });
    return;
  }
}
