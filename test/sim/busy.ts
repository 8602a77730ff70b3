// The vmBusy fault (faults.ts): "another tool" holding VMs busy. Each hold is a pending task of
// that tool plus its entry in VM.current_operations, as xapi records an operation in progress;
// releasing it removes both, which wakes every operation waiting for the VM (vm-operations.ts).
import { createTask } from './api/tasks';
import type { FaultSettings, VmBusy } from './faults';
import type { SimState, XapiRecord } from './state';
import { addOperation, removeOperation } from './vm-operations';

interface Hold {
  task: string;
  timer?: NodeJS.Timeout;
}

export class BusyHolds {
  private readonly holds = new Map<string, Hold>();

  constructor(
    private readonly state: SimState,
    private readonly faults: FaultSettings,
  ) {}

  /** After the fault changed: every hold ends, matching VMs are held anew. */
  sync(): void {
    for (const vm of [...this.holds.keys()]) this.release(vm);
    const busy = this.faults.vmBusy;
    if (!busy) return;
    for (const [ref, rec] of this.state.entries('VM')) if (matches(rec, busy)) this.hold(ref, busy);
  }

  /** A VM just made (a snapshot): held when its name matches the fault. */
  created(vm: string): void {
    const busy = this.faults.vmBusy;
    const rec = this.state.get('VM', vm);
    if (busy && rec && matches(rec, busy) && !this.holds.has(vm)) this.hold(vm, busy);
  }

  /** The simulator closes: no timer may keep the process alive. */
  close(): void {
    for (const hold of this.holds.values()) clearTimeout(hold.timer);
    this.holds.clear();
  }

  private hold(vm: string, busy: VmBusy): void {
    const task = createTask(this.state, `another tool: ${busy.operation}`, '');
    addOperation(this.state, vm, task, busy.operation);
    const hold: Hold = { task };
    if (busy.seconds !== null) hold.timer = setTimeout(() => this.release(vm), busy.seconds * 1000);
    this.holds.set(vm, hold);
  }

  private release(vm: string): void {
    const hold = this.holds.get(vm);
    if (!hold) return;
    this.holds.delete(vm);
    clearTimeout(hold.timer);
    removeOperation(this.state, vm, hold.task);
    if (this.state.has('task', hold.task)) this.state.destroy('task', hold.task);
  }
}

function matches(rec: XapiRecord, busy: VmBusy): boolean {
  return rec.uuid === busy.vm || rec.name_label === busy.vm;
}
