// How the CLI prints failures (xapi_cli.ml exception_handler, cli_util.ml server_error):
// known API errors as their datamodel doc line plus "<param name>: <value>" lines (refs shown as
// "uuid (name-label)"), unknown codes as "Error code:/Error parameters:", OCaml Failures as
// INTERNAL_ERROR, CLI usage errors with the "For usage run: 'xe help'" hint.
import type { XapiFailure } from '../errors';
import type { SimState } from '../state';

const DOCS: Record<string, [string, string[]]> = {
  SESSION_AUTHENTICATION_FAILED: [
    'The credentials given by the user are incorrect, so access has been denied, and you have not been issued a ' +
      'session handle.',
    [],
  ],
  SESSION_INVALID: [
    'You gave an invalid session reference. It may have been invalidated by a server restart, or timed out. You ' +
      'should get a new session handle, using one of the session.login_ calls. This error does not invalidate the ' +
      'current connection. The handle parameter echoes the bad value given.',
    ['handle'],
  ],
  HOST_IS_SLAVE: [
    'You cannot make regular API calls directly on a supporter. Please pass API calls via the coordinator host.',
    ['Master IP address'],
  ],
  HANDLE_INVALID: [
    'You gave an invalid object reference. The object may have recently been deleted. The class parameter gives ' +
      'the type of reference given, and the handle parameter echoes the bad value given.',
    ['class', 'handle'],
  ],
  UUID_INVALID: ['The uuid you supplied was invalid.', ['type', 'uuid']],
  MESSAGE_METHOD_UNKNOWN: [
    'You tried to call a method that does not exist. The method name that you used is echoed.',
    ['method'],
  ],
  MESSAGE_PARAMETER_COUNT_MISMATCH: [
    'You tried to call a method with the incorrect number of parameters. The fully-qualified method name that you ' +
      'used, and the number of received and expected parameters are returned.',
    ['method', 'expected', 'received'],
  ],
  VM_BAD_POWER_STATE: [
    'You attempted an operation on a VM that was not in an appropriate power state at the time; for example, you ' +
      "attempted to start a VM that was already running. The parameters returned are the VM's handle, and the " +
      'expected and actual VM state at the time of the call.',
    ['vm', 'expected', 'actual'],
  ],
  VM_IS_TEMPLATE: ['The operation attempted is not valid for a template VM', ['vm', 'operation']],
  VM_CANNOT_DELETE_DEFAULT_TEMPLATE: ['You cannot delete the specified default template.', ['vm']],
  OPERATION_NOT_ALLOWED: ['You attempted an operation that was not allowed.', ['reason']],
  OPERATION_BLOCKED: [
    'You attempted an operation that was explicitly blocked (see the blocked_operations field of the given object).',
    ['ref', 'code'],
  ],
  VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION: [
    "This operation is not permitted on VDIs in the 'on-boot=reset' mode, or on VMs having such VDIs.",
    [],
  ],
  VM_HAS_VUSBS: ['The operation is not allowed when the VM has VUSBs.', ['VM']],
  OTHER_OPERATION_IN_PROGRESS: [
    'Another operation involving the object is currently in progress',
    ['class', 'object', 'operation_type', 'operation_ref'],
  ],
  VDI_IN_USE: [
    'This operation cannot be performed because this VDI is in use by some other operation',
    ['vdi', 'operation'],
  ],
  VDI_TOO_LARGE: ['The VDI is too large.', ['vdi', 'maximum size']],
  SR_FULL: ['The SR is full. Requested new size exceeds the maximum size', ['requested', 'maximum']],
  MAP_DUPLICATE_KEY: [
    'You tried to add a key-value pair to a map, but that key is already there.',
    ['type', 'param_name', 'uuid', 'key'],
  ],
  INTERNAL_ERROR: [
    'The server failed to handle your request, due to an internal error. The given message may give details useful ' +
      'for debugging the problem.',
    ['message'],
  ],
  TASK_CANCELLED: ['The request was asynchronously canceled.', ['task']],
  EVENTS_LOST: ['Some events have been lost from the queue and cannot be retrieved.', []],
  IMPORT_ERROR: ['The VM could not be imported.', ['msg']],
  RBAC_PERMISSION_DENIED: ['RBAC permission denied.', ['permission', 'message']],
  // ocaml/idl/datamodel_errors.ml, for the restore commands (vdi-create, vbd-create, vm-import…)
  VDI_LOCATION_MISSING: [
    'This operation cannot be performed because the specified VDI could not be found in the specified SR',
    ['sr', 'location'],
  ],
  VDI_MISSING: [
    'This operation cannot be performed because the specified VDI could not be found on the storage substrate',
    ['sr', 'vdi'],
  ],
  VDI_INCOMPATIBLE_TYPE: [
    'This operation cannot be performed because the specified VDI is of an incompatible type (eg: an HA ' +
      'statefile cannot be attached to a guest)',
    ['vdi', 'type'],
  ],
  VDI_READONLY: ['The operation required write access but this VDI is read-only', ['vdi']],
  SR_OPERATION_NOT_SUPPORTED: [
    "The SR backend does not support the operation (check the SR's allowed operations)",
    ['sr'],
  ],
  VM_TO_IMPORT_IS_NOT_NEWER_VERSION: [
    'The VM cannot be imported unforced because it is either the same version or an older version of an ' +
      'existing VM.',
    ['vm', 'existing_version', 'version_to_import'],
  ],
  IMPORT_ERROR_FAILED_TO_FIND_OBJECT: [
    'The VM could not be imported because a required object could not be found.',
    ['id'],
  ],
  IMPORT_ERROR_PREMATURE_EOF: ['The VM could not be imported; the end of the file was reached prematurely.', []],
  IMPORT_ERROR_ATTACHED_DISKS_NOT_FOUND: [
    'The VM could not be imported because attached disks could not be found.',
    [],
  ],
  DUPLICATE_MAC_SEED: ['This MAC seed is already in use by a VM in the pool', ['seed']],
  DEVICE_ALREADY_EXISTS: ['A device with the name given already exists on the selected VM', ['device']],
  INVALID_DEVICE: ['The device name is invalid', ['device']],
  MAC_INVALID: ['The MAC address specified is not valid.', ['MAC']],
  VBD_CDS_MUST_BE_READONLY: ['Read/write CDs are not supported', []],
  VBD_NOT_REMOVABLE_MEDIA: ['Media could not be ejected because it is not removable', ['vbd']],
};

function renderParam(state: SimState, value: string): string {
  if (!value.startsWith('OpaqueRef:')) return value;
  const cls = state.classOf(value);
  const rec = cls ? state.get(cls, value) : undefined;
  if (!rec) return value;
  return rec.name_label !== undefined ? `${rec.uuid} (${rec.name_label})` : String(rec.uuid);
}

/** stderr text for an API failure. */
export function formatFailure(state: SimState, f: XapiFailure): string {
  const doc = DOCS[f.code];
  const params = f.params.map((p) => renderParam(state, p));
  if (!doc) return `Error code: ${f.code}\nError parameters: ${params.join(', ')}\n`;
  const [text, names] = doc;
  const lines = [text];
  const count = Math.max(names.length, params.length);
  for (let i = 0; i < count; i++) lines.push(`${names[i] ?? '<extra>'}: ${params[i] ?? '<unknown>'}`);
  return lines.join('\n') + '\n';
}

/** An OCaml `Failure msg` raised inside a command. */
export function formatCommandFailure(message: string): string {
  return `${DOCS.INTERNAL_ERROR[0]}\nmessage: Failure: ${message}\n`;
}

export const USAGE_HINT = "For usage run: 'xe help'\n";

/** Usage-level problems: unknown command, missing parameter, syntax. */
export class CliUsageError extends Error {}

/** Cli_util.Cli_failure / Record_util.Record_failure: printed as `Error: <message>` (xapi_cli.ml other_error). */
export class CliFailure extends Error {}

/** A `Failure` from a command (rendered as INTERNAL_ERROR). */
export class CommandFailure extends Error {}

/** Ends a command with this exit status after it printed its own message (cli_util.ml ExitWithError). */
export class ExitWithError extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
