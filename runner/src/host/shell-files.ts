// Remote file operations as constant shell scripts (ssh-scripts.ts) run over ssh: the
// fallback when the server offers no sftp subsystem. Paths travel as quoted positional
// parameters, never inside a script.

import { HostError } from './errors';
import type { LockFiles } from './lock';
import { assertRemovable, compareNames } from './paths';
import type { ProcessOptions, ProcessResult } from './process';
import { safePathOperand } from './quote';
import { baseName, type RemoteFiles } from './remote-files';
import type { scripts } from './ssh-scripts';
import type { FileInfo } from './types';

export type RunScript = (name: keyof typeof scripts, args: readonly string[], options?: ProcessOptions) => Promise<ProcessResult<Buffer>>;
/** A script whose standard output comes back as a stream (it fails like RunScript at the end). */
export type StreamScript = (name: keyof typeof scripts, args: readonly string[]) => AsyncIterable<Buffer>;

export function createShellFiles(script: RunScript, hostLabel: string, streamScript: StreamScript): RemoteFiles {
  const lockFiles: LockFiles = {
    async createExclusive(path, content) {
      try {
        await script('createExclusive', [safePathOperand(path)], { input: content });
        return true;
      } catch (error) {
        if (error instanceof HostError && error.code === 'EEXIST') return false;
        throw error;
      }
    },
    async readText(path) {
      try {
        return (await script('readFile', [safePathOperand(path)])).stdout.toString('utf8');
      } catch (error) {
        if (error instanceof HostError && error.code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async removeFile(path) {
      await script('removeFile', [safePathOperand(path)]);
    },
    async makeDirectoryExclusive(path) {
      try {
        await script('makeDirectoryExclusive', [safePathOperand(path)]);
        return true;
      } catch (error) {
        if (error instanceof HostError && error.code === 'EEXIST') return false;
        throw error;
      }
    },
    async removeDirectory(path) {
      await script('removeDirectory', [safePathOperand(path)]).catch(() => undefined);
    },
  };

  return {
    lockFiles,
    async freeBytes(path) {
      const text = (await script('freeBytes', [safePathOperand(path)])).stdout.toString('utf8');
      const free = Number(text.trim().split('\n').pop());
      if (!Number.isFinite(free)) throw new HostError('EIO', `free space of ${path} on ${hostLabel}: unexpected df output ${JSON.stringify(text)}`);
      return free;
    },
    async stat(path) {
      try {
        const [entry] = parseFindRecords((await script('stat', [safePathOperand(path)])).stdout);
        return entry ? { ...entry, name: baseName(path) } : undefined;
      } catch (error) {
        if (error instanceof HostError && error.code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async list(path) {
      const entries = parseFindRecords((await script('list', [path])).stdout);
      return entries.sort((a, b) => compareNames(a.name, b.name));
    },
    async mkdir(path) {
      await script('mkdir', [path]);
    },
    async readFile(path) {
      return (await script('readFile', [path])).stdout;
    },
    readStream(path) {
      return streamScript('readFile', [safePathOperand(path)]);
    },
    async writeFile(path, data) {
      await script('writeFile', [path], { input: data });
    },
    async appendFile(path, data) {
      await script('appendFile', [path], { input: data });
    },
    async remove(path) {
      assertRemovable(path);
      await script('remove', [path]);
    },
    async rename(from, to) {
      await script('rename', [from, to]);
    },
    async close() {
      // nothing of its own: every operation was its own ssh command
    },
  };
}

/** `find -printf '%y %s %T@ NAME\0'` records. */
function parseFindRecords(output: Buffer): FileInfo[] {
  const entries: FileInfo[] = [];
  let start = 0;
  for (let end = output.indexOf(0, start); end !== -1; start = end + 1, end = output.indexOf(0, start)) {
    const record = output.subarray(start, end).toString('utf8');
    const first = record.indexOf(' ');
    const second = record.indexOf(' ', first + 1);
    const third = record.indexOf(' ', second + 1);
    entries.push({
      name: record.slice(third + 1),
      isDirectory: record.slice(0, first) === 'd',
      size: Number(record.slice(first + 1, second)),
      mtimeMs: Number(record.slice(second + 1, third)) * 1000,
    });
  }
  return entries;
}
