import type { Logger } from '../app/task.ts';
import { encodeJson } from '../jobs/json-payload.ts';
import type { Backend } from '../storage/backend.ts';

/** A progress report is for a progress bar, not a payload. */
const MAX_PROGRESS_BYTES = 64 * 1024;

/**
 * Writes a job's progress at most once per `intervalMs`: a handler may report
 * on every row of a million-row export, and the store sees a few writes a
 * second, always ending with the latest value.
 */
export class ProgressReporter {
  #latest: string | null = null;
  #lastWriteAt = -Infinity;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly backend: Backend,
    private readonly jobId: string,
    private readonly leaseToken: string,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  report(value: unknown): void {
    this.#latest = encodeJson(value, 'progress', { maxBytes: MAX_PROGRESS_BYTES });
    if (this.#timer) return;
    const wait = this.#lastWriteAt + this.intervalMs - performance.now();
    if (wait <= 0) this.#write();
    else this.#timer = setTimeout(() => this.#write(), wait);
  }

  /** Writes a report still waiting for its turn; called when the attempt ends. */
  flush(): void {
    if (this.#timer) this.#write();
  }

  #write(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const text = this.#latest;
    if (text === null) return;
    this.#latest = null;
    this.#lastWriteAt = performance.now();
    this.backend.recordProgress(this.jobId, this.leaseToken, text).catch((error: unknown) => {
      this.logger.warn('could not record progress', { jobId: this.jobId, error });
    });
  }
}
