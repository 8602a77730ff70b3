// Reading backup_dir and status_log on the runner's ssh target, for the extension's read-only
// file system (remoteFileSystem.ts). Its own bundle (dist/remoteFiles.js), required on the
// first remote read: it carries the runner's ssh Host (OpenSSH with host-key checking, key or
// agent authentication only, one multiplexed connection, files over sftp), which most
// sessions never need. No `vscode` import, so it is tested against the real sshd harness.
import { createSshHost, isHostError, type FileInfo, type Host, type SshHostOptions } from '../../runner/src/host/index';

export type { FileInfo } from '../../runner/src/host/index';

/** Larger files are not read into the editor over ssh (a backup's .xva can be many GB). */
export const MAX_READ_BYTES = 64 * 1024 * 1024;

export class RemoteFileError extends Error {
  constructor(
    readonly kind: 'not-found' | 'too-large' | 'unavailable',
    message: string,
  ) {
    super(message);
  }
}

export interface RemoteFileReaderOptions {
  /** Opens the connection to a target (createSshHost by default). */
  connect?: (options: SshHostOptions) => Promise<Host>;
  maxReadBytes?: number;
}

/** One open ssh connection per target and options, reused for every read; reopened after it fails. */
export class RemoteFileReader {
  private readonly hosts = new Map<string, Promise<Host>>();
  private readonly connect: (options: SshHostOptions) => Promise<Host>;
  private readonly maxReadBytes: number;

  constructor(options: RemoteFileReaderOptions = {}) {
    this.connect = options.connect ?? createSshHost;
    this.maxReadBytes = options.maxReadBytes ?? MAX_READ_BYTES;
  }

  stat(options: SshHostOptions, path: string): Promise<FileInfo | undefined> {
    return this.use(options, path, (host) => host.stat(path));
  }

  list(options: SshHostOptions, path: string): Promise<FileInfo[]> {
    return this.use(options, path, (host) => host.list(path));
  }

  async read(options: SshHostOptions, path: string): Promise<Uint8Array> {
    return this.use(options, path, async (host) => {
      const info = await host.stat(path);
      if (!info) throw new RemoteFileError('not-found', `${path}: no such file on ${options.target}`);
      if (info.isDirectory) throw new RemoteFileError('unavailable', `${path} on ${options.target} is a folder`);
      if (info.size > this.maxReadBytes) {
        throw new RemoteFileError(
          'too-large',
          `${path} on ${options.target} has ${info.size} bytes: larger than ${this.maxReadBytes} bytes, not opened`,
        );
      }
      return host.readFile(path);
    });
  }

  async close(): Promise<void> {
    const hosts = [...this.hosts.values()];
    this.hosts.clear();
    await Promise.all(hosts.map((host) => host.then((h) => h.close()).catch(() => undefined)));
  }

  private async use<T>(options: SshHostOptions, path: string, operation: (host: Host) => Promise<T>): Promise<T> {
    const key = JSON.stringify(options);
    let host = this.hosts.get(key);
    if (!host) {
      host = this.connect(options);
      this.hosts.set(key, host);
    }
    try {
      return await operation(await host);
    } catch (error) {
      if (error instanceof RemoteFileError) throw error;
      if (isHostError(error, 'ENOENT'))
        throw new RemoteFileError('not-found', `${path}: no such file on ${options.target}`);
      // A connection that failed (or never opened) is not kept: the next read connects again.
      const fileError = isHostError(error) && !isHostError(error, 'ETRANSPORT') && !isHostError(error, 'EINVAL');
      if (!fileError && this.hosts.get(key) === host) {
        this.hosts.delete(key);
        void host.then((h) => h.close()).catch(() => undefined);
      }
      throw new RemoteFileError('unavailable', error instanceof Error ? error.message : String(error));
    }
  }
}

export function createRemoteFileReader(): RemoteFileReader {
  return new RemoteFileReader();
}
