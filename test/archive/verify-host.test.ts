// backup/verify.ts: the export file read through a real local Host into the archive check,
// and the run's cancellation stopping a long check at the next piece read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyXva } from '../../runner/src/backup/verify';
import { createLocalHost } from '../../runner/src/host/local';
import { ArchiveDamage } from '../../runner/src/archive/index';
import type { Simulator } from '../sim/index';
import { download, startExportPool, vmUuid } from './exports';

let sim: Simulator;
let xva: Buffer;
let dir: string;
before(async () => {
  sim = await startExportPool();
  xva = await download(sim, '/export', { uuid: vmUuid(sim, 'mixed') });
  dir = mkdtempSync(join(tmpdir(), 'vmbackup-verify-'));
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await sim.close();
});

test('verifyXva reads the file through the host and says what it proved', async () => {
  const file = join(dir, 'good.xva');
  writeFileSync(file, xva);
  const line = await verifyXva(createLocalHost(), file, 'none');
  assert.equal(line, `complete archive: 13 tar entries, 2 disks, 6 chunk checksums verified, ${xva.length} bytes`);
  writeFileSync(join(dir, 'cut.xva'), xva.subarray(0, xva.length - 1024));
  await assert.rejects(verifyXva(createLocalHost(), join(dir, 'cut.xva'), 'none'), ArchiveDamage);
});

test('a cancelled run stops the check at the next piece, not at the end of the file', async () => {
  const fifo = join(dir, 'slow.xva');
  execFileSync('mkfifo', [fifo]);
  const controller = new AbortController();
  const outcome = verifyXva(createLocalHost(), fifo, 'none', { signal: controller.signal }).then(
    () => new Error('the check resolved'),
    (error: Error) => error,
  );
  const writer = await open(fifo, 'w'); // in the thread pool: the check opens the other end meanwhile
  await writer.write(xva.subarray(0, 2 * 1024 * 1024));
  controller.abort();
  // one more piece (the reader may already be gone: EPIPE), then the end of a cut file: without
  // the cancellation the check would fail on the cut archive instead
  await writer.write(xva.subarray(2 * 1024 * 1024, 3 * 1024 * 1024)).catch(() => undefined);
  await writer.close();
  assert.equal((await outcome).name, 'AbortError');
  const aborted = AbortSignal.abort();
  await assert.rejects(verifyXva(createLocalHost(), join(dir, 'missing.xva'), 'none', { signal: aborted }), {
    name: 'AbortError',
  });
});
