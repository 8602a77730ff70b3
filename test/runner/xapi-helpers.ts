// The xapi transport's runs (issue 14): the bundled CLI with `--transport xapi`, its PATH
// holding no `xe` at all (only the programs a run calls besides the pool: df), so any xe the
// runner tried to start would fail the run.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Simulator } from '../sim/index';
import { cliPath, tempDir, type CliResult, type CliRun } from './helpers';

/** A PATH with `df` and nothing else: `xe` is nowhere on it. */
export function pathWithoutXe(): string {
  const dir = join(tempDir('vmbackup-noxe-'), 'bin');
  mkdirSync(dir);
  for (const program of ['df']) {
    const found = (process.env.PATH ?? '')
      .split(delimiter)
      .map((d) => join(d, program))
      .find((p) => existsSync(p));
    if (found) symlinkSync(found, join(dir, program));
  }
  return dir;
}

/** Starts the bundled CLI with --transport xapi against the simulator, no xe on PATH. */
export function startXapiCli(sim: Simulator, args: string[], env: Record<string, string> = {}): CliRun {
  const path = pathWithoutXe();
  const child = spawn(process.execPath, [cliPath, '--transport', 'xapi', '--xapi', sim.url, ...args], {
    env: { ...process.env, PATH: path, VMBACKUP_PASSWORD: sim.password, ...env },
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

export function runXapiCli(sim: Simulator, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startXapiCli(sim, args, env).done;
}
