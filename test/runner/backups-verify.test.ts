// `vmbackup verify BACKUP_FOLDER...`: good backups made by real runs pass; copies whose export
// file was rewritten by the simulator's exportDamage fault (test/sim/http/damage.ts, the
// damage a cut connection or a broken storage read leaves; the same cases as
// test/runner/verify.test.ts) or cut / garbled by hand fail with the first damage named.
// Exit 0 all good, 1 some damaged, 2 usage or I/O error. Local and over ssh.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import type { ExportDamage } from '../sim/http/damage';
import type { VerifyReport } from '../../runner/src/backups/types';
import { BACKUP_FOLDER, cliPath, ensureBundle, runCli, sshTransport, startPool, tempDir, workspace } from './helpers';

const execFileAsync = promisify(execFile);

function vmbackup(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.VMBACKUP_PASSWORD;
  const child = spawn(process.execPath, [cliPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

async function verifyJson(args: string[]): Promise<{ code: number | null; report: VerifyReport; stderr: string }> {
  const result = await vmbackup(['verify', '--json', ...args]);
  return { code: result.code, report: JSON.parse(result.stdout) as VerifyReport, stderr: result.stderr };
}

type Kind = 'xva' | 'xva.gz' | 'xva.zst' | 'raw' | 'vhd' | 'metadata';

let sim: Simulator;
/** One good backup folder per kind. */
const good = {} as Record<Kind, string>;

before(async () => {
  ensureBundle();
  sim = await startPool({
    name: 'backups-verify',
    vms: [
      // Halted: `xe vm-export` of the VM itself (the damaged copies) needs it halted (xapi's power-state check).
      { name: 'web01', power: 'Halted', disks: [{ size: '4MiB', used: 1 }] },
      { name: 'rawvm', disks: [{ size: '3MiB', used: 1 }] },
      { name: 'vhdvm', disks: [{ size: '5MiB', used: 1 }] },
      { name: 'meta01', disks: [{ size: '1MiB' }] },
    ],
  });
  const runs: [Kind[], string[]][] = [
    [
      ['xva', 'raw', 'metadata'],
      ['vm-export=web01', 'vdi-export=rawvm', 'metadata-export=meta01'],
    ],
    [['xva.gz'], ['compress=true', 'vm-export=web01']],
    [['xva.zst'], ['compress=zstd', 'vm-export=web01']],
    [['vhd'], ['vdi_export_format=vhd', 'vdi-export=vhdvm']],
  ];
  for (const [kinds, lines] of runs) {
    const ws = workspace();
    const result = await runCli(sim, [ws.writeConfig(lines)]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const vmOf: Record<Kind, string> = {
      xva: 'web01',
      'xva.gz': 'web01',
      'xva.zst': 'web01',
      raw: 'rawvm',
      vhd: 'vhdvm',
      metadata: 'meta01',
    };
    for (const kind of kinds) {
      const vmDir = join(ws.backupDir, vmOf[kind]);
      const folder = readdirSync(vmDir).find((f) => BACKUP_FOLDER.test(f))!;
      good[kind] = join(vmDir, folder);
    }
  }
});
after(async () => sim.close());

/** A copy of a good backup folder (metadata, marker and all) under <tmp>/<vm>/<folder>. */
function copyOf(kind: Kind): { folder: string; file: string } {
  const source = good[kind];
  const vm = source.split('/').at(-2)!;
  const folder = join(tempDir('vmbackup-verify-'), vm, source.split('/').at(-1)!);
  cpSync(source, folder, { recursive: true });
  const file = readdirSync(folder).find((f) => f.startsWith(`${vm}.`))!;
  return { folder, file: join(folder, file) };
}

function vdiUuidOf(vmName: string): string {
  const [, vm] = sim.state.entries('VM').find(([, r]) => r.name_label === vmName)!;
  for (const vbdRef of vm.VBDs as string[]) {
    const vbd = sim.state.get('VBD', vbdRef)!;
    if (vbd.type === 'Disk') return String(sim.state.get('VDI', String(vbd.VDI))!.uuid);
  }
  throw new Error(`no disk of ${vmName}`);
}

/** Rewrites the copy's export file with `xe` while the simulator damages the export. */
async function damagedCopy(kind: Kind, damage: ExportDamage): Promise<string> {
  const { folder, file } = copyOf(kind);
  rmSync(file);
  const args =
    kind === 'raw' || kind === 'vhd'
      ? ['vdi-export', `uuid=${vdiUuidOf(kind === 'raw' ? 'rawvm' : 'vhdvm')}`, `filename=${file}`, `format=${kind}`]
      : [
          'vm-export',
          'vm=web01',
          `filename=${file}`,
          ...(kind === 'xva.gz' ? ['compress=true'] : kind === 'xva.zst' ? ['compress=zstd'] : []),
        ];
  sim.faults.set({ exportDamage: damage });
  try {
    await execFileAsync(sim.xePath, args, { env: { ...process.env, ...sim.xeEnv() } });
  } finally {
    sim.faults.reset();
  }
  return folder;
}

const DAMAGES: [ExportDamage, Kind, RegExp][] = [
  ['cut-at-member', 'xva', /the archive ends after entry Ref:\d+\/00000000\.xxhash without its end-of-archive blocks/],
  ['cut-in-header', 'xva', /the archive ends inside the header of entry #4 \(100 of 512 bytes/],
  ['cut-in-data', 'xva', /the archive ends inside entry Ref:\d+\/00000000: 524288 of its 1048576 bytes/],
  ['no-end-blocks', 'xva', /the archive ends after entry Ref:\d+\/00000003\.xxhash without its end-of-archive blocks/],
  ['bad-chunk-checksum', 'xva', /chunk Ref:\d+\/00000000 is damaged: its checksum entry says/],
  ['missing-chunk', 'xva', /disk Ref:\d+ is incomplete: the archive ends after 3145728 of its 4194304 bytes/],
  ['bad-chunk-checksum', 'xva.gz', /chunk Ref:\d+\/00000000 is damaged/],
  ['missing-chunk', 'xva.zst', /disk Ref:\d+ is incomplete/],
  ['cut-last-piece', 'xva', /only one of its two end-of-archive blocks/],
  ['cut-last-piece', 'xva.gz', /the gzip stream is damaged: unexpected end of file/],
  ['cut-last-piece', 'xva.zst', /the zstd stream is damaged/],
  ['cut-last-piece', 'raw', /the raw image is 2621440 bytes, expected the disk's virtual size 3145728/],
  ['vhd-bad-footer', 'vhd', /the vhd footer is damaged \(wrong checksum\)/],
];

describe('verify: good backups of every kind', () => {
  test('every kind passes, with what was checked (exit 0)', async () => {
    const kinds = Object.keys(good) as Kind[];
    const { code, report, stderr } = await verifyJson(kinds.map((k) => good[k]));
    assert.equal(code, 0, stderr);
    assert.deepEqual(report.summary, { good: 6, damaged: 0, errors: 0 });
    assert.equal(report.exitCode, 0);
    for (const [i, kind] of kinds.entries()) {
      const folder = report.folders[i]!;
      assert.equal(folder.result, 'good', `${kind}: ${folder.damage ?? folder.error}`);
      assert.equal(folder.kind, kind);
      assert.equal(folder.success, true);
      assert.equal(folder.folder, good[kind]);
    }
    const checked = Object.fromEntries(kinds.map((k, i) => [k, report.folders[i]!.checked.join('\n')]));
    assert.match(checked.xva!, /tar: \d+ members, every header checksum/);
    assert.match(checked.xva!, /disk Ref:\d+: 4194304 bytes, 4 chunks each matching its checksum entry/);
    assert.match(checked['xva.gz']!, /a gzip stream decompressed to its end \(\d+ bytes of tar\)/);
    assert.match(checked['xva.zst']!, /a zstd stream decompressed to its end/);
    assert.match(checked.metadata!, /ova\.xml: parsed; a metadata export holds nothing else/);
    assert.match(
      checked.raw!,
      /rawvm\.raw: a raw image of 3145728 bytes, exactly the disk's virtual size 3145728 \(DISK-xvda\/vdi\.cfg\)/,
    );
    assert.match(checked.vhd!, /vhd footer: cookie and checksum, announces the disk's virtual size 5242880/);
    assert.match(checked.vhd!, /dynamic vhd: block table read, \d+ allocated blocks/);
  });

  test('the human report', async () => {
    const result = await vmbackup(['verify', good.vhd, good['xva.gz']]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^GOOD .*vhdvm\/backup-.*\n {2}kind: vhd, success marker present\n {2}checked vhdvm\.vhd: /,
    );
    assert.match(result.stdout, /\nverify: 2 good, 0 damaged, 0 not readable \(exit 0\)\n$/);
  });
});

describe('verify: every damage the simulator can produce is found (exit 1)', () => {
  for (const [damage, kind, detected] of DAMAGES) {
    test(`${damage} in a ${kind} backup`, async () => {
      const folder = await damagedCopy(kind, damage);
      const { code, report, stderr } = await verifyJson([folder]);
      assert.equal(code, 1, stderr);
      const [result] = report.folders;
      assert.equal(result!.result, 'damaged');
      assert.equal(result!.kind, kind);
      assert.match(result!.damage!, detected);
      assert.match(result!.damage!, /\(found after reading \d+ of the file's \d+ bytes\)$/);
      assert.deepEqual(report.summary, { good: 0, damaged: 1, errors: 0 });
    });
  }
});

describe('verify: files cut or garbled by hand', () => {
  const cases: [string, Kind, (data: Buffer) => Buffer, RegExp][] = [
    ['a truncated .xva.gz', 'xva.gz', (d) => d.subarray(0, Math.floor(d.length / 2)), /the gzip stream is damaged/],
    [
      'a garbled .xva.zst',
      'xva.zst',
      (d) => Buffer.concat([d.subarray(0, 200), Buffer.alloc(400, 0x55), d.subarray(600)]),
      /^web01\.xva\.zst: .+ \(found after reading \d+ of the file's \d+ bytes\)$/,
    ],
    [
      'a garbled chunk in an .xva',
      'xva',
      (d) => {
        const copy = Buffer.from(d);
        copy[copy.length - 1024 * 1024] ^= 0xff;
        return copy;
      },
      /chunk Ref:\d+\/\d+ is damaged: its checksum entry says/,
    ],
    ['a truncated .raw', 'raw', (d) => d.subarray(0, d.length - 4096), /the raw image is \d+ bytes, expected/],
    ['a truncated .vhd', 'vhd', (d) => d.subarray(0, d.length - 512), /vhd/],
    [
      'a .vhd with a garbled footer',
      'vhd',
      (d) => Buffer.concat([d.subarray(0, d.length - 100), Buffer.alloc(100, 7)]),
      /the vhd footer is damaged \(wrong checksum\)/,
    ],
    ['an empty .xva', 'xva', () => Buffer.alloc(0), /the file is empty/],
  ];
  for (const [name, kind, garble, detected] of cases) {
    test(name, async () => {
      const { folder, file } = copyOf(kind);
      writeFileSync(file, garble(readFileSync(file)));
      const { code, report } = await verifyJson([folder]);
      assert.equal(code, 1);
      assert.equal(report.folders[0]!.result, 'damaged');
      assert.match(report.folders[0]!.damage!, detected);
    });
  }

  test('a raw backup without DISK-xvda/vdi.cfg cannot be proven complete', async () => {
    const { folder } = copyOf('raw');
    rmSync(join(folder, 'DISK-xvda'), { recursive: true });
    const { code, report } = await verifyJson([folder]);
    assert.equal(code, 1);
    assert.match(report.folders[0]!.damage!, /virtual size is not recorded/);
  });

  test("the boot disk found by userdevice 0 when there is no DISK-xvda (metadata.ts's bootDisk rule)", async () => {
    const { folder } = copyOf('raw');
    const { renameSync } = await import('node:fs');
    renameSync(join(folder, 'DISK-xvda'), join(folder, 'DISK-1'));
    const { code, report } = await verifyJson([folder]);
    assert.equal(code, 0, JSON.stringify(report));
    assert.match(report.folders[0]!.checked.join('\n'), /virtual size 3145728 \(DISK-1\/vdi\.cfg\)/);
  });

  test('a folder without an export file is damaged', async () => {
    const { folder, file } = copyOf('xva');
    rmSync(file);
    const { code, report } = await verifyJson([folder]);
    assert.equal(code, 1);
    assert.match(report.folders[0]!.damage!, /no export file/);
  });
});

describe('verify: exit codes', () => {
  test('good + damaged: 1; a missing folder: 2 (an error wins), the others still checked', async () => {
    const { folder } = copyOf('raw');
    rmSync(join(folder, 'rawvm.raw'));
    const mixed = await verifyJson([good.xva, folder]);
    assert.equal(mixed.code, 1);
    assert.deepEqual(mixed.report.summary, { good: 1, damaged: 1, errors: 0 });
    const missing = await verifyJson([good.xva, join(tempDir(), 'nope'), folder]);
    assert.equal(missing.code, 2);
    assert.deepEqual(missing.report.summary, { good: 1, damaged: 1, errors: 1 });
    assert.equal(missing.report.folders[1]!.error, 'no such folder');
    const file = await verifyJson([join(good.xva, 'success')]);
    assert.equal(file.code, 2);
    assert.match(file.report.folders[0]!.error!, /not a folder/);
  });

  test('usage: no folder, or an option verify does not take: 2 with the reason', async () => {
    const none = await vmbackup(['verify']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /vmbackup verify needs at least one BACKUP_FOLDER/);
    const option = await vmbackup(['verify', good.xva, '--verify']);
    assert.equal(option.code, 2);
    assert.match(option.stderr, /vmbackup verify does not take --verify/);
  });
});

test('SIGTERM stops a verify that waits for bytes (a FIFO that never ends): exit 2, not good', {
  timeout: 120_000,
}, async () => {
  const { folder, file } = copyOf('xva.gz');
  rmSync(file);
  execFileSync('mkfifo', [file]);
  const env = { ...process.env };
  delete env.VMBACKUP_PASSWORD;
  const child = spawn(process.execPath, [cliPath, 'verify', '--json', folder, good.xva], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let reported: () => void = () => undefined;
  const report = new Promise<void>((resolve) => (reported = resolve));
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    if (stdout.endsWith('\n')) reported();
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  // Opening a FIFO for writing waits for its reader: this resolves once verify reads the file.
  const writer = await open(file, 'w');
  try {
    await writer.write(readFileSync(join(good['xva.gz'], 'web01.xva.gz')).subarray(0, 1000));
    child.kill('SIGTERM');
    // The report comes while the FIFO is still open and silent: the check did not wait for bytes.
    await report;
  } finally {
    // Node's exit waits for a thread still blocked reading the FIFO: end the file to let it go.
    await writer.close();
  }
  assert.equal(await closed, 2, stderr);
  assert.match(stderr, /SIGTERM received, stopping cleanly/);
  const verdict = JSON.parse(stdout) as VerifyReport;
  assert.equal(verdict.folders[0]!.result, 'error');
  assert.match(verdict.folders[0]!.error!, /^web01\.xva\.gz: SIGTERM received$/);
  assert.deepEqual(verdict.folders[1]!.error, 'not checked: interrupted');
  assert.equal(verdict.exitCode, 2);
});

describe('verify over ssh: the file is read through the ssh connection', () => {
  test('same verdicts as locally', async () => {
    const transport = await sshTransport(sim);
    try {
      const damaged = await damagedCopy('xva.gz', 'bad-chunk-checksum');
      const folders = [good.xva, good.vhd, damaged];
      const local = await verifyJson(folders);
      const remote = await verifyJson([...transport.args, ...folders]);
      assert.equal(remote.code, 1, remote.stderr);
      assert.match(remote.report.host, /^ssh /);
      // How far the file was read when the damage showed depends on the size of the pieces read.
      const verdicts = (report: VerifyReport) =>
        report.folders.map((f) => ({ ...f, damage: f.damage?.replace(/ \(found after reading .*\)$/, '') }));
      assert.deepEqual(verdicts(remote.report), verdicts(local.report));
    } finally {
      await transport.stop();
    }
  });
});
