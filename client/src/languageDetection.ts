// Switches `.cfg` documents to `vmbackup` when their content clearly is a VmBackup config
// (see detect.ts for the rule). The manifest's filenamePatterns handle the usual places; this
// covers e.g. /etc/vmbackup/weekly.cfg; a file that only looks close is offered instead
// (Open as VmBackup config). It never touches a document whose language the user
// chose: one named in `files.associations`, or one whose language was changed while it was
// open (VS Code reports a language change as close + open of the same document, which is
// how a manual "Change Language Mode" is recognised); such documents are remembered.
import * as vscode from 'vscode';
import { DEFAULT_CFG_LANGUAGES, detectVmBackupConfig, isCfgPath, userAssociation, type Detection } from './detect';

/** The button and command title that opens a `.cfg` as a VmBackup config. */
export const OPEN_AS_VMBACKUP = 'Open as VmBackup config';

const CHOSEN_KEY = 'vmbackup.languageChosenByUser';

export class LanguageDetection implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** URIs whose language the user picked; persisted per workspace. */
  private readonly chosenByUser: Set<string>;
  /** Documents closed in the current tick: an open of the same URI right after is a language change. */
  private readonly justClosed = new Map<string, string>();
  /** Documents already offered to open as vmbackup in this session. */
  private readonly offered = new Set<string>();
  /** URIs this extension is switching right now (their close + open is ours, not the user's). */
  private readonly switching = new Set<string>();

  constructor(
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.chosenByUser = new Set(state.get<string[]>(CHOSEN_KEY, []));
    this.disposables.push(
      vscode.workspace.onDidCloseTextDocument((doc) => {
        const key = doc.uri.toString();
        this.justClosed.set(key, doc.languageId);
        setImmediate(() => this.justClosed.delete(key));
      }),
      vscode.workspace.onDidOpenTextDocument((doc) => this.onOpen(doc)),
      vscode.workspace.onDidSaveTextDocument((doc) => this.consider(doc, 'save')),
    );
    // Documents already open when the extension activated: checked right after activation.
    setImmediate(() => {
      for (const doc of vscode.workspace.textDocuments) this.consider(doc, 'open');
    });
  }

  private onOpen(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    const previous = this.justClosed.get(key);
    if (previous !== undefined && previous !== doc.languageId) {
      this.justClosed.delete(key);
      if (this.switching.delete(key)) return;
      // Someone else changed the language of an open document: the user, via the language
      // picker (or another extension acting for them). Respect it from now on.
      this.rememberChoice(key);
      // Logged at info level: it says why the file is not switched back (and tests wait for it).
      this.log.info(`language of ${doc.uri.fsPath} set to ${doc.languageId} by the user; detection leaves it alone`);
      return;
    }
    this.consider(doc, 'open');
  }

  private rememberChoice(key: string): void {
    if (this.chosenByUser.has(key)) return;
    this.chosenByUser.add(key);
    void this.state.update(CHOSEN_KEY, [...this.chosenByUser].slice(-500));
  }

  private consider(doc: vscode.TextDocument, reason: 'open' | 'save'): void {
    if (doc.languageId === 'vmbackup' || !DEFAULT_CFG_LANGUAGES.has(doc.languageId)) return;
    if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'vscode-remote') return;
    if (!isCfgPath(doc.uri.path)) return;
    const config = vscode.workspace.getConfiguration('vmbackup', doc.uri);
    if (!config.get<boolean>('detectLanguage', true)) return;
    const key = doc.uri.toString();
    if (this.chosenByUser.has(key)) return;
    const associations = vscode.workspace
      .getConfiguration('files', doc.uri)
      .get<Record<string, unknown>>('associations');
    if (userAssociation(doc.uri.fsPath, associations) !== undefined) return;
    const detection = detectVmBackupConfig(doc.getText());
    if (detection.verdict === 'close') return this.offer(doc, detection);
    if (detection.verdict !== 'clear') {
      this.log.info(`${doc.uri.fsPath} is not a VmBackup config (on ${reason}): it stays ${doc.languageId}`);
      return;
    }
    const typos = detection.nearMisses.map((m) => `'${m.key}' (line ${m.line})`).join(', ');
    this.log.info(
      `${doc.uri.fsPath} looks like a VmBackup config (on ${reason}${typos ? `; near-miss keys ${typos}` : ''}): ` +
        'opening it as vmbackup',
    );
    this.switchLanguage(doc);
  }

  private switchLanguage(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    this.switching.add(key);
    vscode.languages.setTextDocumentLanguage(doc, 'vmbackup').then(
      () => setImmediate(() => this.switching.delete(key)),
      (err: unknown) => {
        this.switching.delete(key);
        this.log.warn(`could not switch ${doc.uri.fsPath} to vmbackup: ${String(err)}`);
      },
    );
  }

  /**
   * A `.cfg` that looks close to a VmBackup config (mostly VmBackup lines, some others): asked
   * once per session; "Not This File" is remembered like a language the user picked.
   */
  private offer(doc: vscode.TextDocument, detection: Detection): void {
    const key = doc.uri.toString();
    if (this.offered.has(key)) return;
    this.offered.add(key);
    const name = doc.uri.path.slice(doc.uri.path.lastIndexOf('/') + 1);
    const typo = detection.nearMisses[0];
    const hint = typo ? ` ('${typo.key}' on line ${typo.line}: did you mean '${typo.suggestion}'?)` : '';
    const open = OPEN_AS_VMBACKUP;
    const never = 'Not This File';
    void vscode.window
      .showInformationMessage(`${name} looks like a VmBackup config${hint}. Open it as one to check it?`, open, never)
      .then((choice) => {
        if (choice === open && !doc.isClosed) this.switchLanguage(doc);
        if (choice === never) this.rememberChoice(key);
      });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
