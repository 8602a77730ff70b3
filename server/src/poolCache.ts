// The last inventory seen for a (url, user), kept on disk in the client's storage folder so
// that hovers still have VMs to show when the pool is unreachable (labelled as stale).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Inventory } from 'vmbackup-runner/pool/inventory';

interface CacheFile {
  format: 1;
  url: string;
  user: string;
  inventory: Inventory;
}

export class PoolCache {
  constructor(private readonly folder: string | undefined) {}

  private fileFor(url: string, user: string): string | undefined {
    if (!this.folder) return undefined;
    const key = createHash('sha256').update(`${url}\n${user}`).digest('hex').slice(0, 16);
    return join(this.folder, `pool-inventory-${key}.json`);
  }

  async load(url: string, user: string): Promise<Inventory | undefined> {
    const file = this.fileFor(url, user);
    if (!file) return undefined;
    try {
      const data = JSON.parse(await readFile(file, 'utf8')) as CacheFile;
      if (data.format !== 1 || data.url !== url || data.user !== user || !Array.isArray(data.inventory?.vms))
        return undefined;
      return { ...data.inventory, source: 'cache' };
    } catch {
      return undefined; // no cache yet, or a damaged one: behave as if there were none
    }
  }

  async save(url: string, user: string, inventory: Inventory): Promise<void> {
    const file = this.fileFor(url, user);
    if (!file || !this.folder) return;
    await mkdir(this.folder, { recursive: true });
    const data: CacheFile = { format: 1, url, user, inventory };
    // Write then rename, so a crash mid-write never leaves half a cache behind.
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(data), { mode: 0o600 });
    await rename(temporary, file);
  }
}
