/**
 * Summarises a CPU profile (`npm run bench -- --profile` writes one per target's c=100 worker): where
 * the time went, by area (errand's core, each backend, each npm package such as pg, ioredis or a
 * peer, node, GC, idle) and by function, self and inclusive.
 *
 *   node --import tsx bench/profile-summary.ts .tmp/bench-profiles/postgres-c100-run1.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

// `… | head` closes the pipe early: stop quietly then.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});
const file = positionals[0];
if (!file) throw new TypeError('usage: profile-summary.ts <file.cpuprofile> [--top N]');
const top = Number(values.top);
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

/** Microseconds of samples landing in each node (its self time). */
const selfUs = new Map<number, number>();
profile.samples.forEach((id, index) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
});
const totalUs = profile.endTime - profile.startTime;

function area(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : 'native (V8 builtins, better-sqlite3)';
  if (url.includes('/packages/core/src/')) return `core ${url.split('/packages/core/src/')[1]}`;
  for (const backend of ['sqlite', 'postgres', 'redis']) {
    const folder = `/packages/${backend}/src/`;
    if (url.includes(folder)) return `${backend} ${url.split(folder)[1]}`;
  }
  if (url.includes('/node_modules/')) return `npm ${url.split('/node_modules/').at(-1)!.split('/')[0]}`;
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('/bench/')) return `bench ${url.split('/bench/')[1]}`;
  return url;
}

function label(frame: ProfileNode['callFrame']): string {
  const where =
    frame.url === '' ? '' : ` ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
  return `${frame.functionName || '(anonymous)'}${where}`;
}

const selfByArea = new Map<string, number>();
const selfByFunction = new Map<string, number>();
const inclusiveByFunction = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  selfByArea.set(area(node.callFrame), (selfByArea.get(area(node.callFrame)) ?? 0) + us);
  selfByFunction.set(label(node.callFrame), (selfByFunction.get(label(node.callFrame)) ?? 0) + us);
  // Inclusive: every distinct function on the sample's stack gets the time once.
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const name = label(byId.get(at)!.callFrame);
    if (seen.has(name)) continue;
    seen.add(name);
    inclusiveByFunction.set(name, (inclusiveByFunction.get(name) ?? 0) + us);
  }
}

const print = (title: string, entries: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `${(us / 1_000).toFixed(0).padStart(8)} ms ${((100 * us) / totalUs).toFixed(1).padStart(5)} %  ${name}`,
    );
  }
};
console.log(`${file}: ${(totalUs / 1_000).toFixed(0)} ms profiled`);
print('Self time by area', selfByArea);
print('Self time by function', selfByFunction);
print('Inclusive time by function', inclusiveByFunction);
