/** Pieces every command uses: the --app option and the examples under its help. */
import { Option } from 'commander';

/** `--app <module>` for commands that otherwise work from ERRAND_URL alone. */
export function appOption(): Option {
  return new Option(
    '--app <module>',
    'use the backend of the app this module exports (default: ERRAND_URL, else sqlite:./errand.db)',
  );
}

/** The "Examples:" block shown after a command's help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}
