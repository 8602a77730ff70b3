// What a XenAPI call runs against: the pool state, faults, the root password and, for the
// second (pool member) port, the master's address to redirect to.
import type { BusyHolds } from '../busy';
import type { FaultSettings } from '../faults';
import type { SimState } from '../state';
import type { TimingSettings } from '../timing';

export interface ApiContext {
  state: SimState;
  faults: FaultSettings;
  /** The vmBusy fault's holds (snapshots made under a held name are held too). */
  busy?: BusyHolds;
  password: string;
  /** Set when this endpoint is a pool member: calls fail with HOST_IS_SLAVE [masterAddress]. */
  slaveOf?: string;
  /**
   * The CLI server's task wait wakes at every change, and at the latest after this long
   * (cli_operations.ml wait_for_task_complete polls every second; default 1000).
   */
  cliTaskPollMs?: number;
  /** The host whose endpoint this is (its role follows pool.master); unset for the legacy slave port. */
  hostRef?: string;
  /** Address reported by the hostIsSlave fault. */
  masterAddress: string;
  /** Aborted when the HTTP request goes away or the simulator closes (ends event.from waits). */
  signal?: AbortSignal;
  /** How long operations take (timing model; all zero by default). */
  timing: TimingSettings;
  /** Aborted when the simulator closes: ends the timing model's waits (Async tasks outlive their request). */
  lifetime?: AbortSignal;
}

export interface ApiResult {
  value: unknown;
  /** XML-RPC: system.listMethods answers without the Status/Value envelope. */
  bare?: boolean;
}
