// Runs once when the Next.js server starts. Starting the world here starts
// the in-process queue consumer and re-enqueues runs that were active when the
// server last stopped: without it, a self-hosted `next start` wakes a sleeping
// run only once something else calls queue().
export async function register(): Promise<void> {
  // Node.js only (not the edge runtime); the import keeps Node APIs out of the edge build.
  if (process.env.NEXT_RUNTIME === 'nodejs') await (await import('./instrumentation-node')).startWorld();
}
