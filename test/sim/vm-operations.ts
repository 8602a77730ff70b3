// Operations in progress on a VM, as xapi tracks them in VM.current_operations (task → op):
// ocaml/xapi/xapi_vm_lifecycle.ml is_allowed_concurrently and report_concurrent_operations_error
// decide whether a new operation may overlap the ones in progress; ocaml/xapi/xapi_vm_helpers.ml
// with_vm_operation (VM.snapshot, VM.destroy, VM.hard_shutdown, ...) and ocaml/xapi/export.ml
// lock_vm (the export handlers) wait for a conflicting operation to end — woken early when it
// does (helpers.ml Early_wakeup) — for at most a policy's max_total_wait (helpers.ml
// Repeat_with_uniform_backoff: `standard` 2 hours, `fail_quickly` 120 s), then fail with
// OTHER_OPERATION_IN_PROGRESS [VM, vm ref, operation(s), task ref(s)].
import { failure, type XapiFailure } from './errors';
import type { SimState } from './state';

/** Sets of operations that may all run at once (is_allowed_concurrently: long_copies, snapshot, boot_record). */
const COMPATIBLE_SETS = [['clone', 'copy', 'export'], ['snapshot', 'checkpoint'], ['get_boot_record']];
/** is_allowed_concurrently's allowed_operations: exactly these in progress → this one allowed. */
const ALLOWED_DURING: [string[], string][] = [
  [['snapshot_with_quiesce'], 'snapshot'],
  [['migrate_send'], 'metadata_export'],
  [['migrate_send'], 'clean_shutdown'],
  [['migrate_send'], 'clean_reboot'],
];

export function isAllowedConcurrently(op: string, current: readonly string[]): boolean {
  if (COMPATIBLE_SETS.some((set) => set.includes(op) && current.every((o) => set.includes(o)))) return true;
  if (op === 'hard_shutdown') return !current.includes(op);
  if (op === 'hard_reboot') return !current.some((o) => o === 'hard_shutdown' || o === 'hard_reboot');
  return ALLOWED_DURING.some(([during, allowed]) => allowed === op && during.length === current.length && during.every((o, i) => o === current[i]));
}

function currentOperations(state: SimState, vm: string): [string, string][] {
  return Object.entries((state.get('VM', vm)?.current_operations ?? {}) as Record<string, string>);
}

/** OTHER_OPERATION_IN_PROGRESS when `op` may not start now on `vm`, else undefined. */
export function concurrentOperationError(state: SimState, vm: string, op: string): XapiFailure | undefined {
  const current = currentOperations(state, vm);
  if (current.length === 0 || isAllowedConcurrently(op, current.map(([, o]) => o))) return undefined;
  const [refs, ops] =
    current.length === 1
      ? [current[0]![0], current[0]![1]]
      : [`{${current.map(([r]) => r).join(',')}}`, `{${current.map(([, o]) => o).join(',')}}`];
  return failure('OTHER_OPERATION_IN_PROGRESS', 'VM', vm, ops, refs);
}

export function addOperation(state: SimState, vm: string, task: string, op: string): void {
  const ops = { ...(state.require('VM', vm).current_operations as Record<string, string>), [task]: op };
  state.update('VM', vm, { current_operations: ops });
}

export function removeOperation(state: SimState, vm: string, task: string): void {
  const rec = state.get('VM', vm);
  if (!rec || !(task in (rec.current_operations as Record<string, string>))) return;
  const rest = { ...(rec.current_operations as Record<string, string>) };
  delete rest[task];
  state.update('VM', vm, { current_operations: rest });
}

/**
 * Waits until `op` may start on `vm` (each change of the pool re-checks, like Early_wakeup),
 * for at most `maxWaitMs`, then marks it under `task` — check and mark with no await between,
 * so two waiters woken together cannot both start. Fails with OTHER_OPERATION_IN_PROGRESS when
 * the wait is over, or when `signal` (the simulator closing) aborts it.
 */
export async function acquireVmOperation(state: SimState, vm: string, op: string, task: string, maxWaitMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    state.require('VM', vm);
    const error = concurrentOperationError(state, vm, op);
    if (!error) return addOperation(state, vm, task, op);
    const left = deadline - Date.now();
    if (left <= 0 || signal?.aborted) throw error;
    await state.waitForChange(left, signal);
  }
}

/** with_vm_operation / with_vm_locked: wait for the VM, mark `op` under `task` while `work` runs. */
export async function withVmOperation<T>(
  state: SimState,
  vm: string,
  op: string,
  task: string,
  maxWaitMs: number,
  signal: AbortSignal | undefined,
  work: () => Promise<T> | T,
): Promise<T> {
  await acquireVmOperation(state, vm, op, task, maxWaitMs, signal);
  try {
    return await work();
  } finally {
    removeOperation(state, vm, task);
  }
}
