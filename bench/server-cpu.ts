import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds used so far by every process of a server on this machine (`postgres`, whose backends
 * are one process per connection, or `redis-server`), read from /proc. The bench runs next to its
 * servers, so the difference over a drain is what the drain cost the server, plus whatever else used
 * the server meanwhile (other test suites on a shared machine: take the median). Linux only; NaN
 * elsewhere.
 */
export function serverCpuSeconds(command: 'postgres' | 'redis-server'): number {
  let ticks = 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return NaN;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid … utime(14) stime(15): comm may hold spaces, so split after its ')'.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm !== command) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended while we read.
    }
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}
