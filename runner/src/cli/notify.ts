// After a backup run: the JSON report file (`report_file=`) and the summary mail (`mail_to=`
// and friends), both built from the run's event stream. They come after `run-end`, so their
// notes go to stderr in --json mode (stdout stays one run, ending with run-end).
import type { Settings } from '../config/types';
import type { Host } from '../host/types';
import { logTimestamp } from '../backup/events';
import { type RunReportCollector, renderRunReportText, writeRunReport } from '../notify/report';
import { mailConfigured, sendRunMail } from '../notify/mail';
import type { Io } from './output';

export async function deliverNotifications(
  collector: RunReportCollector,
  settings: Settings,
  host: Host,
  io: Io,
  json: boolean,
): Promise<'ok' | 'failed'> {
  const note = (message: string) => {
    if (json) io.stderr.write(`vmbackup: ${message}\n`);
    else io.stdout.write(`${logTimestamp(new Date())} - ${message}\n`);
  };
  const report = collector.report();
  if (!report) return 'ok';
  let result: 'ok' | 'failed' = 'ok';
  if (settings.reportFile) {
    try {
      await writeRunReport(host, settings.reportFile, report);
      note(`run report written: ${settings.reportFile}`);
    } catch (error) {
      note(`WARNING cannot write the run report ${settings.reportFile}: ${(error as Error).message}`);
      result = 'failed';
    }
  }
  if (mailConfigured(settings)) {
    const server = (await host.hostname()).split('.')[0] ?? 'vmbackup';
    const mail = await sendRunMail(
      settings,
      { outcome: report.outcome, hostname: server, body: renderRunReportText(report) },
      { log: note },
    );
    if (mail.sent) note(`summary mail sent to ${settings.mailTo}`);
    else {
      note(`WARNING summary mail not sent: ${mail.error ?? 'unknown reason'}`);
      result = 'failed';
    }
  }
  return result;
}
