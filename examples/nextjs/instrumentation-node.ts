import { getWorld } from 'workflow/runtime';

export async function startWorld(): Promise<void> {
  const world = getWorld();
  await world.start?.();
  // `next start` exits on SIGTERM at once unless NEXT_MANUAL_SIG_HANDLE is set
  // (see package.json): then this closes the world first, so in-flight
  // deliveries finish instead of waiting out their lease in another process.
  if (process.env.NEXT_MANUAL_SIG_HANDLE) {
    const shutdown = () => void Promise.resolve(world.close?.()).finally(() => process.exit(0));
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  }
}
