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

/** How long an empty lock file must stay empty before it counts as the leftover of a failed write. */
export const EMPTY_LOCK_GRACE_MS = 5000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The first characters of a foreign lock file, escaped: it may hold anything. */
function excerpt(text: string): string {
  const head = text.length > 60 ? `${text.slice(0, 60)}...` : text;
  return JSON.stringify(head);
}

export interface LockOptions {
  emptyLockGraceMs?: number;
}

/**
 * Takes the lock, or throws a HostError whose message says exactly what is in the way:
 * a live run (ELOCKED), a file that is not a vmbackup lock, a takeover guard left behind.
 * An empty lock file is what a run leaves when it could not write its owner (disk full, or
 * killed between create and write): once it stays empty for the grace period it is taken
 * over like the lock of a dead run.
 */
export async function acquireLock(files: LockFiles, path: string, options: LockOptions = {}): Promise<HostLock> {
  const me: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  const content = `${JSON.stringify(me)}\n`;
  const guard = `${path}.takeover`;
  let takeoverWarning: string | undefined;

  for (let attempt = 0; attempt < 5; attempt++) {
    if (await files.createExclusive(path, content)) {
      // Read back: a run that took over this file while we were writing it wins; we retry.
      if ((await files.readText(path)) === content) return makeLock(files, path, content, takeoverWarning);
      continue;
    }
    let existing: string | undefined;
    try {
      existing = await files.readText(path);
    } catch (error) {
      throw new HostError('ELOCKED', `${path} exists but cannot be read as a lock file (${(error as Error).message}); ` +
        'if it is a folder or file that is not a vmbackup lock, move it away');
    }
    if (existing === undefined) continue; // released between our two calls: try again
    let stale: string;
    if (existing === '') {
      await sleep(options.emptyLockGraceMs ?? EMPTY_LOCK_GRACE_MS);
      if ((await files.readText(path)) !== '') continue; // its writer was just slow
      stale = `removed the empty lock file ${path} left by a run that could not write it (disk full, or killed)`;
    } else {
      const owner = parseOwner(existing);
      if (!owner) {
        throw new HostError('ELOCKED', `lock file ${path} does not name its owner: it is not a vmbackup lock ` +
          `(it holds ${excerpt(existing)}); if no vmbackup run is active, remove it`);
      }
      if (owner.host !== me.host || processIsAlive(owner.pid)) {
        throw new HostError('ELOCKED', `another vmbackup run is using this backup directory: ${path} is held by ` +
          `${describeOwner(owner)}; if that run is gone, remove the lock file`);
      }
      stale = `took over the stale lock ${path} of a run that no longer exists (${describeOwner(owner)})`;
    }
    // Two runs may find the same stale lock: the guard directory lets only one replace it.
    if (!(await files.makeDirectoryExclusive(guard))) {
      throw new HostError('ELOCKED', `the stale lock ${path} cannot be taken over: ${guard} exists (another vmbackup run ` +
        `is taking it over right now, or a run was killed while doing so); if no vmbackup run is active, remove ${guard}`);
    }
    try {
      if ((await files.readText(path)) === existing) {
        await files.removeFile(path);
        takeoverWarning = stale;
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
