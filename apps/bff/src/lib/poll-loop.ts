/**
 * A loop that runs a round of work now and then: every `pollIntervalMs`, or at once when woken.
 * Never two rounds at once; a wake-up during a round runs another right after it. What the
 * outbox worker and the providers' webhook dispatcher share.
 */
export type PollLoop = {
  readonly stopped: boolean;
  start(): void;
  /** Stops polling and resolves once the current round is over. */
  stop(): Promise<void>;
  /** Runs a round now (or right after the current one). */
  wakeUp(): void;
  /** Resolves once a round has run with no wake-up pending: for tests and shutdown ordering. */
  idle(): Promise<void>;
};

export function createPollLoop(
  round: () => Promise<void>,
  options: {
    pollIntervalMs: number | (() => Promise<number>);
    onError: (error: unknown) => void;
    /** Hears of new work from elsewhere; returns how to stop listening. */
    subscribe?: (wakeUp: () => void) => () => void;
    /** Called when stopping, before waiting for the round: abort what is in flight. */
    onStop?: () => void;
  },
): PollLoop {
  let stopped = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | null = null;
  let again = false;
  let unsubscribe: (() => void) | undefined;

  async function schedule(): Promise<void> {
    clearTimeout(timer);
    if (stopped) return;
    const wait =
      typeof options.pollIntervalMs === 'number'
        ? options.pollIntervalMs
        : await options.pollIntervalMs().catch(() => 1_000);
    if (stopped) return;
    timer = setTimeout(tick, wait);
    timer.unref();
  }

  function tick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = round()
      .catch(options.onError)
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          tick();
        } else void schedule();
      });
  }

  return {
    get stopped() {
      return stopped;
    },
    start() {
      if (!stopped) return;
      stopped = false;
      unsubscribe = options.subscribe?.(tick);
      tick();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      unsubscribe?.();
      options.onStop?.();
      await running;
    },
    wakeUp: tick,
    async idle() {
      do {
        if (!running) tick();
        await running;
      } while (again || running);
    },
  };
}
