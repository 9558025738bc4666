/**
 * Preloaded (`--import`) into every server process `bench/compare.ts` starts. Over the IPC channel
 * it answers `{ type: 'stats' }` with the process's own CPU time (`process.cpuUsage()`) and memory,
 * so CPU per request is what the server spent, not wall time. `gc: true` collects first (the
 * process runs with `--expose-gc`), so RSS deltas are live memory rather than garbage.
 */
interface StatsRequest {
  type: 'stats';
  seq: number;
  gc?: boolean;
}

process.on('message', (raw: unknown) => {
  const m = raw as StatsRequest;
  if (m?.type !== 'stats') return;
  const collect = (globalThis as { gc?: () => void }).gc;
  if (m.gc && collect) {
    collect();
    collect();
  }
  const memory = process.memoryUsage();
  process.send?.({ type: 'stats', seq: m.seq, cpu: process.cpuUsage(), rss: memory.rss, heapUsed: memory.heapUsed });
});
