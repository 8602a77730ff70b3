// Remote file operations over SFTP (sftp-protocol.ts): each is one or a few packets on the
// run's open connection, so listing, stat-ing and writing the small metadata files of a
// backup costs about as much as doing it locally.

import { posix } from 'node:path';
import { HostError } from './errors';
import type { LockFiles } from './lock';
import { assertRemovable, compareNames } from './paths';
import { baseName, type RemoteFiles } from './remote-files';
import {
  OpenFlags,
  SftpStatusError,
  Status,
  isDirectoryMode,
  isSymlinkMode,
  type SftpAttributes,
  type SftpSession,
} from './sftp-protocol';
import type { FileInfo } from './types';

const CHUNK = 32 * 1024; // well under OpenSSH's 256 KiB packet limit
const WRITES_IN_FLIGHT = 8;
/** Streaming reads: this many requests in flight keep the connection busy (1 MiB). */
const READS_IN_FLIGHT = 16;

export function createSftpFiles(session: () => Promise<SftpSession>, hostLabel: string): RemoteFiles {
  function hostError(error: unknown, operation: string, path: string): HostError {
    if (error instanceof HostError) return error;
    if (error instanceof SftpStatusError) {
      const code = error.status === Status.NO_SUCH_FILE ? 'ENOENT' : 'EIO';
      return new HostError(code, `${operation} ${path} on ${hostLabel}: ${error.message}`);
    }
    const detail = error instanceof Error ? error.message : String(error);
    return new HostError('ETRANSPORT', `${operation} ${path} on ${hostLabel}: ${detail}`);
  }

  async function attempt<T>(operation: string, path: string, task: (sftp: SftpSession) => Promise<T>): Promise<T> {
    try {
      return await task(await session());
    } catch (error) {
      throw hostError(error, operation, path);
    }
  }

  const missing = (error: unknown) => error instanceof SftpStatusError && error.status === Status.NO_SUCH_FILE;

  /** stat, or for a dangling symlink the link itself; undefined when nothing is there. */
  async function describe(sftp: SftpSession, path: string): Promise<SftpAttributes | undefined> {
    try {
      return await sftp.stat(path);
    } catch (error) {
      if (!missing(error)) throw error;
    }
    try {
      return await sftp.lstat(path);
    } catch (error) {
      if (missing(error)) return undefined;
      throw error;
    }
  }

  function info(name: string, attrs: SftpAttributes): FileInfo {
    return { name, isDirectory: isDirectoryMode(attrs.permissions), size: attrs.size ?? 0, mtimeMs: (attrs.mtime ?? 0) * 1000 };
  }

  async function makeDirectories(sftp: SftpSession, path: string): Promise<void> {
    try {
      await sftp.mkdir(path);
      return;
    } catch (error) {
      const existing = await describe(sftp, path);
      if (existing && isDirectoryMode(existing.permissions)) return;
      if (existing) throw new HostError('EEXIST', `create directory ${path} on ${hostLabel}: a file of that name exists`);
      const parent = posix.dirname(path);
      if (parent === path || !missing(error)) throw error;
    }
    await makeDirectories(sftp, posix.dirname(path));
    await sftp.mkdir(path).catch(async (error) => {
      if (!isDirectoryMode((await describe(sftp, path))?.permissions)) throw error;
    });
  }

  async function removeTree(sftp: SftpSession, path: string): Promise<void> {
    let attrs: SftpAttributes;
    try {
      attrs = await sftp.lstat(path);
    } catch (error) {
      if (missing(error)) return;
      throw error;
    }
    if (!isDirectoryMode(attrs.permissions) || isSymlinkMode(attrs.permissions)) {
      await sftp.remove(path).catch((error) => {
        if (!missing(error)) throw error;
      });
      return;
    }
    const entries = await sftp.readdir(path);
    await Promise.all(entries.map((entry) => removeTree(sftp, posix.join(path, entry.filename.toString('utf8')))));
    await sftp.rmdir(path);
  }

  async function readAll(sftp: SftpSession, path: string): Promise<Buffer> {
    const handle = await sftp.open(path, OpenFlags.READ);
    const chunks: Buffer[] = [];
    try {
      for (let offset = 0; ; ) {
        const data = await sftp.read(handle, offset, CHUNK * 2);
        if (!data) break;
        chunks.push(data);
        offset += data.length;
      }
    } finally {
      await sftp.close(handle).catch(() => undefined);
    }
    return Buffer.concat(chunks);
  }

  /**
   * The file in order, with READS_IN_FLIGHT requests outstanding (one request per round trip
   * would make a large file crawl). A short reply is followed by a read of the rest of its
   * range; a reply at end of file ends the stream.
   */
  async function* streamAll(sftp: SftpSession, path: string): AsyncGenerator<Buffer> {
    const handle = await sftp.open(path, OpenFlags.READ);
    const size = CHUNK * 2;
    const inFlight: { offset: number; reply: Promise<Buffer | undefined> }[] = [];
    let next = 0;
    const request = () => {
      const reply = sftp.read(handle, next, size);
      reply.catch(() => undefined); // awaited in order below; not unhandled meanwhile
      inFlight.push({ offset: next, reply });
      next += size;
    };
    try {
      for (let i = 0; i < READS_IN_FLIGHT; i++) request();
      for (;;) {
        const head = inFlight.shift()!;
        let got = 0;
        for (let data = await head.reply; data; ) {
          got += data.length;
          yield data;
          data = got < size ? await sftp.read(handle, head.offset + got, size - got) : undefined;
        }
        if (got < size) return;
        request();
      }
    } finally {
      await Promise.allSettled(inFlight.map((r) => r.reply));
      await sftp.close(handle).catch(() => undefined);
    }
  }

  async function writeAll(sftp: SftpSession, path: string, data: Buffer, flags: number): Promise<void> {
    const handle = await sftp.open(path, flags);
    try {
      if (flags & OpenFlags.APPEND) {
        // Appends go in order: each write lands at the end of the file.
        for (let offset = 0; offset < data.length; offset += CHUNK) await sftp.write(handle, offset, data.subarray(offset, offset + CHUNK));
      } else {
        // A bounded window of writes in flight: fast on a slow link, memory flat for any size.
        let next = 0;
        const writeNext = async (): Promise<void> => {
          for (let offset = next; offset < data.length; offset = next) {
            next += CHUNK;
            await sftp.write(handle, offset, data.subarray(offset, offset + CHUNK));
          }
        };
        await Promise.all(Array.from({ length: WRITES_IN_FLIGHT }, writeNext));
      }
    } finally {
      await sftp.close(handle);
    }
  }

  const lockFiles: LockFiles = {
    async createExclusive(path, content) {
      return attempt('create lock file', path, async (sftp) => {
        let handle: Buffer;
        try {
          handle = await sftp.open(path, OpenFlags.WRITE | OpenFlags.CREAT | OpenFlags.EXCL);
        } catch (error) {
          if (error instanceof SftpStatusError && (await describe(sftp, path))) return false;
          throw error;
        }
        try {
          await sftp.write(handle, 0, Buffer.from(content));
          await sftp.close(handle);
          return true;
        } catch (error) {
          // O_EXCL made this file ours: an empty lock left behind (disk full) would block every later run.
          await sftp.close(handle).catch(() => undefined);
          await sftp.remove(path).catch(() => undefined);
          throw error;
        }
      });
    },
    async readText(path) {
      return attempt('read lock file', path, async (sftp) => {
        try {
          return (await readAll(sftp, path)).toString('utf8');
        } catch (error) {
          if (missing(error)) return undefined;
          throw error;
        }
      });
    },
    async removeFile(path) {
      await attempt('remove', path, (sftp) => sftp.remove(path).catch((error) => {
        if (!missing(error)) throw error;
      }));
    },
    async makeDirectoryExclusive(path) {
      return attempt('create directory', path, async (sftp) => {
        try {
          await sftp.mkdir(path);
          return true;
        } catch (error) {
          if (isDirectoryMode((await describe(sftp, path))?.permissions)) return false;
          throw error;
        }
      });
    },
    async removeDirectory(path) {
      await attempt('remove directory', path, (sftp) => sftp.rmdir(path)).catch(() => undefined);
    },
  };

  return {
    lockFiles,
    freeBytes: (path) => attempt('free space of', path, (sftp) => sftp.freeBytes(path)),
    stat: (path) =>
      attempt('stat', path, async (sftp) => {
        const attrs = await describe(sftp, path);
        return attrs ? info(baseName(path), attrs) : undefined;
      }),
    list: (path) =>
      attempt('list', path, async (sftp) => {
        const entries = await sftp.readdir(path).catch(async (error) => {
          // sftp-server says "no such file" for ENOTDIR too: a file is there, not a folder.
          const existing = missing(error) ? await describe(sftp, path) : undefined;
          if (existing) throw new HostError('EIO', `list ${path} on ${hostLabel}: not a directory`);
          throw error;
        });
        const described = await Promise.all(
          entries.map(async (entry) => {
            const name = entry.filename.toString('utf8');
            // READDIR describes links themselves; like stat(), say what they point to.
            const attrs = isSymlinkMode(entry.attrs.permissions) ? ((await describe(sftp, posix.join(path, name))) ?? entry.attrs) : entry.attrs;
            return info(name, attrs);
          }),
        );
        return described.sort((a, b) => compareNames(a.name, b.name));
      }),
    mkdir: (path) => attempt('create directory', path, (sftp) => makeDirectories(sftp, path)),
    readFile: (path) => attempt('read', path, (sftp) => readAll(sftp, path)),
    async *readStream(path) {
      try {
        yield* streamAll(await session(), path);
      } catch (error) {
        throw hostError(error, 'read', path);
      }
    },
    writeFile: (path, data) =>
      attempt('write', path, (sftp) => writeAll(sftp, path, Buffer.from(data), OpenFlags.WRITE | OpenFlags.CREAT | OpenFlags.TRUNC)),
    appendFile: (path, data) =>
      attempt('append to', path, (sftp) => writeAll(sftp, path, Buffer.from(data), OpenFlags.WRITE | OpenFlags.CREAT | OpenFlags.APPEND)),
    async remove(path) {
      assertRemovable(path);
      await attempt('remove', path, (sftp) => removeTree(sftp, path));
    },
    rename: (from, to) =>
      attempt(`rename ${from} to`, to, async (sftp) => {
        try {
          await sftp.rename(from, to);
        } catch (error) {
          // SFTP v3 says only "Failure": tell rename onto a non-empty folder apart, as rename(2) does.
          const target = error instanceof SftpStatusError && error.status === Status.FAILURE ? await describe(sftp, to) : undefined;
          if (target && isDirectoryMode(target.permissions) && (await sftp.readdir(to)).length > 0) {
            throw new HostError('ENOTEMPTY', `rename ${from} to ${to} on ${hostLabel}: the target is a folder that is not empty`);
          }
          throw error;
        }
      }),
    async close() {
      // the channel belongs to the ssh host, which closes it
    },
  };
}
