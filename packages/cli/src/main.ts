/**
 * The `errand` command's entry point. In this repository:
 *   node --conditions=errand-source --import tsx packages/cli/src/main.ts <command> ...
 * Installed, bin/errand.js loads it (and tsx, for the user's TypeScript modules).
 */
import { run } from './program.ts';

const code = await run(process.argv);
// Exit explicitly, once our output is flushed: a user's module may hold
// connections or timers that would otherwise keep the process alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
