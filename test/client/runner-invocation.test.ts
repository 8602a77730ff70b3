// The runner's command line as the extension builds it: VS Code's own Node, --json, the
// password only in the environment, settings mapped to the runner's flags, Windows' rules
// for paths and environment names (platform injected), no shell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RunnerProcess } from '../../client/src/runnerProcess';
import {
  buildRunnerInvocation,
  normaliseRunnerSettings,
  PASSWORD_ENV,
  RunnerSettingsError,
  type RunnerSettings,
} from '../../client/src/runnerInvocation';

const base: RunnerSettings = {
  poolUrl: '',
  certificateFingerprint: '',
  transport: 'local',
  sshTarget: '',
  xePath: '',
  extraArgs: [],
  env: {},
};
const secret = 'pa$$ `word` $(rm -rf /)';

function build(action: 'preview' | 'backup' | 'dry-run', settings: Partial<RunnerSettings> = {}, extraArgs?: string[]) {
  return buildRunnerInvocation({
    nodePath: '/opt/vscode/code',
    platform: 'linux',
    runnerScript: '/ext/dist/vmbackup.js',
    configPath: '/etc/vmbackup/weekly.cfg',
    action,
    settings: { ...base, ...settings },
    password: secret,
    baseEnv: { PATH: '/usr/bin', HOME: '/root' },
    ...(extraArgs ? { extraArgs } : {}),
  });
}

test('preview: node + runner script, --json, password from the environment, config then the preview word', () => {
  const inv = build('preview');
  assert.equal(inv.command, '/opt/vscode/code');
  assert.deepEqual(inv.args, [
    '/ext/dist/vmbackup.js',
    '--json',
    '--password-env',
    PASSWORD_ENV,
    '/etc/vmbackup/weekly.cfg',
    'preview',
  ]);
  assert.equal(inv.env.ELECTRON_RUN_AS_NODE, '1');
  assert.equal(inv.env[PASSWORD_ENV], secret);
  assert.equal(inv.env.PATH, '/usr/bin');
  assert.equal(inv.cwd, '/etc/vmbackup');
});

test('the password never appears in the arguments', () => {
  for (const action of ['preview', 'backup', 'dry-run'] as const) {
    const inv = build(action, { poolUrl: 'https://xen1', xePath: '/usr/bin/xe', extraArgs: ['--concurrency', '2'] });
    assert.ok(!inv.args.some((a) => a.includes('pa$$')), inv.args.join(' '));
  }
});

test('backup maps pool URL, xe path and extra arguments; optional words follow the config', () => {
  const inv = build(
    'backup',
    { poolUrl: 'https://xen1.example.org', xePath: '/opt/xe', extraArgs: ['compress=True', '--concurrency=2'] },
    ['pre_clean=true'],
  );
  assert.deepEqual(inv.args, [
    '/ext/dist/vmbackup.js',
    '--json',
    '--password-env',
    PASSWORD_ENV,
    '--xapi',
    'https://xen1.example.org',
    '--xe',
    '/opt/xe',
    '/etc/vmbackup/weekly.cfg',
    'compress=True',
    '--concurrency=2',
    'pre_clean=true',
  ]);
});

test('dry-run adds --dry-run and no preview word', () => {
  const inv = build('dry-run');
  assert.ok(inv.args.includes('--dry-run'));
  assert.ok(!inv.args.includes('preview'));
});

test('ssh transport passes --ssh and rejects a malformed target', () => {
  assert.deepEqual(build('preview', { transport: 'ssh', sshTarget: 'root@xen1:2222' }).args.slice(4, 6), [
    '--ssh',
    'root@xen1:2222',
  ]);
  assert.throws(() => build('preview', { transport: 'ssh', sshTarget: '' }), RunnerSettingsError);
  assert.throws(() => build('preview', { transport: 'ssh', sshTarget: 'root@xen1; rm -rf /' }), RunnerSettingsError);
});

test('settings env is added but cannot replace the password or ELECTRON_RUN_AS_NODE', () => {
  const inv = build('preview', { env: { XE_EXTRA: '1', [PASSWORD_ENV]: 'from-settings', ELECTRON_RUN_AS_NODE: '0' } });
  assert.equal(inv.env.XE_EXTRA, '1');
  assert.equal(inv.env[PASSWORD_ENV], secret);
  assert.equal(inv.env.ELECTRON_RUN_AS_NODE, '1');
});

test('normaliseRunnerSettings tolerates wrong types from a hand-edited settings.json', () => {
  const values: Record<string, unknown> = {
    'pool.url': ' https://xen1 ',
    'runner.transport': 'carrier-pigeon',
    'runner.extraArgs': ['--json', 3, null],
    'runner.env': { A: 'x', B: 2 },
    'runner.xePath': 42,
    'pool.certificateFingerprint': ['not', 'a', 'string'],
  };
  const settings = normaliseRunnerSettings({ get: <T>(key: string) => values[key] as T });
  assert.deepEqual(settings, {
    poolUrl: 'https://xen1',
    certificateFingerprint: '',
    transport: 'local',
    sshTarget: '',
    xePath: '',
    extraArgs: ['--json'],
    env: { A: 'x' },
  });
});

test('a pinned pool certificate goes to the runner as --xapi-fingerprint, only with a pool URL', () => {
  const fp = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
  const pinned = build('backup', { poolUrl: 'https://xen1', certificateFingerprint: fp });
  const i = pinned.args.indexOf('--xapi-fingerprint');
  assert.ok(i > 0, pinned.args.join(' '));
  assert.equal(pinned.args[i + 1], fp);
  assert.ok(i < pinned.args.indexOf('/etc/vmbackup/weekly.cfg'));
  assert.ok(!build('backup', { certificateFingerprint: fp }).args.includes('--xapi-fingerprint'));
  assert.ok(!build('backup', { poolUrl: 'https://xen1' }).args.includes('--xapi-fingerprint'));
  const read = normaliseRunnerSettings({
    get: <T>(k: string) =>
      (({ 'pool.url': 'https://xen1', 'pool.certificateFingerprint': ` ${fp} ` }) as Record<string, unknown>)[k] as T,
  });
  assert.equal(read.certificateFingerprint, fp);
});

// Windows workstations (issue 14): VS Code's Code.exe under "Program Files", win32 paths.
const windowsCode = 'C:\\Program Files\\Microsoft VS Code\\Code.exe';
const windowsRunner = 'C:\\Users\\Ana Lyst\\.vscode\\extensions\\vmbackup-0.1.0\\dist\\vmbackup.js';

function buildOn(platform: NodeJS.Platform, configPath: string, baseEnv: Record<string, string>, env = {}) {
  return buildRunnerInvocation({
    nodePath: windowsCode,
    platform,
    runnerScript: windowsRunner,
    configPath,
    action: 'preview',
    settings: { ...base, env },
    password: secret,
    baseEnv,
  });
}

test('Windows: Code.exe under Program Files is the command as is, paths are arguments, never quoted', () => {
  const inv = buildOn('win32', 'C:\\Users\\Ana Lyst\\VmBackup\\weekly run.cfg', {});
  assert.equal(inv.command, windowsCode);
  assert.deepEqual(inv.args, [
    windowsRunner,
    '--json',
    '--password-env',
    PASSWORD_ENV,
    'C:\\Users\\Ana Lyst\\VmBackup\\weekly run.cfg',
    'preview',
  ]);
  assert.ok(!inv.args.some((arg) => arg.includes('"')), inv.args.join(' '));
  assert.equal(inv.env.ELECTRON_RUN_AS_NODE, '1');
});

test('Stop: SIGTERM on Linux and macOS, the IPC stop message on Windows (kill() there ends a run at once)', () => {
  assert.equal(buildOn('win32', 'C:\\weekly.cfg', {}).stopBy, 'message');
  assert.equal(buildOn('linux', '/weekly.cfg', {}).stopBy, 'signal');
  assert.equal(buildOn('darwin', '/weekly.cfg', {}).stopBy, 'signal');
});

test('Windows: the working directory is the config folder by win32 rules (drive root, UNC share)', () => {
  const cwd = (platform: NodeJS.Platform, path: string) => buildOn(platform, path, {}).cwd;
  assert.equal(cwd('win32', 'C:\\Users\\Ana Lyst\\VmBackup\\weekly.cfg'), 'C:\\Users\\Ana Lyst\\VmBackup');
  assert.equal(cwd('win32', 'C:\\weekly.cfg'), 'C:\\');
  assert.equal(cwd('win32', 'D:/backups/weekly.cfg'), 'D:/backups');
  assert.equal(cwd('win32', '\\\\filer\\it\\VmBackup\\weekly.cfg'), '\\\\filer\\it\\VmBackup');
  // On Linux and macOS a backslash is part of a name, not a separator.
  assert.equal(cwd('linux', '/srv/odd\\name/weekly.cfg'), '/srv/odd\\name');
  assert.equal(cwd('darwin', '/weekly.cfg'), '/');
});

test('Windows: environment names ignore case, so no second PATH, password or ELECTRON_RUN_AS_NODE', () => {
  const baseEnv = { Path: 'C:\\Windows', electron_run_as_node: '0', Vmbackup_Password: 'stale', TEMP: 'C:\\Temp' };
  const inv = buildOn('win32', 'C:\\weekly.cfg', baseEnv, { PATH: 'C:\\tools', Electron_Run_As_Node: '0' });
  const names = (name: string) => Object.keys(inv.env).filter((key) => key.toUpperCase() === name);
  assert.deepEqual(names('PATH'), ['PATH']);
  assert.equal(inv.env.PATH, 'C:\\tools');
  assert.deepEqual(names('ELECTRON_RUN_AS_NODE'), ['ELECTRON_RUN_AS_NODE']);
  assert.equal(inv.env.ELECTRON_RUN_AS_NODE, '1');
  assert.deepEqual(names(PASSWORD_ENV), [PASSWORD_ENV]);
  assert.equal(inv.env[PASSWORD_ENV], secret);
  assert.equal(inv.env.TEMP, 'C:\\Temp');
  // Elsewhere names are case-sensitive: a variable of another case is a different one, kept.
  const linux = buildOn('linux', '/w.cfg', { Path: '/x' }, { PATH: '/y' });
  assert.equal(linux.env.Path, '/x');
  assert.equal(linux.env.PATH, '/y');
});

test('a runner under a path with spaces and quotes starts without a shell and gets every argument intact', async () => {
  const root = mkdtempSync(join(tmpdir(), 'vmbackup-invocation-'));
  try {
    // The shape of a Windows install: the program and the extension under folders with spaces.
    const program = join(root, 'Program Files', 'Microsoft VS Code', 'Code.exe');
    const script = join(root, "Ana's extensions", 'dist', 'vmbackup.js');
    const config = join(root, 'VmBackup $(id) `x`', 'weekly "full".cfg');
    for (const file of [program, script, config]) mkdirSync(dirname(file), { recursive: true });
    symlinkSync(process.execPath, program);
    writeFileSync(
      script,
      'process.stdout.write(JSON.stringify({ type: "info", time: "t", message: JSON.stringify({ argv: ' +
        'process.argv.slice(1), cwd: process.cwd(), electron: process.env.ELECTRON_RUN_AS_NODE, ' +
        `password: process.env.${PASSWORD_ENV} }) }) + "\\n");\n`,
    );
    writeFileSync(config, '');
    const inv = buildRunnerInvocation({
      nodePath: program,
      platform: process.platform,
      runnerScript: script,
      configPath: config,
      action: 'preview',
      settings: base,
      password: secret,
      baseEnv: { PATH: '/usr/bin:/bin' },
    });
    const messages: string[] = [];
    const runner = new RunnerProcess(inv, {
      event: (event) => messages.push(event.message),
      text: (line) => messages.push(`text: ${line}`),
      stderr: (line) => messages.push(`stderr: ${line}`),
    });
    const exit = await runner.exited;
    assert.equal(exit.code, 0, messages.join('\n'));
    assert.equal(messages.length, 1, messages.join('\n'));
    const seen = JSON.parse(messages[0]!) as { argv: string[]; cwd: string; electron: string; password: string };
    assert.deepEqual(seen.argv, [script, '--json', '--password-env', PASSWORD_ENV, config, 'preview']);
    assert.equal(seen.cwd, dirname(config));
    assert.equal(seen.electron, '1');
    assert.equal(seen.password, secret);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('xapi transport: --transport xapi to the pool URL, no xe or ssh; a pool URL is required', () => {
  const inv = build('backup', {
    transport: 'xapi',
    poolUrl: 'https://xen1.example.org',
    xePath: '/opt/xe',
    sshTarget: 'root@xen1',
  });
  assert.deepEqual(inv.args.slice(0, 8), [
    '/ext/dist/vmbackup.js',
    '--json',
    '--password-env',
    PASSWORD_ENV,
    '--xapi',
    'https://xen1.example.org',
    '--transport',
    'xapi',
  ]);
  assert.ok(!inv.args.includes('--xe') && !inv.args.includes('--ssh'), inv.args.join(' '));
  assert.throws(
    () => build('preview', { transport: 'xapi' }),
    (error) => error instanceof RunnerSettingsError && /vmbackup\.pool\.url/.test(error.message),
  );
  const read = normaliseRunnerSettings({
    get: <T>(key: string) => (({ 'runner.transport': 'xapi' }) as Record<string, unknown>)[key] as T,
  });
  assert.equal(read.transport, 'xapi');
});

test('the transport setting offers exactly the transports the extension runs, and is restricted', () => {
  const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'));
  const props = Object.assign(
    {},
    ...manifest.contributes.configuration.map((c: { properties: object }) => c.properties),
  );
  const setting = props['vmbackup.runner.transport'];
  assert.deepEqual(setting.enum, ['local', 'ssh', 'xapi']);
  assert.equal(setting.enumDescriptions.length, 3);
  for (const value of setting.enum as string[]) {
    const read = normaliseRunnerSettings({
      get: <T>(key: string) => (({ 'runner.transport': value }) as Record<string, unknown>)[key] as T,
    });
    assert.equal(read.transport, value);
  }
  // Restricted Mode: a workspace may not choose where the runner sends the pool password.
  const restricted: string[] = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
  for (const key of ['vmbackup.runner.transport', 'vmbackup.pool.url', 'vmbackup.runner.sshTarget'])
    assert.ok(restricted.includes(key), key);
});
