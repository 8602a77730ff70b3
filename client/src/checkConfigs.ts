// VmBackup: Check All VmBackup Configs. The language server scans the workspace for VmBackup
// configs (open or not) and publishes their diagnostics, so the Problems panel lists every
// problem of every config; this command starts it and sums up what was found.
import * as vscode from 'vscode';
import { Methods, type CheckConfigsResult } from '../../server/src/protocol';
import type { LanguageServer } from './languageServer';
import { summariseCheck } from './checkSummary';

export async function checkAllConfigs(
  server: LanguageServer,
  log: vscode.LogOutputChannel,
): Promise<CheckConfigsResult | undefined> {
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'VmBackup: checking every config in the workspace…' },
    async () => {
      const client = await server.ensureStarted();
      return client.sendRequest<CheckConfigsResult>(Methods.checkConfigs, {});
    },
  );
  const summary = summariseCheck(result);
  log.info(summary.text);
  for (const config of result.configs)
    log.info(`  ${config.uri}: ${config.errors} errors, ${config.warnings} warnings`);
  const problems = 'Show Problems';
  const show = summary.severity === 'info' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  const choice = await show(`VmBackup: ${summary.text}`, ...(summary.problems ? [problems] : []));
  if (choice === problems) await vscode.commands.executeCommand('workbench.actions.view.problems');
  return result;
}
