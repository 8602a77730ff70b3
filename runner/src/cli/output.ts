// Where events go: the original's log lines on stdout by default, JSON lines with --json.
import { renderJsonLine, renderLogLine, type EventBus } from '../backup/events';
import { escapeControls } from '../backup/visible';
import type { LocalMachine } from '../host/index';

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  /** The machine the runner runs on, for its local host (default: process.platform's rules). */
  machine?: LocalMachine;
}

export function attachOutput(bus: EventBus, io: Io, json: boolean): void {
  bus.subscribe((event) => {
    if (json) {
      io.stdout.write(renderJsonLine(event) + '\n');
      return;
    }
    const line = renderLogLine(event);
    // VM names inside messages may hold terminal escapes: the human log shows them, inert.
    if (line !== undefined) io.stdout.write(escapeControls(line) + '\n');
  });
}
