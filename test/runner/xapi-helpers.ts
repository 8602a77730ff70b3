// The xapi transport's runs (issue 14): the bundled CLI with `--transport xapi`, its PATH
// holding no `xe` at all (only the programs a run calls besides the pool: df), so any xe the
// runner tried to start would fail the run.
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Simulator } from '../sim/index';
import { spawnCli, tempDir, type CliResult, type CliRun } from './helpers';

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
  return spawnCli(['--transport', 'xapi', '--xapi', sim.url, ...args], {
    PATH: pathWithoutXe(),
    VMBACKUP_PASSWORD: sim.password,
    ...env,
  });
}

export function runXapiCli(sim: Simulator, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startXapiCli(sim, args, env).done;
}
