// The extension's details page in a real VS Code (code-server): the README the page shows is
// the one inside the installed .vsix, rendered in a webview whose sanitizer keeps only http(s)
// image sources and whose Content-Security-Policy allows only `https:` and `data:` images, with
// no base URL: a relative image path (`images/screenshots/x.png`) is a broken image there
// (defect 8 of issue 12). Every image the page shows must have loaded, the screenshots'
// captions must be there instead, and the page must open with what a user needs, not with
// developer set-up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Frame } from 'playwright-core';
import type { Simulator } from '../sim/index';
import { startCodeServer, type CodeServer } from './codeServer';
import { prepareE2e, teardownE2e } from './environment';
import { launchBrowser, Workbench } from './workbench';

let sim: Simulator;
let codeServer: CodeServer;
let browser: Browser;
let wb: Workbench;
let home: string;
let vsix: string;

before(async () => {
  ({ sim, vsix, home } = await prepareE2e('vmbackup-e2e-page-'));
  const workspace = join(home, 'workspace');
  mkdirSync(workspace, { recursive: true });
  writeFileSync(join(workspace, 'notes.txt'), 'a workspace\n');
  codeServer = await startCodeServer({ workspace, vsix });
  browser = await launchBrowser();
  wb = await Workbench.open(browser, codeServer.workspaceUrl);
});

after(() => teardownE2e({ browser, codeServer, sim, home, vsix }));

/** The webview frame that renders the README (the inner frame holding the markdown body). */
async function readmeFrame(): Promise<Frame> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const frame of wb.page.frames()) {
      const heading = await frame
        .locator('h2', { hasText: 'In VS Code' })
        .count()
        .catch(() => 0);
      if (heading > 0) return frame;
    }
    await wb.page.waitForEvent('framenavigated', { timeout: 5_000 }).catch(() => undefined);
  }
  throw new Error('no webview frame shows the README');
}

test('the details page of the installed extension shows the README with every image loaded', {
  timeout: 180_000,
}, async () => {
  await wb.runCommand('Extensions: Show Installed Extensions');
  const row = wb.page.locator('.extensions-viewlet .monaco-list-row', { hasText: 'VmBackup (NAUbackup)' }).first();
  await row.waitFor({ timeout: 60_000 });
  await row.click();
  await wb.page.locator('.extension-editor .header .name', { hasText: 'VmBackup (NAUbackup)' }).waitFor();
  const frame = await readmeFrame();
  // Every <img> has finished (loaded or failed) before it is judged: `complete` is the signal.
  await frame.waitForFunction('[...document.images].every((img) => img.complete)', undefined, { timeout: 30_000 });
  const images = await frame.locator('img').evaluateAll((nodes) =>
    // Runs in the page: HTMLImageElement, typed here without the DOM library.
    (nodes as unknown as { naturalWidth: number; alt: string; getAttribute(name: string): string | null }[]).map(
      (img) => ({ src: img.getAttribute('src'), width: img.naturalWidth, alt: img.alt }),
    ),
  );
  const broken = images.filter((img) => !(img.width > 0));
  assert.deepEqual(broken, [], JSON.stringify(images));
  // The screenshots the README shows on GitHub-style viewers are named by their captions here.
  const text = await frame.locator('body').innerText();
  for (const caption of ['A typo in a key in the Problems panel', 'The pool coverage view'])
    assert.ok(text.includes(`Screenshot: ${caption}`), caption);
  // The page opens with what a user needs; developer set-up comes after the runner's use.
  const headings = await frame.locator('h2').allInnerTexts();
  assert.equal(headings[0], 'In VS Code');
  const setup = text.indexOf('npm install && npm run demo');
  assert.ok(setup > text.indexOf('The runner from cron'), 'developer set-up comes last');
  // The evidence shows the page where the first screenshot stood: its caption, no broken image.
  await frame.locator('em', { hasText: 'Screenshot: A typo in a key in the Problems panel' }).scrollIntoViewIfNeeded();
  await wb.screenshot('25-extension-page-readme', { publish: true });
});
