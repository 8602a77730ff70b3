// Reading backup_dir and status_log on the runner's ssh target, for the extension's read-only
// file system (remoteFileSystem.ts). Its own bundle (dist/remoteFiles.js), required on the
// first remote read: it carries the runner's ssh Host (OpenSSH with host-key checking, key or
// agent authentication only, one multiplexed connection, files over sftp), which most
// sessions never need. No `vscode` import, so it is tested against the real sshd harness.
import { createSshHost, isHostError, type FileInfo, type Host, type SshHostOptions } from 'vmbackup-runner/host';

export type { FileInfo } from 'vmbackup-runner/host';

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
  /** An idle connection is closed after this long (default 2 minutes); the next read opens one again. */
  idleMs?: number;
}

/** Idle connections are not kept for the rest of the VS Code session. */
export const IDLE_CLOSE_MS = 2 * 60 * 1000;

interface Connection {
  host: Promise<Host>;
  busy: number;
  idleTimer?: ReturnType<typeof setTimeout>;
}

/**
 * One ssh connection per target and options, reused while reads follow each other; closed when
 * idle or after it fails, and opened again by the next read.
 */
export class RemoteFileReader {
  private readonly connections = new Map<string, Connection>();
  private readonly connect: (options: SshHostOptions) => Promise<Host>;
  private readonly maxReadBytes: number;
  private readonly idleMs: number;

  constructor(options: RemoteFileReaderOptions = {}) {
    this.connect = options.connect ?? createSshHost;
    this.maxReadBytes = options.maxReadBytes ?? MAX_READ_BYTES;
    this.idleMs = options.idleMs ?? IDLE_CLOSE_MS;
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

  /** How many connections are open (or opening). */
  get openConnections(): number {
    return this.connections.size;
  }

  async close(): Promise<void> {
    const connections = [...this.connections.keys()];
    await Promise.all(connections.map((key) => this.drop(key)));
  }

  private drop(key: string): Promise<void> {
    const connection = this.connections.get(key);
    if (!connection) return Promise.resolve();
    this.connections.delete(key);
    clearTimeout(connection.idleTimer);
    return connection.host.then((h) => h.close()).catch(() => undefined);
  }

  private async use<T>(options: SshHostOptions, path: string, operation: (host: Host) => Promise<T>): Promise<T> {
    const key = JSON.stringify(options);
    let connection = this.connections.get(key);
    if (!connection) {
      connection = { host: this.connect(options), busy: 0 };
      this.connections.set(key, connection);
    }
    clearTimeout(connection.idleTimer);
    connection.busy++;
    try {
      return await operation(await connection.host);
    } catch (error) {
      if (error instanceof RemoteFileError) throw error;
      if (isHostError(error, 'ENOENT'))
        throw new RemoteFileError('not-found', `${path}: no such file on ${options.target}`);
      // A connection that failed (or never opened) is not kept: the next read connects again.
      const fileError = isHostError(error) && !isHostError(error, 'ETRANSPORT') && !isHostError(error, 'EINVAL');
      if (!fileError && this.connections.get(key) === connection) void this.drop(key);
      throw new RemoteFileError('unavailable', error instanceof Error ? error.message : String(error));
    } finally {
      connection.busy--;
      if (connection.busy === 0 && this.connections.get(key) === connection) {
        connection.idleTimer = setTimeout(() => void this.drop(key), this.idleMs);
        connection.idleTimer.unref?.();
      }
    }
  }
}

export function createRemoteFileReader(): RemoteFileReader {
  return new RemoteFileReader();
}
