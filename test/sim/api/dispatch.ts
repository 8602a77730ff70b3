// XenAPI method dispatch: session handling, the messages the backup flow uses (VM.snapshot,
// VDI.snapshot, destroy, task.*, event.*), the generic per-class messages and Async.*.
import { randomUUID } from 'node:crypto';
import { canonicalClass, fieldInfo, type TypeDesc } from '../datamodel';
import { createVbd, createVdi, createVif } from '../create-ops';
import { failure, XapiFailure } from '../errors';
import { snapshotFault } from '../faults';
import { NULL_REF } from '../ids';
import { destroyVdi, destroyVm, setPowerState, snapshotVdi, snapshotVm } from '../ops';
import type { SimState } from '../state';
import { holdFor } from '../timing';
import { xapiDate } from '../time';
import { withVmOperation } from '../vm-operations';
import { encodeValue } from '../wire/xmlrpc';
import type { ApiContext, ApiResult } from './context';
import { eventFrom, eventInject } from './events';
import { coerce, genericMethod, genericMethodNames, genericResultType } from './generic';
import { completeTask, createTask } from './tasks';

interface Special {
  /** Parameters after the session: [required, maximum]. */
  params: [number, number];
  result: TypeDesc;
  run: (ctx: ApiContext, args: unknown[], session: string) => unknown;
}

const ref = (cls: string): TypeDesc => ({ k: 'ref', cls });
const VOID: TypeDesc = { k: 'string' };

function requireVm(state: SimState, vm: unknown): string {
  state.require('VM', vm);
  return vm as string;
}

/** A record argument (VDI.create's `args`…) typed as the datamodel says; unknown fields are ignored. */
function recordArg(cls: string, value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!value || typeof value !== 'object') return out;
  for (const [k, v] of Object.entries(value)) {
    const info = fieldInfo(cls, k);
    if (info) out[k] = coerce(v, info.type);
  }
  return out;
}

function masterOf(state: SimState): string {
  const [pool] = state.entries('pool');
  return pool ? String(pool[1].master) : NULL_REF;
}

const SPECIALS: Record<string, Special> = {
  'VM.snapshot': {
    params: [2, 3],
    result: ref('VM'),
    run: (ctx, [vm, name, ignore]) =>
      vmOperation(ctx, vm, 'snapshot', async () => {
        await holdFor(ctx.timing, 'snapshotMs', ctx.lifetime);
        const fault = snapshotFault(ctx.faults);
        if (fault) throw fault;
        const snap = snapshotVm(ctx.state, vm as string, String(name), Array.isArray(ignore) ? ignore.map(String) : []);
        ctx.busy?.created(snap);
        return snap;
      }),
  },
  'VM.destroy': {
    params: [1, 1],
    result: VOID,
    run: (ctx, [vm]) => vmOperation(ctx, vm, 'destroy', () => (destroyVm(ctx.state, vm as string), '')),
  },
  'VM.start': {
    params: [3, 3],
    result: VOID,
    // xapi_vm.ml start: the domain is built on the master here; start_paused=true leaves it Paused.
    run: (ctx, [vm, startPaused]) => {
      const rec = ctx.state.require('VM', vm);
      if (rec.is_a_template) throw failure('VM_IS_TEMPLATE', vm, 'start');
      if (rec.power_state !== 'Halted')
        throw failure('VM_BAD_POWER_STATE', vm, 'halted', String(rec.power_state).toLowerCase());
      return vmOperation(ctx, vm, 'start', () => {
        const paused = startPaused === true || startPaused === 'true';
        setPowerState(ctx.state, vm as string, paused ? 'Paused' : 'Running', masterOf(ctx.state));
        const metrics = String(ctx.state.get('VM', vm as string)!.metrics);
        if (ctx.state.has('VM_metrics', metrics)) ctx.state.update('VM_metrics', metrics, { start_time: xapiDate() });
        return '';
      });
    },
  },
  'VM.clean_shutdown': {
    params: [1, 1],
    result: VOID,
    run: (ctx, [vm]) => vmOperation(ctx, vm, 'clean_shutdown', () => shutdown(ctx.state, vm)),
  },
  'VM.hard_shutdown': {
    params: [1, 1],
    result: VOID,
    run: (ctx, [vm]) => vmOperation(ctx, vm, 'hard_shutdown', () => shutdown(ctx.state, vm)),
  },
  'VDI.create': {
    params: [1, 1],
    result: ref('VDI'),
    run: (ctx, [args]) => {
      const r = recordArg('VDI', args);
      return createVdi(ctx.state, {
        name_label: String(r.name_label ?? ''),
        name_description: String(r.name_description ?? ''),
        SR: String(r.SR ?? NULL_REF),
        virtual_size: Number(r.virtual_size ?? 0),
        type: String(r.type ?? 'user'),
        sharable: r.sharable === true,
        read_only: r.read_only === true,
        other_config: (r.other_config ?? {}) as Record<string, string>,
        sm_config: (r.sm_config ?? {}) as Record<string, string>,
        tags: (r.tags ?? []) as string[],
      });
    },
  },
  'VBD.create': {
    params: [1, 1],
    result: ref('VBD'),
    run: (ctx, [args]) => {
      const r = recordArg('VBD', args);
      return createVbd(ctx.state, {
        VM: String(r.VM ?? NULL_REF),
        VDI: String(r.VDI ?? NULL_REF),
        userdevice: String(r.userdevice ?? ''),
        bootable: r.bootable === true,
        mode: r.mode === 'RO' ? 'RO' : 'RW',
        type: r.type === 'CD' || r.type === 'Floppy' ? r.type : 'Disk',
        unpluggable: r.unpluggable !== false,
        empty: r.empty === true,
        other_config: (r.other_config ?? {}) as Record<string, string>,
      });
    },
  },
  'VIF.create': {
    params: [1, 1],
    result: ref('VIF'),
    run: (ctx, [args]) => {
      const r = recordArg('VIF', args);
      return createVif(ctx.state, {
        VM: String(r.VM ?? NULL_REF),
        network: String(r.network ?? NULL_REF),
        device: String(r.device ?? ''),
        MAC: String(r.MAC ?? ''),
        ...(r.MTU !== undefined ? { MTU: Number(r.MTU) } : {}),
        other_config: (r.other_config ?? {}) as Record<string, string>,
      });
    },
  },
  'VDI.snapshot': {
    params: [1, 2],
    result: ref('VDI'),
    run: async (ctx, [vdi]) => {
      const rec = ctx.state.require('VDI', vdi);
      // message_forwarding.ml VDI.snapshot: with_sr_andor_vdi marks `snapshot` on the VDI meanwhile.
      const task = `OpaqueRef:${randomUUID()}`;
      ctx.state.update('VDI', vdi as string, {
        current_operations: { ...(rec.current_operations as object), [task]: 'snapshot' },
      });
      try {
        await holdFor(ctx.timing, 'snapshotMs', ctx.lifetime);
        const fault = snapshotFault(ctx.faults);
        if (fault) throw fault;
        return snapshotVdi(ctx.state, vdi as string);
      } finally {
        const now = ctx.state.get('VDI', vdi as string);
        if (now) {
          const rest = { ...(now.current_operations as Record<string, string>) };
          delete rest[task];
          ctx.state.update('VDI', vdi as string, { current_operations: rest });
        }
      }
    },
  },
  'VDI.destroy': {
    params: [1, 1],
    result: VOID,
    run: async (ctx, [vdi]) => {
      ctx.state.require('VDI', vdi);
      await holdFor(ctx.timing, 'destroyMs', ctx.lifetime);
      const fault = ctx.faults.vdiDestroyFailure;
      if (fault) throw failure(fault.code, ...fault.params);
      destroyVdi(ctx.state, vdi as string);
      return '';
    },
  },
  'task.create': {
    params: [2, 2],
    result: ref('task'),
    run: (ctx, [label, descr]) => createTask(ctx.state, String(label), String(descr)),
  },
  'task.destroy': {
    params: [1, 1],
    result: VOID,
    run: (ctx, [task]) => (ctx.state.require('task', task), ctx.state.destroy('task', task as string), ''),
  },
  'task.cancel': {
    params: [1, 1],
    result: VOID,
    run: (ctx, [task]) => {
      const rec = ctx.state.require('task', task);
      if (rec.status === 'pending') completeTask(ctx.state, task as string, { cancelled: true });
      return '';
    },
  },
  'event.inject': { params: [2, 2], result: VOID, run: (ctx, [cls, r]) => eventInject(ctx.state, cls, r) },
  'event.from': {
    params: [3, 3],
    result: { k: 'any' },
    run: (ctx, [classes, token, timeout]) => eventFrom(ctx.state, classes, token, timeout, ctx.signal),
  },
  'session.logout': {
    params: [0, 0],
    result: VOID,
    run: (ctx, _args, session) => (ctx.state.destroy('session', session), ''),
  },
  'session.get_uuid': { params: [1, 1], result: VOID, run: (ctx, [s]) => ctx.state.require('session', s).uuid },
};

/**
 * message_forwarding.ml wraps these calls in xapi_vm_helpers.ml with_vm_operation: wait for a
 * conflicting operation to end (vmOperationWaitMs), mark this one in current_operations meanwhile.
 */
function vmOperation<T>(ctx: ApiContext, vm: unknown, op: string, work: () => Promise<T> | T): Promise<T> {
  requireVm(ctx.state, vm);
  // The call's own task ref (a synchronous call's task is never listed); random, so the fixture's
  // deterministic uuid sequence stays the same with or without it.
  const task = `OpaqueRef:${randomUUID()}`;
  return withVmOperation(ctx.state, vm as string, op, task, ctx.timing.vmOperationWaitMs, ctx.lifetime, work);
}

function shutdown(state: SimState, vm: unknown): string {
  const rec = state.require('VM', vm);
  if (rec.power_state === 'Halted') throw failure('VM_BAD_POWER_STATE', vm, 'running, paused, suspended', 'halted');
  setPowerState(state, vm as string, 'Halted', String(rec.resident_on));
  return '';
}

export function listMethods(): string[] {
  return [
    'session.login_with_password',
    'session.logout',
    'system.listMethods',
    'event.from',
    'event.inject',
    ...Object.keys(SPECIALS).filter((m) => !m.startsWith('session.') && !m.startsWith('event.')),
    ...genericMethodNames(),
  ];
}

function login(ctx: ApiContext, args: unknown[]): string {
  if (args.length < 2 || args.length > 4)
    throw failure('MESSAGE_PARAMETER_COUNT_MISMATCH', 'session.login_with_password', 2, args.length);
  const [user, password, , originator] = args;
  if (user !== 'root' || password !== ctx.password)
    throw failure('SESSION_AUTHENTICATION_FAILED', user, 'Authentication failure');
  const now = xapiDate();
  return ctx.state.create('session', {
    this_host: masterOf(ctx.state),
    last_active: now,
    validation_time: now,
    is_local_superuser: true,
    auth_user_name: 'root',
    originator: String(originator ?? ''),
  });
}

function checkSession(state: SimState, session: unknown): string {
  if (typeof session !== 'string' || !state.has('session', session)) throw failure('SESSION_INVALID', session);
  return session;
}

function countMismatch(method: string, expected: number, received: number): XapiFailure {
  return failure('MESSAGE_PARAMETER_COUNT_MISMATCH', method, expected, received);
}

/** Runs one XenAPI call; throws XapiFailure for API errors. */
export async function callApi(ctx: ApiContext, method: string, params: unknown[]): Promise<ApiResult> {
  if (method === 'system.listMethods') return { value: listMethods(), bare: true };
  const slaveOf = ctx.slaveOf ?? (ctx.faults.hostIsSlave ? ctx.masterAddress : undefined);
  if (slaveOf !== undefined) throw failure('HOST_IS_SLAVE', slaveOf);
  if (method === 'session.login_with_password') return { value: login(ctx, params) };
  const session = checkSession(ctx.state, params[0]);
  const args = params.slice(1);
  if (method.startsWith('Async.')) {
    const inner = method.slice('Async.'.length);
    const resultType = resolve(inner, args.length);
    const task = createTask(ctx.state, `Async.${inner}`, '');
    void (async () => {
      try {
        const value = await resolve(inner, args.length).run(ctx, args, session);
        completeTask(ctx.state, task, { result: value === '' ? '' : encodeValue(value, resultType.type) });
      } catch (error) {
        const f = error instanceof XapiFailure ? error : failure('INTERNAL_ERROR', (error as Error).message);
        completeTask(ctx.state, task, { error: f });
      }
    })();
    return { value: task };
  }
  return { value: await resolve(method, args.length).run(ctx, args, session) };
}

interface Resolved {
  type: TypeDesc;
  run: (ctx: ApiContext, args: unknown[], session: string) => unknown;
}

function resolve(method: string, count: number): Resolved {
  const special = SPECIALS[method];
  if (special) {
    const [min, max] = special.params;
    if (count < min || count > max) throw countMismatch(method, max + 1, count + 1);
    return { type: special.result, run: special.run };
  }
  const dot = method.indexOf('.');
  const cls = dot > 0 ? canonicalClass(method.slice(0, dot)) : undefined;
  const exact = cls && method.slice(0, dot) === cls;
  const generic = exact ? genericMethod(cls, method.slice(dot + 1)) : undefined;
  if (!cls || !generic) throw failure('MESSAGE_METHOD_UNKNOWN', method);
  if (count !== generic.params) throw countMismatch(method, generic.params + 1, count + 1);
  return { type: genericResultType(cls, method.slice(dot + 1)), run: (ctx, args) => generic.handler(ctx.state, args) };
}

/** XML-RPC result type of a method (after a successful call). */
export function resultType(method: string, count: number): TypeDesc {
  if (method === 'system.listMethods') return { k: 'set', of: { k: 'string' } };
  if (method === 'session.login_with_password' || method.startsWith('Async.')) return { k: 'ref', cls: 'session' };
  return resolve(method, count).type;
}
