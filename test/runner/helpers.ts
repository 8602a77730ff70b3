// Shared helpers of the runner end-to-end tests: a simulator, a temp backup dir, and the
// bundled CLI (dist/vmbackup.js) run as a real process.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startSimulator, type Simulator, type Fixture } from '../sim/index';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const cliPath = join(repoRoot, 'dist', 'vmbackup.js');

export function ensureBundle(): void {
  if (!existsSync(cliPath))
    execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}

const tempDirs: string[] = [];
// Each test file runs in its own process: its temp folders go when it ends.
process.on('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'vmbackup-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export async function startPool(fixture: string | Fixture): Promise<Simulator> {
  const path =
    typeof fixture === 'string' && !fixture.includes('/')
      ? join(repoRoot, 'test', 'sim', 'fixtures', `${fixture}.json`)
      : fixture;
  return startSimulator({ fixture: path });
}

export interface Workspace {
  dir: string;
  backupDir: string;
  statusLog: string;
  writeConfig(lines: string[], name?: string): string;
}

export function workspace(): Workspace {
  const dir = tempDir();
  const backupDir = join(dir, 'BACKUPS');
  mkdirSync(backupDir);
  mkdirSync(join(dir, 'logs'));
  const statusLog = join(dir, 'logs', 'status.log');
  return {
    dir,
    backupDir,
    statusLog,
    writeConfig(lines, name = 'test.cfg') {
      const path = join(dir, name);
      writeFileSync(path, [`backup_dir=${backupDir}`, `status_log=${statusLog}`, ...lines].join('\n') + '\n');
      return path;
    },
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ReturnType<typeof spawn>;
  /** Resolves when stdout has produced a line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  done: Promise<CliResult>;
}

/** Starts the bundled CLI pointed at the simulator (xe and XenAPI). */
export function startCli(sim: Simulator, args: string[], env: Record<string, string> = {}): CliRun {
  return spawnCli(['--xe', sim.xePath, '--xapi', sim.url, ...args], { VMBACKUP_PASSWORD: sim.password, ...env });
}

/** Starts the bundled CLI with these arguments and extra environment; stdout lines can be awaited. */
export function spawnCli(argv: string[], env: Record<string, string>): CliRun {
  const child = spawn(process.execPath, [cliPath, ...argv], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const w of [...waiters]) {
      const line = stdout.split('\n').find((l) => w.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end();
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    child,
    done,
    waitFor(pattern, timeoutMs = 20000) {
      return new Promise((resolve, reject) => {
        const existing = stdout.split('\n').find((l) => pattern.test(l));
        if (existing !== undefined) return resolve(existing);
        const timer = setTimeout(
          () => reject(new Error(`timeout waiting for ${pattern}\n${stdout}\n${stderr}`)),
          timeoutMs,
        );
        waiters.push({ pattern, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      });
    },
  };
}

export function runCli(sim: Simulator, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(sim, args, env).done;
}

/** Every path below `dir`, relative, sorted, directories with a trailing `/`. */
export function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        out.push(relative(dir, p) + '/');
        walk(p);
      } else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

/** uuids of VM and VDI snapshots currently in the pool. */
export function snapshotUuids(sim: Simulator): string[] {
  const out: string[] = [];
  for (const cls of ['VM', 'VDI']) {
    for (const [, rec] of sim.state.entries(cls)) if (rec.is_a_snapshot === true) out.push(String(rec.uuid));
  }
  return out.sort();
}

export const BACKUP_FOLDER = /^backup-\d{4}-\d{2}-\d{2}-\(\d{2}:\d{2}:\d{2}\)$/;

import { startSshd, type Sshd } from '../harness/sshd';

export interface Transport {
  name: 'local' | 'ssh';
  /** Extra CLI arguments that select the transport. */
  args: string[];
  stop(): Promise<void>;
}

export const localTransport: Transport = { name: 'local', args: [], stop: async () => undefined };

/**
 * A real sshd on 127.0.0.1 whose logins reach the simulator through `~/.xe`, and the CLI
 * arguments for it (`--ssh user@127.0.0.1:port --ssh-config <file with key + known_hosts>`).
 */
export async function sshTransport(sim: Simulator): Promise<Transport & { sshd: Sshd }> {
  const sshd = await startSshd();
  writeFileSync(join(sshd.home, '.xe'), sim.xeConfigFile(), { mode: 0o600 });
  const config = join(tempDir('vmbackup-sshcfg-'), 'ssh_config');
  writeFileSync(
    config,
    `Host *\n  IdentityFile ${sshd.identityFile}\n  UserKnownHostsFile ${sshd.knownHostsFile}\n  IdentitiesOnly yes\n`,
  );
  return { name: 'ssh', args: ['--ssh', sshd.target, '--ssh-config', config], sshd, stop: () => sshd.stop() };
}
