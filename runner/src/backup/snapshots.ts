// Whose snapshot is this? Every snapshot a run makes carries its owner in other_config
// (`vmbackup-owner` = "<runner host> <pid> <run id>") and a lease (`vmbackup-lease`, an ISO time
// the owner keeps pushing forward while it works). A `RESTORE_<vm>` / `SNAP_<vm>_<disk>` found
// before a backup is removed only when it is a leftover: a snapshot OF THIS VM (snapshot_of)
// with the original's name, no operation in progress on it, and no live owner — an untagged
// one (VmBackup.py's, or a run killed before it could tag), an owner process gone on this
// machine, or an expired lease from another machine. Another tool's snapshot, or another
// config's snapshot still being exported, is left alone and named in the log.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { XapiRecord } from '../pool/xapi';
import { fieldText } from '../pool/xapi';

export const OWNER_KEY = 'vmbackup-owner';
export const LEASE_KEY = 'vmbackup-lease';
/** An owner on another machine is presumed alive until its lease ends (renewed every LEASE_MS / 5). */
export const LEASE_MS = 10 * 60 * 1000;

export interface RunIdentity {
  /** This runner's machine (not the pool host): where the pid means something. */
  hostname: string;
  pid: number;
  runId: string;
}

export function thisRun(): RunIdentity {
  return { hostname: hostname(), pid: process.pid, runId: randomUUID() };
}

export function ownerValue(me: RunIdentity): string {
  return `${me.hostname} ${me.pid} ${me.runId}`;
}

function parseOwner(value: unknown): RunIdentity | undefined {
  const m = typeof value === 'string' ? /^(\S+) (\d+) (\S+)$/.exec(value) : null;
  return m ? { hostname: m[1]!, pid: Number(m[2]), runId: m[3]! } : undefined;
}

/** Is a process of this machine alive? (EPERM: it is, under another user.) */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type Verdict = { remove: true } | { remove: false; reason: string };

export interface JudgeContext {
  me: RunIdentity;
  now: Date;
  isAlive: (pid: number) => boolean;
}

/** May this snapshot named like our leftovers be removed? `origin`: the ref it must be a snapshot of. */
export function judgeLeftover(snapshot: XapiRecord, origin: string, judge: JudgeContext): Verdict {
  const of = fieldText(snapshot.snapshot_of);
  if (of !== origin) return { remove: false, reason: `it is not a snapshot of this VM (snapshot_of ${of || 'none'})` };
  const ops = Object.values((snapshot.current_operations ?? {}) as Record<string, string>);
  if (ops.length > 0) return { remove: false, reason: `an operation is in progress on it (${ops.join(', ')})` };
  const otherConfig = (snapshot.other_config ?? {}) as Record<string, string>;
  const owner = parseOwner(otherConfig[OWNER_KEY]);
  if (!owner || owner.runId === judge.me.runId) return { remove: true };
  if (owner.hostname === judge.me.hostname) {
    return judge.isAlive(owner.pid) ? { remove: false, reason: `it belongs to vmbackup run ${owner.pid} on this machine, still running` } : { remove: true };
  }
  const lease = Date.parse(otherConfig[LEASE_KEY] ?? '');
  if (Number.isFinite(lease) && lease > judge.now.getTime()) {
    return { remove: false, reason: `it belongs to a vmbackup run on ${owner.hostname} (lease until ${otherConfig[LEASE_KEY]})` };
  }
  return { remove: true };
}
