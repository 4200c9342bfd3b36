// How provisioning waits for a resource to reach a state: fast at first,
// because emulators settle in milliseconds, backing off towards a few seconds,
// because real tables take seconds to minutes (infra/retry.ts does the waiting).
export const RESOURCE_WAIT = { delayMs: 50, factor: 2, maxDelayMs: 3000 } as const;

export const DEFAULT_TABLE_WAIT_MS = 10 * 60 * 1000;
