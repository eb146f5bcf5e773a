/**
 * Loaded into both benchmark targets (node --expose-gc --import heap-probe.mjs). On SIGUSR2:
 * full garbage collections, then one line on stdout with the heap that is still live, which
 * the suite reads from the process's output. RSS alone cannot compare two servers to within
 * a few per cent: it holds whatever garbage neither has collected yet.
 */
process.on('SIGUSR2', () => {
  // A second collection takes what the first one's finalizers and weak references let go.
  globalThis.gc();
  globalThis.gc();
  process.stdout.write(`heap-probe ${process.memoryUsage().heapUsed}\n`);
});
