// `vmbackup restore` / `healthcheck` with `--transport xapi` (issues 13 and 14): an agentless
// machine (a Windows workstation, a container) restores with no `xe` anywhere on its PATH. The
// xe verbs of a restore are served by XenAPI calls and HTTP uploads as xapi's CLI server serves
// them (ocaml/xapi-cli-server/cli_operations.ml vm_import, vdi_import): PUT of the local file to
// /import, /import_metadata or /import_raw_vdi with a task of ours, the task's result the new
// objects. The restored disks hold the backed-up bytes, exactly as with the xe transports.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import {
  cliPath,
  ensureBundle,
  startPool,
  tempDir,
  workspace,
  type CliResult,
  type Workspace,
} from '../runner/helpers';
import { pathWithoutXe } from '../runner/xapi-helpers';
import { ByteReader } from '../sim/http/byte-reader';
import { bytesOf } from '../../runner/src/host/xapi-xe-restore';
import { backUp, restoreReport, vdiHash, vmCount, vmDisks, vmsNamed } from './helpers';

let sim: Simulator;
let ws: Workspace;
before(async () => {
  ensureBundle();
  // Whole 2 MiB VHD blocks (as vdi-export.test.ts): the simulator's VHD import refuses a last
  // partial block; real disks are whole GiB.
  sim = await startPool({
    name: 'restore-xapi',
    srs: [
      { name: 'Local storage', default: true },
      { name: 'NFS restore', type: 'nfs', shared: true },
    ],
    vms: [
      {
        name: 'web01',
        power: 'Halted',
        disks: [
          { size: '4MiB', used: 0.7 },
          { size: '2MiB', used: 1 },
        ],
      },
    ],
  });
  ws = workspace();
});
after(async () => sim.close());

/** The verb first, then --transport xapi; PATH holds no xe, so any xe the runner started would fail. */
function startXapi(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [cliPath, ...args, '--transport', 'xapi', '--xapi', sim.url], {
    env: { ...process.env, PATH: pathWithoutXe(), VMBACKUP_PASSWORD: sim.password, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const seen: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    for (const w of seen.filter((w) => w.pattern.test(stdout))) seen.splice(seen.indexOf(w), 1), w.resolve();
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  const waitFor = (pattern: RegExp) =>
    new Promise<void>((resolve) => (pattern.test(stdout) ? resolve() : seen.push({ pattern, resolve })));
  return { child, done, waitFor };
}

const runXapi = (args: string[], env: Record<string, string> = {}) => startXapi(args, env).done;

const originalHashes = () => vmDisks(sim, vmsNamed(sim, 'web01')[0]!).map((vdi) => vdiHash(sim, vdi));

/** Everything a restore or health check could leave behind. */
const poolShape = () => ({ vms: vmCount(sim), vdis: sim.state.entries('VDI').length });

test('no xe on the PATH the restore gets', () => {
  assert.throws(() => execFileSync('sh', ['-c', 'command -v xe'], { env: { PATH: pathWithoutXe() } }));
});

test('vm-export restored with --transport xapi (PUT /import): identical disk bytes', async () => {
  const folder = await backUp(sim, ws, ['vm-export=web01'], 'web01');
  const name = 'web01 "$(restored)" `x`';
  const result = await runXapi(['restore', folder, '--name', name, '--json']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const [restored] = vmsNamed(sim, name);
  assert.ok(restored, `a VM named ${name}`);
  assert.deepEqual(
    vmDisks(sim, restored).map((vdi) => vdiHash(sim, vdi)),
    originalHashes(),
  );
  const report = restoreReport(result.stdout);
  assert.equal(report.newUuid, sim.state.get('VM', restored)!.uuid);
  assert.equal(report.outcome, 'success');
});

for (const format of ['raw', 'vhd'] as const) {
  test(`vdi-export (${format}) restored with --transport xapi (PUT /import_raw_vdi): identical bytes`, async () => {
    const folder = await backUp(sim, ws, [`vdi_export_format=${format}`, 'vdi-export=web01'], 'web01');
    const name = `web01-from-${format}`;
    // This machine's temporary folder (TMPDIR) receives the metadata-only XVA, not the pool host's /tmp.
    const localTemp = tempDir('vmbackup-restore-tmp-');
    const result = await runXapi(['restore', folder, '--name', name, '--json'], { TMPDIR: localTemp });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const [restored] = vmsNamed(sim, name);
    assert.ok(restored, `a VM named ${name}`);
    const disks = vmDisks(sim, restored);
    assert.equal(disks.length, 1, 'the backed-up boot disk is attached');
    assert.deepEqual(vdiHash(sim, disks[0]!), originalHashes()[0]);
    const vbd = sim.state.get('VBD', (sim.state.get('VM', restored)!.VBDs as string[])[0]!)!;
    assert.equal((vbd.other_config as Record<string, string>).owner, 'true', 'the disk belongs to the VM');
    // The metadata-only XVA was a local temporary file, removed again.
    const temp = /writing ([^\n"]*vmbackup-restore-[0-9a-f]+\.xva)/.exec(result.stdout)?.[1] ?? '';
    assert.ok(temp?.startsWith(`${localTemp}/`), `${temp} is in ${localTemp}`);
    assert.ok(!existsSync(temp), `${temp} removed`);
    assert.deepEqual(readdirSync(localTemp), []);
  });
}

test('vm-export restored into the SR named by --sr (sr-list name-label=, then /import?sr_id=)', async () => {
  const folder = await backUp(sim, ws, ['vm-export=web01'], 'web01');
  const result = await runXapi(['restore', folder, '--name', 'web01-on-nfs', '--sr', 'NFS restore']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const [restored] = vmsNamed(sim, 'web01-on-nfs');
  assert.ok(restored);
  const srNames = vmDisks(sim, restored).map(
    (vdi) => sim.state.get('SR', String(sim.state.get('VDI', vdi)!.SR))!.name_label,
  );
  assert.deepEqual(srNames, ['NFS restore', 'NFS restore']);
});

test('xe sizes as record_util.ml bytes_of_string reads them: units of 1024, any case; a clear error', () => {
  assert.equal(bytesOf('virtual-size', '6291456'), 6291456);
  assert.equal(bytesOf('virtual-size', '2MiB'), 2 * 1024 ** 2);
  assert.equal(bytesOf('virtual-size', '3 gb'), 3 * 1024 ** 3);
  assert.equal(bytesOf('virtual-size', '1T'), 1024 ** 4);
  assert.equal(bytesOf('virtual-size', '5 bytes'), 5);
  assert.throws(
    () => bytesOf('virtual-size', '2 parsecs'),
    /Failed to parse field 'virtual-size': expecting an integer \(possibly with suffix KiB, MiB, GiB, TiB\), got '2/,
  );
});

for (const kind of ['vm-export', 'vdi-export'] as const) {
  test(`healthcheck of a ${kind} backup with --transport xapi: Running, then removed with its disks`, async () => {
    const folder = await backUp(sim, ws, [`${kind}=web01`], 'web01');
    const shape = poolShape();
    const result = await runXapi(['healthcheck', folder, '--json'], { VMBACKUP_HEALTHCHECK_POLL_MS: '50' });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = restoreReport(result.stdout);
    assert.deepEqual([report.running, report.removed, report.outcome], [true, true, 'success']);
    assert.deepEqual(poolShape(), shape, 'nothing left in the pool');
  });
}

test('agentless healthcheck: SIGTERM while it waits for Running still removes the VM and disks', async () => {
  const folder = await backUp(sim, ws, ['vdi-export=web01'], 'web01');
  const shape = poolShape();
  // A boot that never completes (as healthcheck.test.ts): VM.start returns, the VM stays Halted.
  const update = sim.state.update.bind(sim.state);
  sim.state.update = (cls, ref, patch) => {
    const name = String(sim.state.get(cls, ref)?.name_label ?? '');
    if (cls === 'VM' && name.startsWith('HEALTHCHECK_') && patch.power_state === 'Running') return;
    update(cls, ref, patch);
  };
  try {
    const run = startXapi(['healthcheck', folder, '--json'], { VMBACKUP_HEALTHCHECK_POLL_MS: '50' });
    await run.waitFor(/"step":"start"/);
    run.child.kill('SIGTERM');
    const result = await run.done;
    assert.equal(result.code, 2, result.stdout + result.stderr);
    const report = restoreReport(result.stdout);
    assert.deepEqual([report.running, report.removed], [false, true]);
  } finally {
    sim.state.update = update;
  }
  assert.deepEqual(poolShape(), shape, 'nothing left in the pool');
});

test('--dry-run with --transport xapi prints the same xe steps and changes nothing', async () => {
  const folder = await backUp(sim, ws, ['vdi_export_format=vhd', 'vdi-export=web01'], 'web01');
  const shape = poolShape();
  const dry = await runXapi(['restore', folder, '--name', 'web01-dry', '--dry-run']);
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  assert.match(
    dry.stdout,
    /\[dry-run\] would run: xe vdi-import uuid=<new-vdi-uuid> filename='[^']+\/web01\.vhd' format=vhd/,
  );
  assert.match(
    dry.stdout,
    /\[dry-run\] would run: xe vm-import filename=\S+vmbackup-restore-[0-9a-f]+\.xva metadata=true/,
  );
  assert.deepEqual(poolShape(), shape, 'nothing made');
});

test('a vdi-import the pool fails (cut VHD: VDI_IO_ERROR on the task) is reported, the made VDI removed', async () => {
  const folder = await backUp(sim, ws, ['vdi_export_format=vhd', 'vdi-export=web01'], 'web01');
  const file = join(folder, 'web01.vhd');
  truncateSync(file, statSync(file).size - 4096);
  const shape = poolShape();
  const result = await runXapi(['restore', folder, '--name', 'web01-cut']);
  assert.equal(result.code, 2, result.stdout + result.stderr);
  // import_raw_vdi.ml fails the task; its error is reported as xe reports it, with the step.
  assert.match(result.stdout, /ERROR xe vdi-import uuid=[0-9a-f-]+ filename=\S+ format=vhd failed: VDI_IO_ERROR/);
  assert.match(result.stdout, /removed the unfinished restore \(VDI [0-9a-f-]+\)/);
  assert.deepEqual(poolShape(), shape, 'nothing left in the pool');
});

test('SIGTERM during the vdi-import upload: its task cancelled, the upload closed, the made VDI removed', async () => {
  const folder = await backUp(sim, ws, ['vdi_export_format=raw', 'vdi-export=web01'], 'web01');
  const shape = poolShape();
  // The simulator's import_raw_vdi handler is held after its first read (a positive signal that
  // the upload is under way), until the command has ended.
  const next = ByteReader.prototype.next;
  let release = () => undefined as void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let reading = () => undefined as void;
  const started = new Promise<void>((resolve) => (reading = resolve));
  ByteReader.prototype.next = async function (this: ByteReader, max: number) {
    reading();
    await held;
    return next.call(this, max);
  };
  const cancelled: string[] = [];
  const call = sim.state.update.bind(sim.state);
  sim.state.update = (cls, ref, patch) => {
    if (cls === 'task' && patch.status === 'cancelled') cancelled.push(ref);
    call(cls, ref, patch);
  };
  try {
    const run = startXapi(['restore', folder, '--name', 'web01-stopped', '--json']);
    await started;
    run.child.kill('SIGTERM');
    const result = await run.done;
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stdout, /stopped: SIGTERM received/);
    assert.ok(cancelled.length > 0, 'task.cancel of the upload task');
  } finally {
    release();
    ByteReader.prototype.next = next;
    sim.state.update = call;
  }
  assert.deepEqual(vmsNamed(sim, 'web01-stopped'), []);
  assert.deepEqual(poolShape(), shape, 'the made VDI is removed');
});

test('a name clash still refuses with --transport xapi, before any change', async () => {
  const folder = await backUp(sim, ws, ['vm-export=web01'], 'web01');
  const shape = poolShape();
  const result = await runXapi(['restore', folder]);
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(result.stdout, /a VM named "web01" already exists \(uuid [0-9a-f-]+\): restore never replaces/);
  assert.deepEqual(poolShape(), shape, 'no VM imported');
});
