// Tasks: created by clients (task.create, as xen-api does before getResource) or by the
// simulator (Async.*, HTTP handlers without task_id, the xe command), completed with XAPI's
// encoding of the result (an XML-RPC <value> string or "").
import type { XapiFailure } from '../errors';
import type { SimState } from '../state';
import { xapiDate } from '../time';

export function createTask(state: SimState, label: string, description: string): string {
  const [master] = state.entries('pool');
  return state.create('task', {
    name_label: label,
    name_description: description,
    created: xapiDate(),
    status: 'pending',
    progress: 0,
    resident_on: master ? master[1].master : 'OpaqueRef:NULL',
    allowed_operations: ['cancel'],
  });
}

export function isPending(state: SimState, task: string | undefined): boolean {
  return task !== undefined && state.get('task', task)?.status === 'pending';
}

export function setProgress(state: SimState, task: string | undefined, progress: number): void {
  if (isPending(state, task)) state.update('task', task!, { progress });
}

export function completeTask(
  state: SimState,
  task: string | undefined,
  outcome: { result?: string; error?: XapiFailure; cancelled?: boolean },
): void {
  if (task === undefined || !isPending(state, task)) return;
  const finished = xapiDate();
  if (outcome.cancelled) {
    state.update('task', task, {
      status: 'cancelled',
      finished,
      error_info: ['TASK_CANCELLED', task],
      allowed_operations: [],
    });
  } else if (outcome.error) {
    state.update('task', task, {
      status: 'failure',
      finished,
      progress: 1,
      error_info: outcome.error.description,
      allowed_operations: [],
    });
  } else {
    state.update('task', task, {
      status: 'success',
      finished,
      progress: 1,
      result: outcome.result ?? '',
      allowed_operations: [],
    });
  }
}
