/**
 * How an idle loop sleeps: until someone rings (a job was added, a slot
 * freed) or the timeout passes, whichever comes first. Rings while awake are
 * remembered, so a wake-up is never lost between checking and sleeping.
 */
export class Doorbell {
  #rung = false;
  #wake: (() => void) | null = null;

  ring(): void {
    this.#rung = true;
    this.#wake?.();
  }

  wait(timeoutMs: number): Promise<void> {
    if (this.#rung) {
      this.#rung = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = null;
        this.#rung = false;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#wake = done;
    });
  }
}
