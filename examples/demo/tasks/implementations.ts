/**
 * The worker's side of the demo's tasks: each declared task gets its handler, and the schedules
 * are declared here, because only workers fire them. `worker.ts` runs this app; so would
 * `errand worker examples/demo/tasks/implementations.ts`.
 */
import { config } from '../config.ts';
import { app, cleanUpExports, exportCsv, sendEmail, sweepPartialExports } from './declarations.ts';
import { cleanUpExportsHandler, sweepPartialExportsHandler } from './export-cleanup.ts';
import { exportCsvHandler } from './export-csv.ts';
import { sendEmailHandler } from './send-email.ts';

if (config.smtpPort === 0) {
  throw new Error('DEMO_SMTP_PORT must be the port of the mail server (`npm start` runs one and sets it)');
}
app.implement(sendEmail, sendEmailHandler({ host: '127.0.0.1', port: config.smtpPort }));
app.implement(
  exportCsv,
  exportCsvHandler({ exportsDir: config.exportsDir, rowsPerSecond: config.exportRowsPerSecond }),
);
app.implement(cleanUpExports, cleanUpExportsHandler(config.exportsDir));
app.implement(sweepPartialExports, sweepPartialExportsHandler(config.exportsDir));

/** When nobody is looking: finished exports older than a day go. */
app.schedule('nightly-export-clean-up', { cron: '0 3 * * *' }, cleanUpExports, { olderThanHours: 24 });
/** Often enough to watch it run in the demo. */
app.schedule('sweep-partial-exports', { every: '1m' }, sweepPartialExports, { idleMinutes: 10 });

export default app;
