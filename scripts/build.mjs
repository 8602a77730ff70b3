// Bundles the three deliverables with esbuild. Everything is emitted as CommonJS into dist/
// (VS Code loads extensions with require(); the runner must run from cron with no
// node_modules), and dist/package.json marks the folder as CommonJS because the repository
// root is an ES module package.
import * as esbuild from 'esbuild';
import { mkdirSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

mkdirSync(dist, { recursive: true });
writeFileSync(join(dist, 'package.json'), '{ "type": "commonjs" }\n');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  define: { __VMBACKUP_VERSION__: JSON.stringify(version) },
  // import.meta.url is used by some ESM dependencies; give them a CommonJS equivalent.
  banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  inject: [],
};

const bundles = [
  { entryPoints: [join(root, 'client/src/extension.ts')], outfile: join(dist, 'extension.js'), external: ['vscode'] },
  // The language client is loaded on demand by the extension (keeps activation small).
  {
    entryPoints: [join(root, 'client/src/languageClient.ts')],
    outfile: join(dist, 'languageClient.js'),
    external: ['vscode'],
  },
  // Reading files over the runner's ssh transport, loaded on the first remote read.
  {
    entryPoints: [join(root, 'client/src/remoteFiles.ts')],
    outfile: join(dist, 'remoteFiles.js'),
    external: ['vscode'],
  },
  { entryPoints: [join(root, 'server/src/main.ts')], outfile: join(dist, 'server.js') },
  {
    entryPoints: [join(root, 'runner/src/cli.ts')],
    outfile: join(dist, 'vmbackup.js'),
    banner: { js: '#!/usr/bin/env node\n' + common.banner.js },
  },
];

for (const b of bundles) {
  const options = { ...common, ...b, define: { ...common.define, 'import.meta.url': '__importMetaUrl' } };
  if (watch) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  } else {
    await esbuild.build(options);
  }
}
chmodSync(join(dist, 'vmbackup.js'), 0o755);
if (!watch) console.log(`built dist/*.js (extension, languageClient, remoteFiles, server, vmbackup) v${version}`);
