import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the worker process is asked to do (passed as JSON in its first argument). */
export interface WorkerRun {
  /** `drain`: run `jobs` queued jobs and report; `idle`: start, sit idle for `idleMs`, report. */
  mode: 'drain' | 'idle';
  url: string;
  jobs: number;
  /** Enqueue the jobs in this process first, untimed (a memory store cannot be shared). */
  produce: boolean;
  concurrency: number;
  idleMs: number;
  /** Write a V8 CPU profile of the timed (drain) or idle window to this file. */
  profileFile?: string;
}

/** What it reports on stdout, as one JSON line. */
export interface WorkerReport {
  /** From worker.start() to the last `succeeded` event (drain), or the idle window. */
  elapsedMs: number;
  /** CPU time in that window. */
  cpuMs: number;
  /** The process's peak resident set, in kilobytes (process.resourceUsage().maxRSS). */
  maxRssKb: number;
  /** Jobs in state succeeded afterwards, as the store counts them. */
  succeeded: number;
  failed: number;
}

const WORKER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker-process.ts');

/** Runs bench/worker-process.ts in a new node process and returns its report. */
export function runWorkerProcess(run: WorkerRun, options: { timeoutMs: number }): Promise<WorkerReport> {
  const args = ['--conditions=errand-source', '--import', 'tsx', WORKER_SCRIPT, JSON.stringify(run)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `the worker process did not finish within ${options.timeoutMs} ms (${JSON.stringify(run)})`,
        ),
      );
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(
          new Error(`the worker process exited with ${signal ?? code} and printed ${JSON.stringify(stdout)}`),
        );
        return;
      }
      resolve(JSON.parse(last) as WorkerReport);
    });
  });
}
