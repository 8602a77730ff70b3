// Drives the VS Code workbench in Chromium (playwright-core, Debian's /usr/bin/chromium) the way
// a person does: quick open, the command palette, the status bar, the Problems panel, hovers,
// the light bulb, the output panel, notifications and dialogs. Screenshots are the evidence.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { ARTIFACTS, CHROMIUM, ROOT } from './codeServer';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export class Workbench {
  constructor(readonly page: Page) {}

  static async open(browser: Browser, url: string): Promise<Workbench> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    // The explorer shows the folder once the workbench has restored itself.
    await page.locator('.explorer-folders-view').waitFor({ timeout: 60_000 });
    return new Workbench(page);
  }

  /**
   * Saves a screenshot in test-artifacts/e2e/; `publish` also writes it to images/screenshots/,
   * where the README, the walkthrough and the docs show it (so they always show the UI as tested).
   */
  async screenshot(name: string, options: { publish?: boolean } = {}): Promise<string> {
    mkdirSync(ARTIFACTS, { recursive: true });
    const path = join(ARTIFACTS, `${name}.png`);
    await this.page.screenshot({ path });
    if (options.publish) copyFileSync(path, join(ROOT, 'images', 'screenshots', `${name}.png`));
    return path;
  }

  /** Opens a workspace file through Quick Open (Ctrl+P). */
  async openFile(name: string): Promise<void> {
    await this.quickInput('Control+P', name, name);
    await this.page.locator(`.tab.active[aria-label^="${name}"]`).waitFor({ timeout: 20_000 });
    await this.page.locator('.editor-instance .view-lines').first().waitFor();
  }

  /** Runs a command by its palette title (F1). */
  async runCommand(title: string): Promise<void> {
    await this.quickInput('F1', title, title);
  }

  private async quickInput(key: string, text: string, pick: string): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    // On a loaded machine the first key press can land before the workbench takes focus, or
    // the list can be slow to fill: try again before giving up.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.page.keyboard.press('Escape');
        await this.page.keyboard.press(key);
        const input = widget.locator('input.input');
        await input.waitFor({ state: 'visible', timeout: 10_000 });
        await input.fill(key === 'F1' ? `>${text}` : text);
        const row = widget.locator('.quick-input-list .monaco-list-row', { hasText: pick }).first();
        await row.waitFor({ timeout: 20_000 });
        await row.click();
        return;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  }

  /** Answers a quick input box (e.g. a password prompt) with text + Enter. */
  async answerInputBox(promptText: RegExp, answer: string): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    await widget
      .locator('.quick-input-message, .quick-input-title', { hasText: promptText })
      .first()
      .waitFor({ timeout: 20_000 });
    await widget.locator('input.input').fill(answer);
    await this.page.keyboard.press('Enter');
    await widget.waitFor({ state: 'hidden' });
  }

  /** Polls until the attribute of the element matches (the workbench updates asynchronously). */
  async waitForAttribute(locator: Locator, name: string, pattern: RegExp, timeout = 30_000): Promise<string> {
    const deadline = Date.now() + timeout;
    let value = '';
    while (Date.now() < deadline) {
      value = (await locator.getAttribute(name).catch(() => null)) ?? '';
      if (pattern.test(value)) return value;
      await this.page.waitForTimeout(250);
    }
    throw new Error(`${name} never matched ${pattern}; last value: ${value}`);
  }

  statusBarItem(id: string): Locator {
    return this.page.locator(`.statusbar-item[id="${id}"]`);
  }

  async languageMode(): Promise<string> {
    return (await this.statusBarItem('status.editor.mode').innerText()).trim();
  }

  /** The rendered text of editor line `n` (1-based), as the view shows it. */
  editorLine(n: number): Locator {
    return this.page.locator('.editor-instance .view-lines .view-line').nth(n - 1);
  }

  /** Colors of the tokens of a rendered line, keyed by token text. */
  async tokenColors(n: number): Promise<Array<{ text: string; color: string }>> {
    return this.editorLine(n)
      .locator('span > span')
      .evaluateAll((spans) => {
        // Runs in the page: the DOM's getComputedStyle, typed here without the DOM library.
        const view = globalThis as unknown as { getComputedStyle(element: unknown): { color: string } };
        return spans.map((s) => ({ text: s.textContent ?? '', color: view.getComputedStyle(s).color }));
      });
  }

  /** Puts the cursor at line/column (1-based) with Go to Line (Ctrl+G). */
  async goTo(line: number, column: number): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
  }

  /** Hovers the rendered text `text` on line `n` and returns the hover widget. */
  async hover(n: number, text: string): Promise<Locator> {
    const target = this.editorLine(n).locator('span > span', { hasText: text }).first();
    const hover = this.page.locator('.monaco-hover:not(.hidden) .monaco-hover-content').first();
    for (let attempt = 1; ; attempt++) {
      // A hover needs a real mouse move onto the token: start from elsewhere each time.
      await this.page.mouse.move(5, 5);
      await target.hover();
      if (
        await hover.waitFor({ state: 'visible', timeout: 7_000 }).then(
          () => true,
          () => false,
        )
      )
        return hover;
      // The keyboard way (Show or Focus Hover, Ctrl+K Ctrl+I) with the cursor on the token.
      await target.click();
      await this.page.keyboard.press('Control+K');
      await this.page.keyboard.press('Control+I');
      if (
        await hover.waitFor({ state: 'visible', timeout: 7_000 }).then(
          () => true,
          () => false,
        )
      )
        return hover;
      if (attempt >= 3) throw new Error(`no hover appeared over "${text}" on line ${n}`);
    }
  }

  /** Clicks the token `text` on line `n` (puts the cursor there, focuses the editor), then opens Quick Fix (Ctrl+.). */
  async openQuickFix(n: number, text: string): Promise<Locator> {
    await this.editorLine(n).locator('span > span', { hasText: text }).first().click();
    const menu = this.page.locator('.action-widget').first();
    for (let attempt = 0; attempt < 8; attempt++) {
      await this.page.keyboard.press('Control+.');
      if (
        await menu.waitFor({ state: 'visible', timeout: 3000 }).then(
          () => true,
          () => false,
        )
      )
        return menu;
    }
    throw new Error('the Quick Fix menu did not open');
  }

  async openProblems(): Promise<Locator> {
    await this.runCommand('View: Focus Problems');
    const panel = this.page.locator('.markers-panel');
    await panel.waitFor({ state: 'visible' });
    return panel;
  }

  /** The text of the output panel's visible lines (the view is virtualised). */
  async outputText(): Promise<string> {
    const lines = this.page.locator('.panel .output-view .view-lines .view-line');
    return (await lines.allInnerTexts()).join('\n').replace(/\u00a0/g, ' ');
  }

  notification(text: RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  }

  dialog(): Locator {
    return this.page.locator('.monaco-dialog-box');
  }

  /** The quick input (palette, pickers, input boxes) while it is open. */
  quickInputWidget(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Picks a row of the open quick pick by its text. */
  async pick(text: string | RegExp): Promise<void> {
    const row = this.quickInputWidget().locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
    await row.waitFor({ timeout: 20_000 });
    await row.click();
  }

  /** The text of the active terminal (the DOM renderer keeps it readable). */
  terminalText(): Locator {
    return this.page.locator('.terminal-wrapper.active .xterm-rows, .terminal-wrapper .xterm-rows').last();
  }
}
