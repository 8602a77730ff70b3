// One run of the bundled runner as a child process: no shell, JSON-lines events parsed as they
// arrive, stderr passed on line by line, and a stop() that sends SIGTERM so the runner can
// remove its snapshot and partial backup folder itself (it never gets a SIGKILL from us: a
// killed runner would leak exactly what it was cleaning up). On Windows kill('SIGTERM') would
// be exactly such a kill, so there stop() sends the runner's stop message over an IPC channel
// instead (invocation.stopBy). Pure Node, no `vscode` import.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { RunEvent } from 'vmbackup-runner/backup/events';
import { STOP_MESSAGE } from 'vmbackup-runner/cli/stop';
import type { RunnerInvocation } from './runnerInvocation';

export interface RunnerListener {
  event(event: RunEvent): void;
  /** A stdout line that is not a JSON event (should not happen; shown as is). */
  text(line: string): void;
  /** A line the runner wrote to stderr (usage errors, argument errors, crash reports). */
  stderr(line: string): void;
}

export interface RunnerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The runner's last event when it was `run-end`. */
  runEnd?: Extract<RunEvent, { type: 'run-end' }>;
  /** Set when the process could not be started at all. */
  spawnError?: Error;
  stopped: boolean;
}

const EVENT_TYPES = new Set([
  'run-start',
  'restore-report',
  'info',
  'vm-start',
  'step',
  'progress',
  'warning',
  'error',
  'vm-end',
  'run-end',
]);

/** Parses one stdout line; undefined when it is not one of the runner's events. */
export function parseEventLine(line: string): RunEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    if (value === null || typeof value !== 'object') return undefined;
    const { type, message } = value as { type?: unknown; message?: unknown };
    if (typeof type !== 'string' || !EVENT_TYPES.has(type) || typeof message !== 'string') return undefined;
    return value as RunEvent;
  } catch {
    return undefined;
  }
}

export class RunnerProcess {
  private readonly child: ChildProcess;
  private stopRequested = false;
  private readonly stopBy: RunnerInvocation['stopBy'];
  readonly exited: Promise<RunnerExit>;

  constructor(invocation: RunnerInvocation, listener: RunnerListener) {
    this.stopBy = invocation.stopBy;
    this.child = spawn(invocation.command, invocation.args, {
      cwd: invocation.cwd,
      env: invocation.env,
      shell: false,
      stdio: invocation.stopBy === 'message' ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let runEnd: RunnerExit['runEnd'];
    const stdoutDone = new Promise<void>((resolve) => {
      if (!this.child.stdout) return resolve();
      const lines = createInterface({ input: this.child.stdout, crlfDelay: Infinity });
      lines.on('line', (line) => {
        const event = parseEventLine(line);
        if (!event) {
          if (line.trim() !== '') listener.text(line);
          return;
        }
        if (event.type === 'run-end') runEnd = event;
        listener.event(event);
      });
      lines.on('close', resolve);
    });
    const stderrDone = new Promise<void>((resolve) => {
      if (!this.child.stderr) return resolve();
      const lines = createInterface({ input: this.child.stderr, crlfDelay: Infinity });
      lines.on('line', (line) => {
        if (line.trim() !== '') listener.stderr(line);
      });
      lines.on('close', resolve);
    });
    this.exited = new Promise<RunnerExit>((resolve) => {
      this.child.once('error', (spawnError) =>
        resolve({ code: null, signal: null, spawnError, stopped: this.stopRequested }),
      );
      this.child.once('close', (code, signal) => {
        void Promise.all([stdoutDone, stderrDone]).then(() =>
          resolve({ code, signal, ...(runEnd ? { runEnd } : {}), stopped: this.stopRequested }),
        );
      });
    });
  }

  /** For the log: what stop() sends. */
  get stopMethod(): string {
    return this.stopBy === 'signal' ? 'SIGTERM' : 'the stop message';
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Asks the runner to stop (SIGTERM, or the stop message); it cleans up and ends with a run-end event. */
  stop(): void {
    this.stopRequested = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.stopBy === 'signal') this.child.kill('SIGTERM');
    else if (this.child.connected) this.child.send(STOP_MESSAGE);
  }
}
