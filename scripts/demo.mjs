// `npm run demo`: starts the XenServer pool simulator with the demo fixture, previews and
// runs examples/demo.cfg with the bundled runner (dist/vmbackup.js) and the simulator's xe,
// writing into ./demo-backups, then shows the resulting tree and the status log.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// VMBACKUP_DEMO_OUT: another output folder (the test of this script uses a temp dir).
const out = process.env.VMBACKUP_DEMO_OUT ?? join(root, 'demo-backups');
const cli = join(root, 'dist', 'vmbackup.js');

register();
const { startSimulator } = await import(pathToFileURL(join(root, 'test', 'sim', 'index.ts')).href);

function banner(text) {
  console.log(`\n\x1b[1m== ${text} ==\x1b[0m`);
}

function run(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...env },
    });
    child.on('close', (code) => resolve(code ?? 2));
  });
}

function tree(dir, depth = 0) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const isDir = statSync(path).isDirectory();
    const size = isDir ? '' : `  (${statSync(path).size} bytes)`;
    console.log(`${'  '.repeat(depth)}${name}${isDir ? '/' : ''}${size}`);
    if (isDir) tree(path, depth + 1);
  }
}

if (!existsSync(cli)) {
  console.error('dist/vmbackup.js is missing: run `npm run build` first (npm run demo does).');
  process.exit(2);
}

// The demo writes only into ./demo-backups: a fresh one each time.
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'BACKUPS'), { recursive: true });
const source = readFileSync(join(root, 'examples', 'demo.cfg'), 'utf8');
const config = source
  .replace(/^backup_dir=.*$/m, `backup_dir=${join(out, 'BACKUPS')}`)
  .replace(/^status_log=.*$/m, `status_log=${join(out, 'status.log')}`);
const configPath = join(out, 'demo.cfg');
writeFileSync(configPath, config);

const sim = await startSimulator({ fixture: join(root, 'test', 'sim', 'fixtures', 'demo.json') });
let exitCode = 0;
try {
  const env = { VMBACKUP_PASSWORD: sim.password };
  const common = ['--xe', sim.xePath, '--xapi', sim.url];
  banner(`simulated pool at ${sim.url}; config ${relative(root, configPath)} (from examples/demo.cfg)`);

  banner('vmbackup demo.cfg preview');
  const previewCode = await run([...common, configPath, 'preview'], env);
  console.log(`(preview exit code ${previewCode})`);

  banner('vmbackup demo.cfg --concurrency 2');
  exitCode = await run([...common, '--concurrency', '2', configPath], env);
  console.log(`(backup exit code ${exitCode})`);

  banner(`backup tree: ${relative(root, out)}/BACKUPS`);
  tree(join(out, 'BACKUPS'));

  banner(`status log: ${relative(root, out)}/status.log`);
  process.stdout.write(
    existsSync(join(out, 'status.log')) ? readFileSync(join(out, 'status.log'), 'utf8') : '(none)\n',
  );
} finally {
  await sim.close();
}
process.exit(exitCode);
