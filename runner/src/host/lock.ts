// The per-backup_dir run lock, shared by the local and the ssh host. The lock file is
// created with O_EXCL (locally `open(wx)`, remotely `set -C` which makes the shell use
// O_EXCL) and names its owner: the runner's pid, the host the RUNNER runs on, start time.
// The owner is always the runner process — also when the files are on an ssh target — so
// "is the owner still alive?" is answered on this machine.

import { hostname } from 'node:os';
import { HostError } from './errors';
import type { HostLock } from './types';

/** The few exclusive file primitives a lock needs, implemented by each host. */
export interface LockFiles {
  /** Create `path` with `content` only if it does not exist; false when it exists. */
  createExclusive(path: string, content: string): Promise<boolean>;
  /** The file's text, or undefined when it does not exist. */
  readText(path: string): Promise<string | undefined>;
  removeFile(path: string): Promise<void>;
  /** mkdir without -p: false when it exists. Guards the takeover of a stale lock. */
  makeDirectoryExclusive(path: string): Promise<boolean>;
  removeDirectory(path: string): Promise<void>;
}

export interface LockOwner {
  pid: number;
  host: string;
  started: string;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.started === 'string') {
      return { pid: value.pid, host: value.host, started: value.started };
    }
  } catch {
    // not ours or truncated: handled by the caller as "unknown owner"
  }
  return undefined;
}

/** True when a process with this pid exists on this machine (EPERM: it exists, not ours). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describeOwner(owner: LockOwner): string {
  return `pid ${owner.pid} on ${owner.host} since ${owner.started}`;
}

export async function acquireLock(files: LockFiles, path: string): Promise<HostLock> {
  const me: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  const content = `${JSON.stringify(me)}\n`;
  let takeoverWarning: string | undefined;

  for (let attempt = 0; attempt < 5; attempt++) {
    if (await files.createExclusive(path, content)) {
      return makeLock(files, path, content, takeoverWarning);
    }
    const existing = await files.readText(path);
    if (existing === undefined) continue; // released between our two calls: try again
    const owner = parseOwner(existing);
    if (!owner) {
      throw new HostError('ELOCKED', `lock file ${path} exists but does not name its owner; if no other vmbackup run is active, remove it`);
    }
    const stale = owner.host === me.host && !processIsAlive(owner.pid);
    if (!stale) {
      throw new HostError('ELOCKED', `${path} is held by another vmbackup run (${describeOwner(owner)}); if that run is gone, remove the lock file`);
    }
    // Two runs may find the same stale lock: the guard directory lets only one replace it.
    const guard = `${path}.takeover`;
    if (!(await files.makeDirectoryExclusive(guard))) {
      throw new HostError('ELOCKED', `another vmbackup run is taking over the stale lock ${path} (remove ${guard} if no run is active)`);
    }
    try {
      if ((await files.readText(path)) === existing) {
        await files.removeFile(path);
        takeoverWarning = `took over the stale lock ${path} of a run that no longer exists (${describeOwner(owner)})`;
      }
    } finally {
      await files.removeDirectory(guard);
    }
  }
  throw new HostError('ELOCKED', `could not acquire the lock ${path}: it keeps changing hands`);
}

function makeLock(files: LockFiles, path: string, content: string, takeoverWarning: string | undefined): HostLock {
  let released = false;
  return {
    takeoverWarning,
    async release() {
      if (released) return;
      released = true;
      // Only remove the file while it is still ours (never another run's lock).
      if ((await files.readText(path)) === content) await files.removeFile(path);
    },
  };
}
