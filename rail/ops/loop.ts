// The poll loop of the long-running processes: one tick at a time, a failing tick reported and
// retried at the next poll, and a stop that interrupts the wait.
import { shortError } from '../connection.js';

export class PollLoop {
  /** The last tick's error, null after a tick that succeeded (for health). */
  lastError: string | null = null;
  private stopping = false;
  private wake: (() => void) | undefined;
  private done: Promise<void> | undefined;

  constructor(
    private readonly pollMs: number,
    private readonly onError: (message: string) => void,
  ) {}

  get stopped(): boolean {
    return this.stopping;
  }

  /** Runs `tick` until `stop`; resolves once the loop has ended. */
  run(tick: () => Promise<void>): Promise<void> {
    this.done ??= (async () => {
      while (!this.stopping) {
        try {
          await tick();
          this.lastError = null;
        } catch (e) {
          this.lastError = shortError(e);
          this.onError(this.lastError);
        }
        if (!this.stopping) await this.sleep(this.pollMs);
      }
    })();
    return this.done;
  }

  /** Waits `ms`, or less when the loop is stopped meanwhile. */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      this.wake = () => {
        clearTimeout(t);
        r();
      };
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.done;
  }
}
