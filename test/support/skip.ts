/**
 * What a test does when something it needs is missing (a server, the browser, a build): under
 * CI=true it fails the run, since CI must have everything; elsewhere it skips, loudly. Returns the
 * reason to pass as `skip` to describe()/it().
 */
export function skipOrFailInCi(what: string, reason: string, fix: string): string {
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}${fix}`);
  process.stderr.write(`\n!!! SKIPPING ${what}: ${reason}\n\n`);
  return `SKIPPED: ${reason}`;
}
