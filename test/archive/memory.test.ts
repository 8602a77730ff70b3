// The check streams: checking a large export straight from the simulator's /export
// response holds no more than a few chunks, however large the disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { checkArchive } from '../../runner/src/archive/index';
import { startSimulator } from '../sim/index';
import { vmUuid } from './exports';

const DISK_MIB = 512;

test(`a ${DISK_MIB} MiB export is checked with memory growth far below its size`, async () => {
  const sim = await startSimulator({
    fixture: { name: 'big', vms: [{ name: 'big', power: 'Halted', disks: [{ size: `${DISK_MIB}MiB`, used: 1 }] }] },
  });
  try {
    const url = new URL('/export', sim.url);
    url.searchParams.set('uuid', vmUuid(sim, 'big'));
    const auth = Buffer.from(`root:${sim.password}`).toString('base64');
    const response = await fetch(url, { headers: { authorization: `Basic ${auth}` } });
    const body = Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const summary = await checkArchive(body, { kind: 'xva', compression: 'none' }).finally(() =>
      clearInterval(sampler),
    );
    peak = Math.max(peak, process.memoryUsage().rss);
    assert.equal(summary.xva!.disks[0]!.chunks, DISK_MIB);
    assert.ok(summary.fileBytes > DISK_MIB * 1024 * 1024);
    const growthMiB = (peak - baseline) / 1024 / 1024;
    console.log(
      `checked ${(summary.fileBytes / 1024 / 1024).toFixed(0)} MiB, ` +
        `resident memory grew by ${growthMiB.toFixed(1)} MiB`,
    );
    assert.ok(growthMiB < DISK_MIB / 4, `memory grew by ${growthMiB.toFixed(1)} MiB`);
  } finally {
    await sim.close();
  }
});
