// Test only: preloaded into a replica process (`node --expose-gc --import tsx --import
// <this file> src/main.ts`) so that a test can ask for the heap size from outside. On
// SIGUSR2 it collects garbage and prints one JSON line: {"event":"test.heap","heapUsed":n}.
// It reads nothing but the process' own memory figures.
process.on('SIGUSR2', () => {
  // Twice: the first pass may only queue finalizers (WeakRefs, sockets) for the second.
  gc?.();
  gc?.();
  process.stdout.write(`${JSON.stringify({ event: 'test.heap', heapUsed: process.memoryUsage().heapUsed })}\n`);
});
