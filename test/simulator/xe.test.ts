// The `xe` command against the simulator: every command VmBackup runs, compared with golden
// transcripts (stdout, stderr, exit status) in the formats of the real CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, stat, writeFile, rm } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { golden, simulator, vmUuid, xe, FIXTURES, type XeResult } from './helpers';
import { checkXva, readTar } from './xva';
import type { Simulator } from '../sim/index';
import { CANARY_PATH } from '../sim/fixture';

/** A readable transcript of one xe run; timestamps masked (they change every run). */
function transcript(args: string[], r: XeResult): string {
  const mask = (s: string) => s.replace(/\d{8}T\d\d:\d\d:\d\dZ/g, '<datetime>');
  return (
    `$ xe ${args.map((a) => (/[\s"'$`\\]/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n` +
    `--- stdout\n${mask(r.stdout)}--- stderr\n${mask(r.stderr)}--- exit ${r.code}\n\n`
  );
}

class Session {
  text = '';
  constructor(
    readonly sim: Simulator,
    readonly env: Record<string, string> = {},
  ) {}
  async run(...args: string[]): Promise<XeResult> {
    const r = await xe(this.sim, args, this.env);
    this.text += transcript(args, r);
    return r;
  }
}

async function scratch(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'xe-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('xe lists: vm-list, vdi-list, pool-list, host-list in the real printer format', async (t) => {
  const sim = await simulator(t);
  const s = new Session(sim);
  await s.run('vm-list');
  await s.run('vm-list', 'name-label=PROD-ubuntu14', 'params=power-state');
  await s.run('vm-list', 'name-label=DEV-RH7', 'params=uuid');
  await s.run('vm-list', 'name-label=no-such-vm', 'params=uuid');
  await s.run('vm-list', 'is-control-domain=false', 'is-a-snapshot=false', 'params=name-label', '--minimal');
  await s.run('vm-list', 'power-state=halted', 'params=name-label,uuid');
  await s.run('vm-list', 'tags:contains=production', 'params=name-label');
  await s.run('snapshot-list', 'params=name-label,snapshot-of');
  await s.run('template-list', 'params=name-label', '--minimal');
  const disk = String(
    sim.state.get(
      'VDI',
      sim.state.get(
        'VBD',
        (sim.state.get('VM', sim.state.refByUuid('VM', vmUuid(sim, 'DEV-RH7')))!.VBDs as string[])[0],
      )!.VDI as string,
    )!.uuid,
  );
  await s.run('vdi-list', `uuid=${disk}`);
  await s.run('vdi-list', 'name-label=DEV-RH7 0', 'params=uuid');
  await s.run('vbd-list', `vm-uuid=${vmUuid(sim, 'PROD-CentOS7-large-user-disks')}`);
  await s.run('pool-list');
  await s.run('pool-list', 'params=master', '--minimal');
  await s.run('host-list');
  await s.run('host-list', 'name-label=xenserver1', '--minimal');
  await s.run('host-list', 'name-label=xenserver9', '--minimal');
  await s.run('sr-list', 'params=name-label,type,content-type');
  await s.run(
    'vm-param-get',
    `uuid=${vmUuid(sim, 'PROD-ubuntu14')}`,
    'param-name=other-config',
    'param-key=base_template_name',
  );
  await s.run('vm-param-list', `uuid=${vmUuid(sim, 'DEV-RH6')}`);
  golden('xe-lists.txt', s.text);
});

test('xe vm-export flow as VmBackup runs it: snapshot, template-param-set, export, uninstall', async (t) => {
  const sim = await simulator(t);
  const dir = await scratch(t);
  const s = new Session(sim);
  const vm = vmUuid(sim, 'DEV-RH7');
  const snap = (await s.run('vm-snapshot', `vm=${vm}`, 'new-name-label=RESTORE_DEV-RH7')).stdout.trim();
  assert.match(snap, /^[0-9a-f-]{36}$/);
  // Still a template: vm-export's selector does not find it (the reason for template-param-set).
  await s.run('vm-export', `uuid=${snap}`, `filename=${join(dir, 'early.xva')}`);
  await s.run('template-param-set', 'is-a-template=false', 'ha-always-run=false', `uuid=${snap}`);
  await s.run('vm-list', `uuid=${snap}`, 'params=name-label,is-a-snapshot,snapshot-of');
  const r = await s.run('vm-export', `uuid=${snap}`, `filename=${join(dir, 'DEV-RH7.xva')}`);
  assert.equal(r.code, 0);
  const file = join(dir, 'DEV-RH7.xva');
  assert.equal((await stat(file)).mode & 0o777, 0o600, 'created mode 0600');
  const { ova } = await checkXva(await readFile(file));
  assert.equal(ova.objects.find((o) => o.class === 'VM')!.snapshot.name_label, 'RESTORE_DEV-RH7');
  // O_EXCL: the real xe refuses to overwrite.
  await s.run('vm-export', `uuid=${snap}`, `filename=${file}`);
  await s.run('vm-export', `uuid=${snap}`, `filename=${join(dir, 'DEV-RH7.xva.gz')}`, 'compress=true');
  await s.run('vm-uninstall', `uuid=${snap}`, 'force=true');
  await s.run('vm-list', `uuid=${snap}`);
  golden('xe-vm-export.txt', s.text.split(dir).join('<dir>'));
  assert.equal(
    sim.state.entries('VM').filter(([, v]) => v.name_label === 'RESTORE_DEV-RH7').length,
    0,
    'no snapshot left behind',
  );
});

test('xe metadata export to stdout is a tar holding ova.xml', async (t) => {
  const sim = await simulator(t);
  const r = await xe(sim, ['vm-export', `vm=${vmUuid(sim, 'PROD-ubuntu14')}`, 'filename=', 'metadata=true']);
  assert.equal(r.code, 0, r.stderr);
  const entries = await readTar(r.raw);
  assert.deepEqual(
    entries.map((e) => e.path),
    ['ova.xml'],
  );
  assert.match(entries[0].data.toString('utf8'), /<name>name_label<\/name><value>PROD-ubuntu14<\/value>/);
});

test('xe vdi-export flow: vdi-snapshot, vdi-param-set, vdi-export raw and vhd, vdi-destroy', async (t) => {
  const sim = await simulator(t, { fixture: join(FIXTURES, 'demo.json') });
  const dir = await scratch(t);
  const s = new Session(sim);
  const vm = sim.state.get('VM', sim.state.refByUuid('VM', vmUuid(sim, 'PROD-web01')))!;
  const vdi = sim.state.get('VDI', sim.state.get('VBD', (vm.VBDs as string[])[0])!.VDI as string)!;
  const snap = (await s.run('vdi-snapshot', `uuid=${vdi.uuid}`)).stdout.trim();
  await s.run('vdi-param-set', `uuid=${snap}`, 'name-label=SNAP_PROD-web01_PROD-web01-0');
  await s.run('vdi-list', 'name-label=SNAP_PROD-web01_PROD-web01-0', 'params=uuid');
  await s.run('vdi-export', 'format=raw', `uuid=${snap}`, `filename=${join(dir, 'PROD-web01.raw')}`);
  await s.run('vdi-export', 'format=vhd', `uuid=${snap}`, `filename=${join(dir, 'PROD-web01.vhd')}`);
  await s.run('vdi-destroy', `uuid=${snap}`);
  await s.run('vdi-destroy', `uuid=${snap}`);
  golden('xe-vdi-export.txt', s.text.split(dir).join('<dir>'));
  const raw = await readFile(join(dir, 'PROD-web01.raw'));
  assert.equal(raw.length, Number(vdi.virtual_size));
  const vhd = await readFile(join(dir, 'PROD-web01.vhd'));
  assert.equal(vhd.subarray(vhd.length - 512, vhd.length - 504).toString('ascii'), 'conectix');
});

test('xe pool-dump-database writes the XML dump and refuses an existing file', async (t) => {
  const sim = await simulator(t);
  const dir = await scratch(t);
  const s = new Session(sim);
  const file = join(dir, 'pool_db.dump');
  await s.run('pool-dump-database', `file-name=${file}`);
  assert.match(await readFile(file, 'utf8'), /^<\?xml version="1.0" encoding="UTF-8"\?>\n<database>/);
  await s.run('pool-dump-database', `file-name=${file}`);
  await s.run('pool-dump-database', `file-name=${join(dir, 'missing-dir', 'x.dump')}`);
  golden('xe-pool-dump.txt', s.text.split(dir).join('<dir>'));
});

test('xe errors: texts and exit codes of the real CLI', async (t) => {
  const sim = await simulator(t);
  const s = new Session(sim);
  await s.run('vdi-destroy', 'uuid=bogus');
  await s.run('vm-snapshot', 'vm=no-such-vm', 'new-name-label=x');
  await s.run('vm-snapshot', 'vm=DEV-duplicate', 'new-name-label=x');
  await s.run('vm-snapshot', `vm=${vmUuid(sim, 'DEV-RH7')}`);
  await s.run('vm-lisX');
  await s.run('vm-list', 'oops');
  await s.run('vm-param-set', `uuid=${vmUuid(sim, 'DEV-RH7')}`, 'power-state=halted');
  await s.run('template-param-set', 'uuid=00000000-0000-0000-0000-000000000000', 'is-a-template=false');
  await s.run('vm-export', `uuid=${vmUuid(sim, 'PROD-ubuntu14')}`, 'filename=/dev/null/x.xva');
  await s.run('vm-export', `uuid=${vmUuid(sim, 'PROD-ubuntu14')}`, 'filename=', 'compress=zstd');
  await s.run('vm-uninstall', `uuid=${vmUuid(sim, 'PROD-ubuntu14')}`, 'force=true');
  golden('xe-errors.txt', s.text);
});

test('xe connection options: -s -p -u -pw -pwf --nossl, ~/.xe, wrong password, nothing configured', async (t) => {
  const sim = await simulator(t);
  const dir = await scratch(t);
  const port = new URL(sim.url).port;
  const bare = { XE_EXTRA_ARGS: '' };
  let r = await xe(
    sim,
    [
      '-s',
      '127.0.0.1',
      '-p',
      port,
      '-u',
      'root',
      '-pw',
      'secret',
      '--nossl',
      'host-list',
      'name-label=xenserver1',
      '--minimal',
    ],
    bare,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${sim.state.get('host', sim.pool.master)!.uuid}\n`);
  await writeFile(join(dir, 'pw'), 'root\nsecret\n', { mode: 0o600 });
  r = await xe(
    sim,
    [
      'pool-list',
      'params=uuid',
      '--minimal',
      `server=127.0.0.1`,
      `port=${port}`,
      'nossl=true',
      `passwordfile=${join(dir, 'pw')}`,
    ],
    bare,
  );
  assert.equal(r.code, 0, r.stderr);
  await writeFile(join(dir, '.xe'), sim.xeConfigFile(), { mode: 0o600 });
  r = await xe(sim, ['vm-list', 'name-label=DEV-RH6', 'params=power-state'], { ...bare, HOME: dir });
  assert.equal(r.stdout, 'power-state ( RO)    : halted\n\n\n');
  r = await xe(sim, ['--minimal', 'host-list', 'name-label=xenserver2', '-pw', 'secret']);
  assert.equal(
    r.stdout,
    `${sim.state.get('host', sim.pool.hosts.get('xenserver2')!)!.uuid}\n`,
    'global flags before the command',
  );
  r = await xe(sim, ['vm-list', '-pw', 'wrong']);
  assert.deepEqual([r.code, r.stderr], [1, "Authentication failed\nFor usage run: 'xe help'\n"]);
  r = await xe(sim, ['vm-list'], bare);
  assert.deepEqual([r.code, r.stderr], [1, 'Unable to contact server. Please check server and port settings.\n']);
  r = await xe(sim, ['vm-list', '-s', '127.0.0.1', '-p', '1', '--nossl'], bare);
  assert.deepEqual([r.code, r.stderr], [1, 'Unable to contact server. Please check server and port settings.\n']);
});

test('xe over https accepts the self-signed certificate', async (t) => {
  const sim = await simulator(t, { https: true });
  const r = await xe(sim, ['host-list', 'params=name-label', '--minimal']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'xenserver1,xenserver2\n');
});

test('xe with hostile names: --minimal escaping and exact matches', async (t) => {
  const sim = await simulator(t, { fixture: join(FIXTURES, 'hostile.json') });
  const s = new Session(sim);
  await s.run('vm-list', 'is-control-domain=false', 'is-a-snapshot=false', 'params=name-label', '--minimal');
  for (const name of [
    `$(touch ${CANARY_PATH})`,
    'new\nline',
    'comma,name',
    '  leading spaces',
    'Ünïcødé-VM ✓ 日本',
    'back\\slash',
  ]) {
    await s.run('vm-list', `name-label=${name}`, 'params=name-label,power-state');
  }
  const snap = (await s.run('vm-snapshot', 'vm=`reboot`', 'new-name-label=RESTORE_`reboot`')).stdout.trim();
  // A fresh snapshot is still a template: vm-list hides it, snapshot-list shows it.
  await s.run('vm-list', `name-label=RESTORE_\`reboot\``, 'params=uuid', '--minimal');
  const listed = await s.run('snapshot-list', `name-label=RESTORE_\`reboot\``, 'params=uuid', '--minimal');
  assert.match(snap, /^[0-9a-f-]{36}$/);
  assert.equal(listed.stdout, `${snap}\n`);
  golden('xe-hostile.txt', s.text.replaceAll(CANARY_PATH, '{canary}')); // per-checkout path
});

test('xe vm-uninstall without force=true asks first', async (t) => {
  const sim = await simulator(t);
  const vm = vmUuid(sim, 'TEMP-scratch1');
  const run = (answer: string) =>
    new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(sim.xePath, ['vm-uninstall', `uuid=${vm}`], {
        env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...sim.xeEnv() },
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes("Type 'yes' to continue")) child.stdin.end(`${answer}\n`);
      });
      child.on('close', (code) => resolve({ code, stdout }));
    });
  const no = await run('no');
  assert.equal(no.code, 0);
  assert.ok(sim.state.findByUuid('VM', vm), 'not destroyed without yes');
  assert.ok(no.stdout.startsWith(`The following items are about to be destroyed\nVM : ${vm} (TEMP-scratch1)\n`));
  const yes = await run('yes');
  assert.equal(yes.code, 0);
  assert.ok(yes.stdout.endsWith("Type 'yes' to continue\nAll objects destroyed\n"));
  assert.equal(sim.state.findByUuid('VM', vm), undefined);
});

test('xe writes exported zeros as holes: same bytes, sparse file', async (t) => {
  const sim = await simulator(t, {
    fixture: { name: 'holes', vms: [{ name: 'sparse', power: 'Halted', disks: [{ size: '64MiB', used: 0 }] }] },
  });
  const dir = await scratch(t);
  const vm = sim.state.get('VM', sim.state.refByUuid('VM', vmUuid(sim, 'sparse')))!;
  const vdi = sim.state.get('VDI', sim.state.get('VBD', (vm.VBDs as string[])[0])!.VDI as string)!;
  const file = join(dir, 'scratch.raw');
  const r = await xe(sim, ['vdi-export', `uuid=${vdi.uuid}`, `filename=${file}`, 'format=raw']);
  assert.equal(r.code, 0, r.stderr);
  const info = await stat(file);
  assert.equal(info.size, Number(vdi.virtual_size));
  assert.ok(info.blocks * 512 < info.size / 10, 'mostly holes on disk');
  const head = (await readFile(file)).subarray(0, 1024 * 1024);
  assert.ok(
    head.some((b) => b !== 0),
    'the data chunk was written',
  );
});

test('xe into a closed pipe ends quietly', async (t) => {
  const sim = await simulator(t, { fixture: join(FIXTURES, 'large-5000.json') });
  const r = await new Promise<{ code: number | null; stderr: string; first: string }>((resolve) => {
    const child = spawn(sim.xePath, ['vm-list'], {
      env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...sim.xeEnv() },
    });
    let stderr = '';
    let first = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', (d: Buffer) => {
      first = d.toString().split('\n')[0];
      child.stdout.destroy();
    });
    child.on('close', (code) => resolve({ code, stderr, first }));
  });
  assert.match(r.first, /^uuid \( RO\)\s+: [0-9a-f-]{36}$/);
  assert.equal(r.stderr, '', 'no stack trace');
  assert.ok(r.code === 141 || r.code === 0, `exit status ${r.code}`);
});
