// Reliability suite (issue 11): a fault matrix for the backup runner against the XAPI simulator,
// local and over ssh (a real OpenSSH sshd on 127.0.0.1). Every case, whatever goes wrong, must
// leave: 0 snapshots made by the run (no RESTORE_* VM, no SNAP_* VDI, no snapshot record), every
// good backup made before the run, no `success` marker in a folder whose export failed, a
// status-log record of the run (`begin` and a final `end,...`), and the documented exit code
// (0 success, 1 warnings, 2 errors). Cases are data; one generic body checks them all.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Simulator } from '../sim/index';
import type { FaultPatch } from '../sim/faults';
import {
  ensureBundle,
  localTransport,
  runCli,
  snapshotUuids,
  sshTransport,
  startCli,
  startPool,
  tempDir,
  workspace,
  type CliResult,
  type CliRun,
  type Transport,
  type Workspace,
} from './helpers';

let sim: Simulator;
let ssh: Transport;
before(async () => {
  ensureBundle();
  sim = await startPool({
    name: 'reliability',
    vms: [
      { name: 'web01', disks: [{ size: '4MiB', used: 1 }] },
      { name: 'big01', disks: [{ size: '16MiB', used: 1 }] },
    ],
  });
  ssh = await sshTransport(sim);
});
after(async () => {
  await ssh.stop();
  await sim.close();
});
afterEach(() => {
  sim.faults.reset();
  sim.timing.set('instant');
  // A case that leaked has already failed: clear the leak so the next case starts clean.
  for (const cls of ['VM', 'VDI']) {
    for (const [ref, r] of sim.state.entries(cls)) if (r.is_a_snapshot === true) sim.state.destroy(cls, ref);
  }
});

/** A good backup made before the run: it must survive every case. */
const OLD_GOOD = 'backup-2000-01-01-(00:00:00)';
/** Enough room that retention never has a reason to touch OLD_GOOD. */
const KEEP = 'max_backups=4';
const SLOW_EXPORT: FaultPatch = { exportBytesPerSecond: 512 * 1024 };

interface Context {
  transport: Transport;
  ws: Workspace;
  /** Starts the CLI on this case's transport. */
  start(lines: string[], extra?: string[], env?: Record<string, string>, ws?: Workspace): CliRun;
  run(lines: string[], extra?: string[], env?: Record<string, string>, ws?: Workspace): Promise<CliResult>;
}

interface Outcome {
  /** Every run of the case; the exit code is checked on each, the status log on the last per workspace. */
  results: CliResult[];
  /** Workspaces used besides ctx.ws (concurrent configs). */
  others?: Workspace[];
}

interface Case {
  name: string;
  vm: string;
  transports: readonly ('local' | 'ssh')[];
  code: 0 | 1 | 2;
  /** The final status-log line of each workspace. */
  summary: RegExp;
  /** A VM record expected in the status log before the summary. */
  record?: RegExp;
  /** The run is expected to leave a new backup marked success (otherwise: no new success marker). */
  newSuccess: boolean;
  /** Seed OLD_GOOD (not when max_backups=1 legitimately replaces it). */
  seed?: boolean;
  drive(ctx: Context): Promise<Outcome>;
}

const BOTH = ['local', 'ssh'] as const;

/** Resolves once `predicate` holds for the simulator's state (checked at every change). */
async function serverSees(predicate: () => boolean, what: string, ms = 30000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await sim.state.waitForChange(Math.max(1, deadline - Date.now()));
  }
}

function vmRef(name: string): string {
  return sim.state.entries('VM').find(([, r]) => r.name_label === name && !r.is_a_snapshot)![0];
}

function busyWith(cls: string, ref: string | undefined, op: string): boolean {
  if (ref === undefined) return false;
  const ops = (sim.state.get(cls, ref)?.current_operations ?? {}) as Record<string, string>;
  return Object.values(ops).includes(op);
}

function restoreRef(vm: string): string | undefined {
  return sim.state.entries('VM').find(([, r]) => r.name_label === `RESTORE_${vm}`)?.[0];
}

/** Positive signal: the server is making the run's VM snapshot. */
const inSnapshot = (vm: string) =>
  serverSees(() => busyWith('VM', vmRef(vm), 'snapshot'), `${vm} is being snapshotted`);
/** Positive signal: the server is streaming the export of the run's snapshot. */
const inExport = (vm: string) => serverSees(() => busyWith('VM', restoreRef(vm), 'export'), `${vm} is being exported`);

/** Names of snapshot objects the runner makes, left in the pool. */
function namedLeftovers(): string[] {
  const out: string[] = [];
  for (const [cls, prefix] of [
    ['VM', 'RESTORE_'],
    ['VDI', 'SNAP_'],
  ] as const) {
    for (const [, r] of sim.state.entries(cls)) {
      if (String(r.name_label).startsWith(prefix)) out.push(`${cls} ${String(r.name_label)}`);
    }
  }
  return out.sort();
}

const signalCases: Case[] = (['SIGTERM', 'SIGINT', 'SIGHUP'] as const).flatMap((signal) =>
  (['snapshot', 'export'] as const).map(
    (step): Case => ({
      name: `${signal} during the ${step} step`,
      vm: step === 'export' ? 'big01' : 'web01',
      transports: BOTH,
      code: 2,
      record: step === 'export' ? /,end,INTERRUPTED big01$/ : /,end,INTERRUPTED web01$/,
      summary: /,end,ERROR,S:0 W:0 E:1$/,
      newSuccess: false,
      async drive(ctx) {
        if (step === 'snapshot') sim.timing.set({ snapshotMs: 1500 });
        else sim.faults.set(SLOW_EXPORT);
        const vm = step === 'export' ? 'big01' : 'web01';
        const run = ctx.start([KEEP, `vm-export=${vm}`]);
        await (step === 'snapshot' ? inSnapshot(vm) : inExport(vm));
        run.child.kill(signal);
        return { results: [await run.done] };
      },
    }),
  ),
);

const CASES: Case[] = [
  {
    name: 'snapshot failure',
    vm: 'web01',
    transports: BOTH,
    code: 2,
    record: /,end,SNAPSHOT-FAIL web01$/,
    summary: /,end,ERROR,S:0 W:0 E:1$/,
    newSuccess: false,
    async drive(ctx) {
      sim.faults.set({ snapshotFailure: true });
      return { results: [await ctx.run([KEEP, 'vm-export=web01'])] };
    },
  },
  {
    name: 'export stream cut (exportFailAfterBytes)',
    vm: 'web01',
    transports: BOTH,
    code: 2,
    record: /,end,VM-EXPORT-FAIL web01$/,
    summary: /,end,ERROR,S:0 W:0 E:1$/,
    newSuccess: false,
    async drive(ctx) {
      sim.faults.set({ exportFailAfterBytes: 100_000 });
      return { results: [await ctx.run([KEEP, 'vm-export=web01'])] };
    },
  },
  {
    name: 'snapshot removal fails, then storage recovers',
    vm: 'web01',
    transports: BOTH,
    code: 0,
    record: /,end,SUCCESS web01,/,
    summary: /,end,SUCCESS,S:1 W:0 E:0$/,
    newSuccess: true,
    async drive(ctx) {
      sim.faults.set({ vdiDestroyFailure: true });
      const run = ctx.start([KEEP, 'vm-export=web01']);
      // Positive signal: the runner met the refused disk and is retrying it by uuid.
      await run.waitFor(/removing disk [0-9a-f-]{36} of snapshot RESTORE_web01, left by a partial uninstall/, 30000);
      sim.faults.set({ vdiDestroyFailure: null });
      return { results: [await run.done] };
    },
  },
  {
    name: 'damaged export (cut at a tar member boundary)',
    vm: 'web01',
    transports: BOTH,
    code: 2,
    record: /,end,VM-EXPORT-FAIL web01$/,
    summary: /,end,ERROR,S:0 W:0 E:1$/,
    newSuccess: false,
    async drive(ctx) {
      sim.faults.set({ exportDamage: 'cut-at-member' });
      return { results: [await ctx.run([KEEP, 'vm-export=web01'])] };
    },
  },
  {
    name: 'backup disk full while writing',
    vm: 'web01',
    transports: BOTH,
    code: 2,
    record: /,end,VM-EXPORT-FAIL web01$/,
    summary: /,end,ERROR,S:0 W:0 E:1$/,
    newSuccess: false,
    async drive(ctx) {
      sim.faults.set({ outputDiskFullAfterBytes: 200_000 });
      return { results: [await ctx.run([KEEP, 'vm-export=web01'], ['compress=true'])] };
    },
  },
  {
    name: 'XAPI down during the export, back after it failed',
    vm: 'big01',
    transports: BOTH,
    code: 2,
    record: /,end,VM-EXPORT-FAIL big01$/,
    summary: /,end,ERROR,S:0 W:0 E:1$/,
    newSuccess: false,
    async drive(ctx) {
      sim.faults.set(SLOW_EXPORT);
      const run = ctx.start([KEEP, 'vm-export=big01']);
      await inExport('big01');
      const snap = restoreRef('big01');
      sim.faults.set({ xapiDown: true });
      // Positive signal: the server ended the export the outage cut; then XAPI answers again.
      await serverSees(() => !busyWith('VM', snap, 'export'), 'the cut export ended');
      sim.faults.reset();
      return { results: [await run.done] };
    },
  },
  {
    name: 'VM busy beyond --busy-wait 0',
    vm: 'web01',
    transports: BOTH,
    code: 2,
    record: /,end,SNAPSHOT-FAIL web01$/,
    summary: /,end,ERROR,S:0 W:0 E:1$/,
    newSuccess: false,
    async drive(ctx) {
      sim.timing.set({ vmOperationWaitMs: 0 });
      sim.faults.set({ vmBusy: { vm: 'web01', operation: 'migrate_send' } });
      return { results: [await ctx.run([KEEP, 'vm-export=web01'], ['--busy-wait', '0'])] };
    },
  },
  {
    name: 'ssh connection dropped during the export',
    vm: 'big01',
    transports: ['ssh'],
    code: 2,
    record: /,end,VM-EXPORT-FAIL big01$/,
    summary: /,end,ERROR,S:0 W:0 E:1$/,
    newSuccess: false,
    async drive(ctx) {
      // A private TMPDIR holds the run's ssh ControlPath, so its ssh processes are found by it.
      const privateTmp = tempDir('vmbackup-tmpdir-');
      sim.faults.set(SLOW_EXPORT);
      const run = ctx.start([KEEP, 'vm-export=big01'], [], { TMPDIR: privateTmp });
      await inExport('big01');
      const killed = killProcessesMentioning(privateTmp);
      assert.ok(killed > 0, 'the run had an ssh connection to drop');
      const result = await run.done;
      // Which process the kill reaches first (the master or a session) decides the wording.
      const dropped = /ERROR (cannot run ssh: |ssh \S+: )/;
      assert.match(result.stdout, dropped, `the run saw its connection drop\n${result.stdout}`);
      return { results: [result] };
    },
  },
  ...signalCases,
  {
    name: 'two runs under time zones 26 h apart, max_backups=1, keep the newest good backup',
    vm: 'web01',
    transports: BOTH,
    code: 0,
    record: /,end,SUCCESS web01,/,
    summary: /,end,SUCCESS,S:1 W:0 E:0$/,
    newSuccess: true,
    seed: false,
    async drive(ctx) {
      const east = await ctx.run(['max_backups=1', 'vm-export=web01'], ['--json'], { TZ: 'Etc/GMT-14' });
      const west = await ctx.run(['max_backups=1', 'vm-export=web01'], ['--json'], { TZ: 'Etc/GMT+12' });
      assert.deepEqual(readdirSync(join(ctx.ws.backupDir, 'web01')), [madeFolder(west.stdout)], 'the newest kept');
      return { results: [east, west] };
    },
  },
  {
    name: 'two configs back up one VM from different backup_dirs at the same time',
    vm: 'web01',
    transports: BOTH,
    code: 0,
    record: /,end,SUCCESS web01,/,
    summary: /,end,SUCCESS,S:1 W:0 E:0$/,
    newSuccess: true,
    async drive(ctx) {
      const other = workspace();
      seedGood(other, 'web01');
      // Another tool's `destroy` on every RESTORE_web01 holds each run's export (export.ml lock_vm)
      // until released, so both runs certainly have their snapshot at the same time.
      sim.faults.set({ vmBusy: { vm: 'RESTORE_web01', operation: 'destroy' } });
      const first = ctx.start([KEEP, 'vm-export=web01']);
      await first.waitFor(/cmd: \S*xe vm-export /, 30000);
      const second = ctx.start([KEEP, 'vm-export=web01'], [], {}, other);
      await second.waitFor(/cmd: \S*xe vm-export /, 30000);
      sim.faults.set({ vmBusy: null });
      return { results: await Promise.all([first.done, second.done]), others: [other] };
    },
  },
];

function madeFolder(stdout: string): string {
  const end = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { type: string; folder?: string })
    .find((e) => e.type === 'vm-end' && e.folder !== undefined);
  assert.ok(end?.folder, stdout);
  return basename(end.folder);
}

/** SIGKILLs every process of this user whose command line mentions `text`; returns how many. */
function killProcessesMentioning(text: string): number {
  let killed = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone, or not ours to read
    }
    if (!cmdline.includes(text)) continue;
    try {
      process.kill(Number(pid), 'SIGKILL');
      killed++;
    } catch {
      // already gone
    }
  }
  return killed;
}

function seedGood(ws: Workspace, vm: string): void {
  const folder = join(ws.backupDir, vm, OLD_GOOD);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `${vm}.xva`), 'an older good backup');
  writeFileSync(join(folder, 'success'), '');
}

/** Folders of `vm` (besides OLD_GOOD) and whether each carries a success marker. */
function newFolders(ws: Workspace, vm: string): { name: string; success: boolean }[] {
  const dir = join(ws.backupDir, vm);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name !== OLD_GOOD)
    .map((name) => ({ name, success: existsSync(join(dir, name, 'success')) }));
}

const transports = { local: () => localTransport, ssh: () => ssh };

for (const c of CASES) {
  for (const on of c.transports) {
    test(`${on}: ${c.name}`, async () => {
      const transport = transports[on]();
      const ws = workspace();
      if (c.seed !== false) seedGood(ws, c.vm);
      const snapshotsBefore = snapshotUuids(sim);
      const namedBefore = namedLeftovers();
      const ctx: Context = {
        transport,
        ws,
        start: (lines, extra = [], env = {}, w = ws) =>
          startCli(sim, [...transport.args, w.writeConfig(lines), ...extra], env),
        run: (lines, extra = [], env = {}, w = ws) =>
          runCli(sim, [...transport.args, w.writeConfig(lines), ...extra], env),
      };
      const outcome = await c.drive(ctx);
      const output = outcome.results.map((r) => r.stdout + r.stderr).join('\n----\n');
      for (const r of outcome.results) assert.equal(r.code, c.code, `${on}: exit code\n${output}`);
      assert.deepEqual(snapshotUuids(sim), snapshotsBefore, `${on}: no snapshot left\n${output}`);
      assert.deepEqual(namedLeftovers(), namedBefore, `${on}: no RESTORE_/SNAP_ left\n${output}`);
      for (const w of [ws, ...(outcome.others ?? [])]) {
        if (c.seed !== false) {
          assert.ok(existsSync(join(w.backupDir, c.vm, OLD_GOOD, 'success')), `${on}: older good backup kept`);
          assert.equal(readFileSync(join(w.backupDir, c.vm, OLD_GOOD, `${c.vm}.xva`), 'utf8'), 'an older good backup');
        }
        const made = newFolders(w, c.vm);
        if (c.newSuccess)
          assert.ok(
            made.some((f) => f.success),
            `${on}: a new good backup\n${output}`,
          );
        else
          assert.deepEqual(
            made.filter((f) => f.success),
            [],
            `${on}: no success marker on a failed export`,
          );
        const log = readFileSync(w.statusLog, 'utf8').trimEnd().split('\n');
        assert.ok(
          log.some((l) => /,vmbackup\.py,[^,]+,begin$/.test(l)),
          `${on}: begin record\n${log.join('\n')}`,
        );
        assert.match(log.at(-1)!, c.summary, `${on}: end record\n${output}`);
        if (c.record)
          assert.ok(
            log.some((l) => c.record!.test(l)),
            `${on}: VM record\n${log.join('\n')}`,
          );
      }
    });
  }
}
