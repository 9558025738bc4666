/**
 * Runs `tick` again and again with a random gap around `meanMs`, until stopped. Random gaps keep
 * three simulators from firing in lockstep. The timer is unref'd so it never holds a process open.
 */
export function startActivity(meanMs: number, tick: () => void | Promise<void>): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (stopped) return;
    const gap = Math.max(10, Math.round(meanMs * (0.5 + Math.random())));
    const run = async () => {
      try {
        await tick();
      } catch {
        // Activity is best effort; a failed tick must not stop the next one.
      }
      schedule();
    };
    timer = setTimeout(() => void run(), gap);
    timer.unref();
  };
  schedule();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
