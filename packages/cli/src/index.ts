/** The `errand` command as a library: build the program to embed it, or run it on an argv. */
export { buildProgram, run } from './program.ts';
export { CliError } from './cli-error.ts';
export { loadApp } from './load-app.ts';
