// The status log read back as a history (vmbackup-behaviour.md §7): one entry per run
// ("night") with its start, duration, total size, per-VM records and the S/W/E summary. Pure:
// text in, data out, so the extension's history view and its tests share one reading.
//   2016/01/29 10:33:49,vmbackup.py,<host>,begin
//   2016/01/29 10:33:50,vm-export,<host>,begin,<vm>
//   2016/01/29 10:40:02,vm-export,<host>,end,SUCCESS <vm>,elapse:6 size:2G
//   2016/01/29 10:40:02,vdi-export,<host>,end,VDI-EXPORT-FAIL <vm>
//   2016/01/29 10:40:03,vmbackup.py,<host>,end,SUCCESS,S:1 W:0 E:0

export type NightStatus = 'SUCCESS' | 'WARNING' | 'ERROR' | 'INCOMPLETE';

export interface VmRecord {
  /** 0-based line of the VM's `end` record. */
  line: number;
  kind: string;
  /** The first word of the record: SUCCESS, WARNING, ERROR or the failed step (VM-EXPORT-FAIL, ...). */
  word: string;
  /** The record's text after the word: the VM name (control characters escaped by the runner). */
  vm: string;
  /** Whole minutes and whole GiB, as written; undefined on failure records. */
  elapseMinutes?: number;
  sizeGiB?: number;
}

export interface Night {
  /** 0-based lines of the run's `begin` record and of its last record. */
  firstLine: number;
  lastLine: number;
  host: string;
  /** The `begin` timestamp as written (the runner's local time, `YYYY/MM/DD HH:MM:SS`). */
  started: string;
  /** Seconds from `begin` to `end`; undefined when the run has no `end` record. */
  durationSeconds?: number;
  /** Sum of the VMs' recorded sizes (whole GiB each). */
  sizeGiB: number;
  status: NightStatus;
  /** The run's `S:n W:n E:n`; counted from its VM records when the run has no `end` record. */
  success: number;
  warning: number;
  error: number;
  vms: VmRecord[];
}

const TIMESTAMP = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const ELAPSE_SIZE = /^elapse:(\d+) size:(\d+)G$/;
const SUMMARY = /^S:(\d+) W:(\d+) E:(\d+)$/;

/** Seconds since an arbitrary epoch; the zone does not matter for differences within one log. */
function seconds(timestamp: string): number | undefined {
  const m = TIMESTAMP.exec(timestamp);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
}

function vmRecord(line: number, kind: string, rest: string[]): VmRecord {
  // A VM name may hold commas: elapse/size is only the last field when it has that exact shape.
  const last = rest.at(-1) ?? '';
  const measured = rest.length > 1 ? ELAPSE_SIZE.exec(last) : null;
  const text = (measured ? rest.slice(0, -1) : rest).join(',');
  const space = text.indexOf(' ');
  const record: VmRecord = {
    line,
    kind,
    word: space < 0 ? text : text.slice(0, space),
    vm: space < 0 ? '' : text.slice(space + 1),
  };
  if (measured) {
    record.elapseMinutes = Number(measured[1]);
    record.sizeGiB = Number(measured[2]);
  }
  return record;
}

function countOutcome(night: Night, word: string): void {
  if (word === 'SUCCESS') night.success++;
  else if (word === 'WARNING') night.warning++;
  else night.error++;
}

/** Every run in the log, oldest first. Lines that are not records are skipped. */
export function parseStatusHistory(text: string): Night[] {
  const nights: Night[] = [];
  let current: Night | undefined;
  let currentStart: number | undefined;
  const close = () => {
    if (current) nights.push(current);
    current = undefined;
  };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const fields = raw.split(',');
    const [timestamp = '', kind = '', host = '', phase = '', ...rest] = fields;
    const at = seconds(timestamp);
    if (at === undefined || (phase !== 'begin' && phase !== 'end')) return;
    if (kind === 'vmbackup.py' && phase === 'begin') {
      close();
      currentStart = at;
      current = {
        firstLine: index,
        lastLine: index,
        host,
        started: timestamp,
        sizeGiB: 0,
        status: 'INCOMPLETE',
        success: 0,
        warning: 0,
        error: 0,
        vms: [],
      };
      return;
    }
    if (!current) return;
    current.lastLine = index;
    if (kind === 'vmbackup.py') {
      const summary = SUMMARY.exec(rest[1] ?? '');
      const status = rest[0];
      if (status === 'SUCCESS' || status === 'WARNING' || status === 'ERROR') current.status = status;
      else current.status = 'ERROR';
      if (summary) {
        current.success = Number(summary[1]);
        current.warning = Number(summary[2]);
        current.error = Number(summary[3]);
      }
      if (currentStart !== undefined) current.durationSeconds = at - currentStart;
      close();
      return;
    }
    if (phase !== 'end') return;
    const record = vmRecord(index, kind, rest);
    current.vms.push(record);
    current.sizeGiB += record.sizeGiB ?? 0;
    // Until the run's summary arrives, the VM records are the only count there is.
    countOutcome(current, record.word);
  });
  close();
  return nights;
}

/** A night that needs attention: it ended with a warning or an error, or never ended. */
export function isFailingNight(night: Night): boolean {
  return night.status !== 'SUCCESS';
}
