// Where commands run and where backup files live. The engine only talks to a Host, so the
// same backup code works on a pool host (local), off-host with `xe -s`, or through ssh.
// Every argument is passed as one argv element; an ssh host quotes each one for the
// remote POSIX shell. Nothing here ever joins untrusted strings into a shell command.
import type { ArchiveDamage, ArchiveSummary } from '../archive/index';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Bytes for the command's standard input (e.g. a password for `xe -pwf /dev/stdin`). */
  input?: string;
  /** Stream stdout into this file on the target (created exclusively) instead of capturing it. */
  stdoutFile?: string;
  signal?: AbortSignal;
  /** Extra environment for a local command (not forwarded over ssh). */
  env?: Record<string, string>;
}

export interface FileInfo {
  name: string;
  isDirectory: boolean;
  size: number;
  mtimeMs: number;
}

export interface HostLock {
  /** Removes the lock file if it is still ours; safe to call twice. */
  release(): Promise<void>;
  /** Set when the lock of a dead earlier run (same host, pid gone) was taken over: log it. */
  readonly takeoverWarning?: string;
}

/** File-name rules of the disk that receives the backups. */
export type NameRules = 'posix' | 'windows';

export interface Host {
  /** For logs: `local` or `ssh root@pool-master:22`. */
  readonly description: string;
  /**
   * What a file name may hold where this host writes (default posix): `windows` on a Windows
   * machine's own disk (the xapi transport on a workstation). Every ssh target is POSIX.
   */
  readonly nameRules?: NameRules;
  /** How paths are joined on the target (default posix): win32 on a Windows machine's own disk. */
  readonly pathSyntax?: 'posix' | 'win32';
  /**
   * Pool steps reach the pool master whatever machine this is (the xapi transport: XenAPI follows
   * HOST_IS_SLAVE): pool_db_backup dumps the database without the original's "am I the master" test.
   */
  readonly reachesPoolMaster?: boolean;
  /** Run `xe` with these arguments (connection options are added by the host). */
  xe(args: string[], options?: RunOptions): Promise<CommandResult>;
  /** Run any program on the target (e.g. `df -Th`, `hostname`). */
  run(program: string, args: string[], options?: RunOptions): Promise<CommandResult>;
  hostname(): Promise<string>;
  /** Free bytes on the filesystem that holds `path`. */
  freeBytes(path: string): Promise<number>;
  exists(path: string): Promise<boolean>;
  stat(path: string): Promise<FileInfo | undefined>;
  /** Entries of a directory, sorted by name (code point order). */
  list(path: string): Promise<FileInfo[]>;
  mkdir(path: string): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  /**
   * The file's bytes from start to end, read into this process as they come: local files from
   * the file system, on an ssh host over the run's connection (its SFTP channel, or `cat` when
   * the server has no sftp subsystem). Export files are verified through it, in this process.
   */
  readStream(path: string): AsyncIterable<Buffer>;
  writeFile(path: string, data: string | Buffer): Promise<void>;
  appendFile(path: string, data: string): Promise<void>;
  /** Remove a file or a whole directory tree. */
  remove(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /**
   * A host that writes export files itself (the xapi transport) checks them while writing: the
   * check's result for this file (once; undefined when the file was not checked so), which stands
   * for the read-back check of verify.ts.
   */
  checkedWhileWriting?(path: string): ArchiveSummary | ArchiveDamage | undefined;
  /** Exclusive lock file (O_EXCL); rejects when another live run holds it. */
  lock(path: string): Promise<HostLock>;
  close(): Promise<void>;
}
