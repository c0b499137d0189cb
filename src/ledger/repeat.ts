/**
 * A task run again and again in the background of the server: first after `firstDelayMs`, then
 * `intervalMs` after each run ends (runs never overlap); a failure is reported and the next run
 * still comes. The timer does not keep the process alive. `stop` ends the repetition.
 */
export function repeat(task: () => Promise<unknown>, options: { firstDelayMs: number; intervalMs: number; onError: (error: Error) => void }): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = () => {
    task()
      .catch((error) => options.onError(error as Error))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs).unref();
      });
  };
  timer = setTimeout(tick, options.firstDelayMs).unref();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
