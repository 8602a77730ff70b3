// Loading a big pool parses every VM, VBD and VDI record in full (tens of MB for 5,000 VMs)
// before poolEvents.ts keeps its few fields. V8 holds on to that garbage's pages for a long
// time, so the server's resident memory would stay ~50 MB above what it uses. One full
// garbage collection right after such a load gives those pages back.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

export function releaseTransientMemory(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}
