// What both end-to-end suites start from and tear down: the tools, a fresh build, their own
// .vsix, the simulator's demo pool and a throw-away home folder; then code-server and Chromium.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startSimulator, type Simulator } from '../sim/index';
import { ensureBuilt, ensureTools, packageVsix, ROOT, type CodeServer } from './codeServer';

export interface E2eBase {
  sim: Simulator;
  vsix: string;
  home: string;
}

export async function prepareE2e(homePrefix: string): Promise<E2eBase> {
  ensureTools();
  ensureBuilt();
  const vsix = packageVsix();
  const sim = await startSimulator({ fixture: join(ROOT, 'test', 'sim', 'fixtures', 'demo.json') });
  const home = mkdtempSync(join(tmpdir(), homePrefix));
  return { sim, vsix, home };
}

/** Stops whatever was started (any part may be missing when `before` failed half-way). */
export async function teardownE2e(
  parts: Partial<E2eBase> & { browser?: Browser; codeServer?: CodeServer },
): Promise<void> {
  await parts.browser?.close();
  await parts.codeServer?.close();
  await parts.sim?.close();
  if (parts.home) rmSync(parts.home, { recursive: true, force: true });
  if (parts.vsix) rmSync(dirname(parts.vsix), { recursive: true, force: true });
}
