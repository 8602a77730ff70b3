// Waiting for a task the HTTP handler adopted (task_id=): the handler marks it done after the
// transfer, so a short, bounded poll follows the end of the stream. Shared by downloads
// (xapi-xe.ts) and uploads (xapi-xe-restore.ts).
import type { PoolClient, XapiRecord } from '../pool/xapi';

const UNSETTLED = new Set(['pending', 'cancelling']);

/**
 * The task's record once it is no longer pending (success, failure or cancelled), or
 * undefined when `waitMs` passed first. Polls 10 ms apart, doubling up to 500 ms.
 */
export async function settledTask(pool: PoolClient, task: string, waitMs: number): Promise<XapiRecord | undefined> {
  const deadline = Date.now() + waitMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 500)) {
    const record = await pool.call<XapiRecord>('task.get_record', task);
    if (!UNSETTLED.has(String(record.status))) return record;
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
