// Where events go: the original's log lines on stdout by default, JSON lines with --json.
import { renderJsonLine, renderLogLine, type EventBus } from '../backup/events';

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

export function attachOutput(bus: EventBus, io: Io, json: boolean): void {
  bus.subscribe((event) => {
    if (json) {
      io.stdout.write(renderJsonLine(event) + '\n');
      return;
    }
    const line = renderLogLine(event);
    if (line !== undefined) io.stdout.write(line + '\n');
  });
}
