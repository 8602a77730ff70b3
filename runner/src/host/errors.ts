// One error type for everything a Host can fail with, so the engine can react to a code
// (`ENOENT`, `EEXIST`, `ELOCKED`, ...) the same way for a local disk and a remote one.

export type HostErrorCode =
  | 'ENOENT' // the path does not exist
  | 'EEXIST' // exclusive creation found the file already there
  | 'ELOCKED' // another live run holds the lock
  | 'EINVAL' // an argument that cannot be used (NUL byte, refusing to remove `/`)
  | 'ENOTEMPTY' // rename onto a directory that is not empty
  | 'ECOMMAND' // a program could not be started (not installed, not executable)
  | 'ETRANSPORT' // ssh itself failed: connection, authentication, host key
  | 'EABORTED' // the run's AbortSignal fired
  | 'EROFS' // the file system is mounted read-only
  | 'EIO'; // any other failure of a file operation

export class HostError extends Error {
  override readonly name = 'HostError';
  constructor(
    readonly code: HostErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isHostError(error: unknown, code?: HostErrorCode): error is HostError {
  return error instanceof HostError && (code === undefined || error.code === code);
}

/** Turn a node:fs error into a HostError that names the path and the operation. */
export function fromFsError(error: unknown, operation: string, path: string): HostError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const passedOn = ['ENOENT', 'EEXIST', 'ENOTEMPTY', 'EROFS'] as const;
  const known: HostErrorCode = passedOn.find((c) => c === code) ?? 'EIO';
  const detail = error instanceof Error ? error.message : String(error);
  return new HostError(known, `${operation} ${path}: ${detail}`);
}
