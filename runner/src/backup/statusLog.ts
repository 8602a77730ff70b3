// The status log (vmbackup-behaviour.md §7): appended records monitoring checks parse.
//   2016/01/29 10:33:49,vmbackup.py,<host>,begin
//   2016/01/29 10:33:50,vm-export,<host>,begin,<vm>
//   2016/01/29 10:40:02,vm-export,<host>,end,SUCCESS <vm>,elapse:6 size:2G
//   2016/01/29 10:40:03,vmbackup.py,<host>,end,SUCCESS,S:1 W:0 E:0
import type { Host } from '../host/types';

const pad = (n: number): string => String(n).padStart(2, '0');

export function statusTimestamp(date: Date): string {
  return `${date.getFullYear()}/${pad(date.getMonth() + 1)}/${pad(date.getDate())} ${pad(date.getHours())}:${pad(
    date.getMinutes(),
  )}:${pad(date.getSeconds())}`;
}

/** A VM name inside one record: line breaks would forge extra records, so they are escaped. */
export function oneLine(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

/** Whole minutes and whole GiB, as the original's integer divisions. */
export function elapseSize(elapsedMs: number, bytes: number): string {
  return `elapse:${Math.floor(elapsedMs / 60000)} size:${Math.floor(bytes / 1024 ** 3)}G`;
}

export class StatusLog {
  private queue: Promise<void> = Promise.resolve();
  private failed = false;

  constructor(
    private readonly host: Host,
    /** undefined: no status log (vm-selector runs, dry runs). */
    readonly path: string | undefined,
    private readonly server: string,
    private readonly now: () => Date,
    private readonly onError: (message: string) => void,
  ) {}

  private append(fields: string[]): Promise<void> {
    if (this.path === undefined) return Promise.resolve();
    const path = this.path;
    const line = [statusTimestamp(this.now()), ...fields].join(',') + '\n';
    // Serialized: concurrent VMs must not interleave partial lines.
    this.queue = this.queue.then(async () => {
      try {
        await this.host.appendFile(path, line);
      } catch (error) {
        if (!this.failed) this.onError(`ERROR cannot write status log ${path}: ${(error as Error).message}`);
        this.failed = true;
      }
    });
    return this.queue;
  }

  runBegin(): Promise<void> {
    return this.append(['vmbackup.py', this.server, 'begin']);
  }
  runEnd(status: 'SUCCESS' | 'WARNING' | 'ERROR', summary: string): Promise<void> {
    return this.append(['vmbackup.py', this.server, 'end', status, summary]);
  }
  vmBegin(kind: string, vm: string): Promise<void> {
    return this.append([kind, this.server, 'begin', oneLine(vm)]);
  }
  vmEnd(kind: string, status: string): Promise<void> {
    return this.append([kind, this.server, 'end', oneLine(status)]);
  }
  flush(): Promise<void> {
    return this.queue;
  }
  /** True once a record could not be written: monitoring cannot see this run as it is. */
  get hasFailed(): boolean {
    return this.failed;
  }
}
