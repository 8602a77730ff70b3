// The runner's command line as the extension builds it: VS Code's own Node, --json, the
// password only in the environment, settings mapped to the runner's flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
