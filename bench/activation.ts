// Extension activation time in a real VS Code (code-server), read from the extension host's log.
//   node --import tsx bench/activation.ts [runs=3]
// Packages dist/ as built by `npm run build` (not minified: an upper bound for the minified
// `npm run package` build, and no rebuild under other processes using dist/), installs the
// .vsix into a fresh code-server started with `--log trace`, opens a VmBackup config in
// Chromium once the workbench has settled and reads:
//   exthost log  `ExtensionService#_doActivateExtension vmbackup.vmbackup`   activation starts
//   exthost log  `ExtensionService#loadModule [esm] -> .../dist/extension.js` code loading starts
//   exthost log  `ExtensionService#_callActivateOptional vmbackup.vmbackup`   activate() called
//   VmBackup log `... activated: activate() took N ms`                        activate()'s own duration
//   VmBackup log `VmBackup language server started`                          server initialized
// Activation = (activate() called - activation started) + activate()'s duration; the VmBackup
// log's timestamps are taken when the log is flushed, so only its measured duration is used.
// Prints each run and the median. Target: activation < 300 ms (the server starts after it).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, ensureTools, packageVsix, ROOT, startCodeServer } from '../test/e2e/codeServer';
import { launchBrowser, Workbench } from '../test/e2e/workbench';

const runs = Number(process.argv[2] ?? 3);

/** `2026-11-21 22:11:42.034 [info] ...` -> epoch ms of that local time. */
function stamp(log: string, pattern: RegExp): number | undefined {
  for (const line of log.split('\n')) {
    if (!pattern.test(line)) continue;
    const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})/.exec(line);
    if (m) return new Date(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!).getTime();
  }
  return undefined;
}

function need(value: number | undefined, what: string): number {
  if (value === undefined) throw new Error(`not found in the logs: ${what}`);
  return value;
}

ensureTools();
ensureBuilt();
const vsix = packageVsix(join(ROOT, 'test-artifacts', 'bench', 'vmbackup.vsix'));

interface Sample {
  activation: number;
  codeLoading: number;
  activateCall: number;
  serverReady: number;
}
const samples: Sample[] = [];
const browser = await launchBrowser();
try {
  for (let i = 0; i < runs; i++) {
    const home = mkdtempSync(join(tmpdir(), 'vmbackup-bench-'));
    mkdirSync(join(home, 'VmBackup'));
    writeFileSync(join(home, 'VmBackup', 'weekly.cfg'), 'max_backups=4\nexclude=PROD-test.*\nvm-export=PROD.*:2\n');
    const codeServer = await startCodeServer({ workspace: home, vsix, logLevel: 'trace' });
    try {
      const wb = await Workbench.open(browser, codeServer.workspaceUrl);
      // Measure activation on a settled workbench (as when a user opens a config during the
      // day), not while the extension host is still busy starting the built-in extensions.
      const settled = Date.now() + 60_000;
      while (
        Date.now() < settled &&
        !codeServer.readLogs('remoteexthost.log').some((log) => log.includes('Eager extensions activated'))
      ) {
        await wb.page.waitForTimeout(200);
      }
      await wb.page.waitForTimeout(3000);
      await wb.openFile('weekly.cfg');
      const deadline = Date.now() + 60_000;
      let vmbackupLog = '';
      while (Date.now() < deadline && !vmbackupLog.includes('VmBackup language server started')) {
        await wb.page.waitForTimeout(200);
        vmbackupLog = codeServer.readLogs('VmBackup.log').join('\n');
      }
      await wb.page.close();
      const exthost =
        codeServer
          .readLogs('remoteexthost.log')
          .find((log) => log.includes('_doActivateExtension vmbackup.vmbackup')) ?? '';
      const start = need(
        stamp(exthost, /_doActivateExtension vmbackup\.vmbackup/),
        '_doActivateExtension vmbackup.vmbackup',
      );
      const load = need(
        stamp(exthost, /ExtensionService#loadModule .*vmbackup\.vmbackup.*extension\.js/),
        'loadModule dist/extension.js',
      );
      const call = need(
        stamp(exthost, /_callActivateOptional vmbackup\.vmbackup/),
        '_callActivateOptional vmbackup.vmbackup',
      );
      const activateMs = Number(/activate\(\) took ([\d.]+) ms/.exec(vmbackupLog)?.[1] ?? NaN);
      if (Number.isNaN(activateMs)) throw new Error('not found in the VmBackup log: activate() took N ms');
      const server = need(stamp(vmbackupLog, /VmBackup language server started/), 'VmBackup language server started');
      const sample = {
        activation: Math.round(call - start + activateMs),
        codeLoading: call - load,
        activateCall: activateMs,
        serverReady: server - start,
      };
      samples.push(sample);
      console.log(
        `run ${i + 1}: activation ${sample.activation} ms ` +
          `(loading code + extension context ${sample.codeLoading} ms, activate() ${sample.activateCall} ms); ` +
          `language server ready ${sample.serverReady} ms after activation started (log flush time, an upper bound)`,
      );
    } finally {
      await codeServer.close();
      rmSync(home, { recursive: true, force: true });
    }
  }
} finally {
  await browser.close();
}

const load = loadavg()
  .map((l) => l.toFixed(1))
  .join(' ');
console.log(`machine: ${cpus().length} CPUs, load average ${load} (other work on the machine inflates every figure)`);
const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const activation = median(samples.map((s) => s.activation));
console.log(
  `activation (median of ${samples.length}, from the extension host log): ${activation} ms — target < 300 ms: ` +
    `${activation < 300 ? 'met' : 'NOT met'}`,
);
console.log(`language server ready (median): ${median(samples.map((s) => s.serverReady))} ms after activation started`);
