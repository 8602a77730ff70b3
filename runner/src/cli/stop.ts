// The stop request a parent sends over the IPC channel it started the runner with (the
// extension on Windows, where there is no SIGTERM a child can catch). Shared by the runner
// (cli.ts) and the extension (client/src/runnerProcess.ts) so both sides name it alike.

export const STOP_MESSAGE = { type: 'vmbackup-stop' } as const;

export function isStopMessage(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === STOP_MESSAGE.type;
}
