// The deployment examples in deploy/ (issue 14): each one's runner command line is read by the
// runner's own argument parser (so every flag exists and the combination is valid), the
// password is a file and never a word or a variable, the paths agree with pool.cfg and the
// image; the systemd units parse and pass `systemd-analyze verify` (where installed), the cron
// line has a valid schedule, the CronJob conforms to the Kubernetes schema of batch/v1 CronJob.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { parseArgs, type RunCommand } from '../../runner/src/cli/args';
import { parseConfig, resolveSettings, validateConfig } from '../../runner/src/config/index';
import { validate, type Schema } from './json-schema';

const root = join(import.meta.dirname, '..', '..');
const deploy = (...parts: string[]) => join(root, 'deploy', ...parts);
const read = (...parts: string[]) => readFileSync(deploy(...parts), 'utf8');

/** Where every example installs the runner: the bundle the build writes (package.json `bin`). */
const RUNNER = '/opt/vmbackup/vmbackup.js';
const POOL = 'xcp1.example.org';

/** A runner command line of an example, checked by the runner's parser: a backup over xapi. */
function runnerCommand(words: readonly string[], where: string): RunCommand {
  assert.equal(words[0], words[0] === 'node' ? 'node' : '/usr/bin/node', `${where}: the program is node`);
  assert.equal(words[1], RUNNER, `${where}: the runner's installed path`);
  const command = parseArgs(words.slice(2), { passwordInEnvironment: false });
  assert.equal(command.kind, 'run', `${where}: ${words.join(' ')}`);
  const run = command as RunCommand;
  assert.equal(run.transport.kind, 'xapi', where);
  assert.equal(run.transport.xapi, `https://${POOL}/`, where);
  assert.equal(run.preview || run.dryRun, false, `${where}: a real backup`);
  // The password is a file (the original's base64 password file), never the password itself.
  assert.equal(run.password.kind, 'argument', where);
  assert.ok(run.password.kind === 'argument' && posix.isAbsolute(run.password.value), where);
  return run;
}

// ---- pool.cfg: the config every example runs -------------------------------------------------

const poolConfig = read('pool.cfg');
const poolSettings = resolveSettings(parseConfig(poolConfig));

test('deploy/pool.cfg is a valid config whose backups and status log live under /srv/vmbackup', () => {
  const problems = validateConfig(parseConfig(poolConfig)).filter((d) => d.severity === 'error');
  assert.deepEqual(problems, []);
  assert.equal(poolSettings.backupDir, '/srv/vmbackup/backups');
  assert.ok(poolSettings.statusLog.startsWith('/srv/vmbackup/'), poolSettings.statusLog);
});

// ---- systemd ---------------------------------------------------------------------------------

type Unit = Map<string, Array<[string, string]>>;

/** systemd's unit syntax as these files use it: [Section], Key=Value, # and ; comments. */
function parseUnit(text: string, file: string): Unit {
  const unit: Unit = new Map();
  let section: Array<[string, string]> | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    const at = `${file}:${index + 1}`;
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      assert.ok(!unit.has(header[1]!), `${at}: section [${header[1]}] twice`);
      section = [];
      unit.set(header[1]!, section);
      return;
    }
    const entry = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    assert.ok(entry, `${at}: not Key=Value: ${line}`);
    assert.ok(section, `${at}: ${entry[1]} before any [Section]`);
    assert.ok(!entry[2]!.endsWith('\\'), `${at}: continuation lines are not used`);
    section.push([entry[1]!, entry[2]!]);
  });
  return unit;
}

function values(unit: Unit, section: string, key: string): string[] {
  return (unit.get(section) ?? []).filter(([name]) => name === key).map(([, value]) => value);
}

function only(unit: Unit, section: string, key: string): string {
  const found = values(unit, section, key);
  assert.equal(found.length, 1, `[${section}] ${key}= once`);
  return found[0]!;
}

const service = parseUnit(read('systemd', 'vmbackup@.service'), 'vmbackup@.service');
const timer = parseUnit(read('systemd', 'vmbackup@.timer'), 'vmbackup@.timer');

/** systemd's specifiers for the instance vmbackup@POOL.service (the ones the unit uses). */
function expandSpecifiers(word: string): string {
  const expanded = word.replace(/%([a-zA-Z%])/g, (_, letter: string) => {
    if (letter === 'i') return POOL;
    if (letter === 'd') return `/run/credentials/vmbackup@${POOL}.service`;
    throw new Error(`specifier %${letter} in ${word} is not expected`);
  });
  return expanded;
}

test('systemd service: ExecStart runs the installed runner over xapi with flags the parser accepts', () => {
  assert.deepEqual([...service.keys()], ['Unit', 'Service']);
  assert.equal(only(service, 'Service', 'Type'), 'oneshot');
  const execStart = only(service, 'Service', 'ExecStart');
  // Plain words: no quoting for systemd to interpret, so splitting at blanks is exact.
  assert.doesNotMatch(execStart, /["'\\]/);
  const run = runnerCommand(execStart.split(/\s+/).map(expandSpecifiers), 'ExecStart');
  assert.equal(run.transport.xapiTrustFile, `/etc/vmbackup/${POOL}.trust`);
  assert.equal(run.target, `/etc/vmbackup/${POOL}.cfg`);
});

test('systemd service: the password comes from a root-only file as a credential, never the environment', () => {
  const [credential, source] = only(service, 'Service', 'LoadCredential').split(':');
  assert.equal(source, '/etc/vmbackup/%i.password');
  const words = only(service, 'Service', 'ExecStart').split(/\s+/);
  assert.ok(words.includes(`%d/${credential}`), 'the runner reads the credential by its name');
  for (const key of ['Environment', 'EnvironmentFile', 'PassEnvironment', 'SetCredential'])
    assert.deepEqual(values(service, 'Service', key), [], key);
  assert.doesNotMatch(read('systemd', 'vmbackup@.service'), /VMBACKUP_PASSWORD|--password-env|--password-stdin/);
  // It writes only where pool.cfg puts the backups, status log and lock.
  assert.equal(only(service, 'Service', 'ProtectSystem'), 'strict');
  const writable = only(service, 'Service', 'ReadWritePaths');
  assert.ok(poolSettings.backupDir.startsWith(`${writable}/`) && poolSettings.statusLog.startsWith(`${writable}/`));
  assert.equal(only(service, 'Service', 'User'), 'vmbackup');
});

test('systemd timer: nightly, persistent, enabled through timers.target', () => {
  assert.deepEqual([...timer.keys()], ['Unit', 'Timer', 'Install']);
  assert.match(only(timer, 'Timer', 'OnCalendar'), /^\*-\*-\* \d{2}:\d{2}:\d{2}$/);
  assert.equal(only(timer, 'Timer', 'Persistent'), 'true');
  assert.equal(only(timer, 'Install', 'WantedBy'), 'timers.target');
  // No Unit=: vmbackup@POOL.timer starts vmbackup@POOL.service of the same name.
  assert.deepEqual(values(timer, 'Timer', 'Unit'), []);
});

test('systemd units pass systemd-analyze verify', (t) => {
  const version = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (version.error) {
    // Only this assertion needs the tool; the units' syntax and flags are checked above.
    t.skip(`systemd-analyze is not installed here (${version.error.message})`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'vmbackup-units-'));
  try {
    for (const name of ['vmbackup@.service', 'vmbackup@.timer']) {
      let text = read('systemd', name);
      // verify wants ExecStart's program to exist: where node lives elsewhere, name that one.
      if (!existsSync('/usr/bin/node') && !/\s/.test(process.execPath)) {
        text = text.replace('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `);
      }
      writeFileSync(join(dir, name), text);
    }
    copyFileSync(deploy('pool.cfg'), join(dir, 'pool.cfg'));
    const units = [`vmbackup@${POOL}.service`, `vmbackup@${POOL}.timer`].map((name) => join(dir, name));
    const result = spawnSync('systemd-analyze', ['verify', '--man=no', ...units], { encoding: 'utf8' });
    // verify exits 0 on an unknown key but says so: any word about our units is a failure.
    assert.equal(result.status, 0, result.stderr);
    const aboutOurs = result.stderr.split('\n').filter((line) => line.includes('vmbackup@'));
    assert.deepEqual(aboutOurs, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- cron ------------------------------------------------------------------------------------

const FIELD_RANGES: Array<[number, number]> = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];

function validCronField(field: string, [low, high]: [number, number]): boolean {
  return field.split(',').every((part) => {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) return false;
    const numbers = [match[2], match[3], match[4]].filter((n) => n !== undefined).map(Number);
    const inRange = [match[2], match[3]].filter((n) => n !== undefined).every((n) => +n >= low && +n <= high);
    return inRange && numbers.every((n) => Number.isInteger(n));
  });
}

test('cron: an /etc/cron.d line with a valid schedule, the vmbackup user and a runner line the parser accepts', () => {
  const lines = read('cron', 'vmbackup')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
  assert.equal(lines.length, 1);
  const line = lines[0]!;
  // cron turns % into a new line: the command must not have one.
  assert.doesNotMatch(line, /%/);
  const fields = line.split(/\s+/);
  fields.slice(0, 5).forEach((field, i) => assert.ok(validCronField(field, FIELD_RANGES[i]!), field));
  assert.ok(!validCronField('61', FIELD_RANGES[0]!) && !validCronField('1-', FIELD_RANGES[0]!));
  assert.equal(fields[5], 'vmbackup');
  const redirect = fields.indexOf('>>');
  const words = fields.slice(6, redirect < 0 ? undefined : redirect);
  const run = runnerCommand(words, 'cron');
  assert.ok(run.password.kind === 'argument' && run.password.value === `/etc/vmbackup/${POOL}.password`);
  assert.equal(run.target, `/etc/vmbackup/${POOL}.cfg`);
  assert.doesNotMatch(line, /VMBACKUP_PASSWORD/);
  // The run's output goes next to the backups, where the vmbackup user may write.
  assert.ok(redirect > 0 && fields[redirect + 1]!.startsWith('/srv/vmbackup/'), line);
});

// ---- Kubernetes ------------------------------------------------------------------------------

const schema = JSON.parse(
  readFileSync(join(import.meta.dirname, 'kubernetes-schema', 'cronjob-batch-v1.schema.json'), 'utf8'),
) as Schema;
const cronJob = JSON.parse(read('kubernetes', 'cronjob.json'));

test('the CronJob conforms to the Kubernetes schema of batch/v1 CronJob', () => {
  assert.deepEqual(validate(schema, cronJob), []);
});

test('the schema check fails where the API server would refuse: unknown field, wrong type, enum, missing', () => {
  const broken = (change: (copy: typeof cronJob) => void) => {
    const copy = structuredClone(cronJob);
    change(copy);
    return validate(schema, copy);
  };
  assert.deepEqual(
    broken((c) => {
      c.spec.concurencyPolicy = 'Forbid';
    }),
    ['/spec/concurencyPolicy: unknown property'],
  );
  assert.deepEqual(
    broken((c) => {
      c.spec.concurrencyPolicy = 'Never';
    }),
    ['/spec/concurrencyPolicy: "Never" is not one of ["Allow","Forbid","Replace"]'],
  );
  assert.deepEqual(
    broken((c) => {
      c.spec.jobTemplate.spec.backoffLimit = '0';
    }),
    ['/spec/jobTemplate/spec/backoffLimit: expected number, got string'],
  );
  assert.deepEqual(
    broken((c) => {
      delete c.spec.schedule;
    }),
    ['/spec: required property schedule is missing'],
  );
  assert.deepEqual(
    broken((c) => {
      const mount = c.spec.jobTemplate.spec.template.spec.containers[0].volumeMounts[0];
      mount.mountpath = mount.mountPath;
      delete mount.mountPath;
    }),
    [
      '/spec/jobTemplate/spec/template/spec/containers/0/volumeMounts/0: required property mountPath is missing',
      '/spec/jobTemplate/spec/template/spec/containers/0/volumeMounts/0/mountpath: unknown property',
    ],
  );
  assert.deepEqual(
    broken((c) => {
      c.kind = 'Job';
    }),
    ['/kind: "Job" is not one of ["CronJob"]'],
  );
});

test('the CronJob: one pool, never two runs at once, the password from a Secret file, backup_dir on a volume', () => {
  assert.equal(cronJob.spec.concurrencyPolicy, 'Forbid');
  assert.ok(cronJob.metadata.name.endsWith('-xcp1'), cronJob.metadata.name);
  const pod = cronJob.spec.jobTemplate.spec.template.spec;
  assert.ok(['Never', 'OnFailure'].includes(pod.restartPolicy));
  assert.equal(pod.containers.length, 1);
  const container = pod.containers[0];
  const run = runnerCommand([...container.command, ...container.args], 'CronJob');
  assert.equal(container.env, undefined, 'no environment variables: the password is a file');
  type Volume = { name: string; secret?: { secretName: string }; configMap?: { name: string } } & Record<
    string,
    unknown
  >;
  const volumes = new Map<string, Volume>(pod.volumes.map((v: Volume) => [v.name, v]));
  const mounts: Array<{ name: string; mountPath: string }> = container.volumeMounts;
  for (const mount of mounts) assert.ok(volumes.has(mount.name), `volumeMount ${mount.name} has a volume`);
  /** The volume a path in the container lives on. */
  const volumeOf = (path: string) => {
    const mount = mounts.find((m) => path.startsWith(`${m.mountPath}/`));
    assert.ok(mount, `${path} is on a volume`);
    return volumes.get(mount.name)!;
  };
  assert.ok(run.password.kind === 'argument');
  assert.equal(volumeOf(run.password.value).secret?.secretName, cronJob.metadata.name);
  assert.equal(volumeOf(run.target).configMap?.name, cronJob.metadata.name);
  assert.equal(volumeOf(run.transport.xapiTrustFile!).configMap?.name, cronJob.metadata.name);
  assert.ok(volumeOf(poolSettings.backupDir).persistentVolumeClaim, 'backup_dir is on a PersistentVolumeClaim');
  assert.ok(volumeOf(poolSettings.statusLog).persistentVolumeClaim, 'the status log too');
  // The names the README's kubectl lines create.
  const readme = read('README.md');
  for (const key of [posix.basename(run.target), posix.basename(run.transport.xapiTrustFile!)])
    assert.ok(readme.includes(`--from-file=${key}=`), key);
  assert.ok(readme.includes(`--from-file=${posix.basename(run.password.value)}=`));
});

test('the image puts the built runner where the CronJob and the other examples run it', () => {
  const dockerfile = read('kubernetes', 'Dockerfile');
  const bin = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).bin.vmbackup as string;
  assert.ok(dockerfile.includes(`\nCOPY ${posix.normalize(bin)} ${RUNNER}\n`), dockerfile);
  assert.ok(dockerfile.includes(`ENTRYPOINT ["node", "${RUNNER}"]`));
  const user = /^USER (\S+)$/m.exec(dockerfile)?.[1];
  const pod = cronJob.spec.jobTemplate.spec.template.spec;
  // The official node images' `node` user is uid 1000: the pod runs as that user, not root.
  assert.equal(user, 'node');
  assert.equal(pod.securityContext.runAsUser, 1000);
  assert.equal(pod.securityContext.runAsNonRoot, true);
  // The README installs the same file at the same place for systemd and cron.
  assert.ok(read('README.md').includes(`install -D -m 0755 ${posix.normalize(bin)} ${RUNNER}`));
});

test("the README's own runner command (the check before the first night) is accepted too", () => {
  const readme = read('README.md');
  // Shell continuation lines joined, then the lines that run the runner.
  const commands = readme
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => line.startsWith('sudo /usr/bin/node '))
    .map((line) => line.slice('sudo '.length));
  assert.equal(commands.length, 1);
  const words = commands[0]!.split(/\s+/);
  assert.ok(words.includes('--dry-run'));
  const run = parseArgs(words.slice(2), { passwordInEnvironment: false }) as RunCommand;
  assert.equal(run.kind, 'run');
  assert.equal(run.dryRun, true);
  assert.equal(run.transport.kind, 'xapi');
  runnerCommand(
    words.filter((word) => word !== '--dry-run'),
    'README',
  );
});
