// Shared by the restore tests: back a simulator VM up with the bundled CLI, then compare the
// bytes of the original VM's disks with those of a restored VM or VDI.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import { chunkCount, diskChunk } from '../sim/http/disk';
import { DEFAULT_CONTENT } from '../sim/http/disk';
import { runCli, type Workspace } from '../runner/helpers';

/** Runs a backup of `selector` (`vm-export=web01`, ...) and returns the new backup folder. */
export async function backUp(sim: Simulator, ws: Workspace, lines: string[], vm: string): Promise<string> {
  const before = new Set(safeList(join(ws.backupDir, vm)));
  const cfg = ws.writeConfig(lines, `backup-${Math.random().toString(36).slice(2)}.cfg`);
  const result = await runCli(sim, [cfg]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const made = safeList(join(ws.backupDir, vm)).filter((f) => !before.has(f));
  assert.equal(made.length, 1, `one new backup folder of ${vm}`);
  return join(ws.backupDir, vm, made[0]!);
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** sha256 of a VDI's whole virtual disk, chunk by chunk as the simulator holds it. */
export function vdiHash(sim: Simulator, vdiRef: string): { size: number; sha256: string } {
  const vdi = sim.state.get('VDI', vdiRef);
  assert.ok(vdi, `VDI ${vdiRef}`);
  const size = Number(vdi.virtual_size);
  const content = sim.state.disks.get(vdiRef) ?? DEFAULT_CONTENT;
  const hash = createHash('sha256');
  for (let i = 0; i < chunkCount(size); i++) hash.update(diskChunk(content, size, i).data);
  return { size, sha256: hash.digest('hex') };
}

/** Refs of a VM's disks (VBD type Disk), by userdevice order. */
export function vmDisks(sim: Simulator, vmRef: string): string[] {
  const vm = sim.state.get('VM', vmRef)!;
  return (vm.VBDs as string[])
    .map((r) => sim.state.get('VBD', r)!)
    .filter((vbd) => vbd.type === 'Disk' && String(vbd.VDI).startsWith('OpaqueRef:') && !/NULL/.test(String(vbd.VDI)))
    .sort((a, b) => Number(a.userdevice) - Number(b.userdevice))
    .map((vbd) => String(vbd.VDI));
}

/** The refs of the (non-snapshot, non-template) VMs named `name`. */
export function vmsNamed(sim: Simulator, name: string): string[] {
  return sim.state
    .entries('VM')
    .filter(([, r]) => r.name_label === name && !r.is_a_template && !r.is_a_snapshot)
    .map(([ref]) => ref);
}

export function vmCount(sim: Simulator): number {
  return sim.state.entries('VM').length;
}

/** The restore-report event of a --json run. */
export function restoreReport(stdout: string): Record<string, unknown> {
  const line = stdout.split('\n').find((l) => l.includes('"type":"restore-report"'));
  assert.ok(line, `a restore-report event in\n${stdout}`);
  return JSON.parse(line) as Record<string, unknown>;
}
