// Entry point of `vmbackup` (bundled to dist/vmbackup.js). SIGINT/SIGTERM/SIGHUP abort the run:
// the engine removes its snapshots and partial folders, writes the status log and the
// process exits 2. A second signal exits at once. A parent that started the runner with an IPC
// channel (the extension on Windows, where a child cannot catch a SIGTERM: Node's kill() ends
// it at once) asks for the same clean stop with the message STOP_MESSAGE.
import { main } from './cli/main';
import { isStopMessage } from './cli/stop';

const controller = new AbortController();
let signalled = 0;
function stop(reason: string): void {
  signalled++;
  if (signalled > 1) process.exit(2);
  process.stderr.write(`vmbackup: ${reason} received, stopping cleanly (send again to exit at once)\n`);
  controller.abort(new Error(`${reason} received`));
}
// SIGHUP: the terminal or ssh session that started the run went away — same clean stop.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => stop(sig));
if (process.channel) {
  process.on('message', (message) => {
    if (isStopMessage(message)) stop('stop request');
  });
  // The channel alone must not keep the process alive.
  process.channel.unref();
}

main(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env },
  controller.signal,
)
  .catch((error: unknown) => {
    process.stderr.write(`vmbackup: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  })
  .then((code) => {
    // Exit explicitly once stdout is flushed: HTTP keep-alive sockets must not keep cron waiting.
    const exitCode = signalled > 0 ? 2 : code;
    process.stdout.write('', () => process.exit(exitCode));
  });
