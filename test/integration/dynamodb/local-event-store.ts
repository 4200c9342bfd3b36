// An event store on the embedded local AWS (dynalite + transaction add-on),
// tables provisioned from resources.ts, plus commit builders for the tests.
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Event, Hook, Step, Wait, WorkflowRun } from '@workflow/world';
import { DynamoDbEventStore, ProjectionLog, type DynamoDbEventStoreOptions } from '../../../src/adapters/aws/dynamodb/index.js';
import { startLocalAws, type LocalAws } from '../../../src/infra/local-aws/index.js';
import { EVENT_ID_PREFIX, newUlid, nextUlid, RUN_ID_PREFIX } from '../../../src/domain/ids.js';
import type { Commit, RunRecord } from '../../../src/domain/model.js';
import { CommitConflict } from '../../../src/ports/event-store.js';

export interface LocalEventStore {
  aws: LocalAws;
  client: DynamoDBClient;
  /** Stores share one projection log (as the stores of one process do) unless given their own. */
  store(options?: DynamoDbEventStoreOptions): DynamoDbEventStore;
  /** Writes every projection still waiting, so index-backed reads see it. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalEventStore(): Promise<LocalEventStore> {
  const aws = await startLocalAws({ name: `it${process.pid}` });
  const client = new DynamoDBClient({ endpoint: aws.endpoints.dynamodb, region: aws.region, credentials: aws.credentials });
  const projections = new ProjectionLog();
  const logs = new Set<ProjectionLog>([projections]);
  return {
    aws,
    client,
    store: (options = {}) => {
      if (options.projections) logs.add(options.projections);
      return new DynamoDbEventStore(client, aws.names.tables, { projections, ...options });
    },
    flush: async () => {
      await Promise.all([...logs].map((log) => log.flushAll()));
    },
    stop: async () => {
      // The emulator must not be stopped under a write in flight.
      await Promise.all([...logs].map((log) => log.flushAll()));
      client.destroy();
      await aws.stop();
    },
  };
}

export const newRunId = (at = Date.now()) => newUlid(RUN_ID_PREFIX, at, randomBytes(10));
export const nextEventId = (after: string | null, at = Date.now()) => nextUlid(EVENT_ID_PREFIX, after, at, randomBytes(10));

export function newRun(runId: string, extra: Partial<Record<string, unknown>> = {}): WorkflowRun {
  const now = new Date();
  return {
    runId,
    status: 'pending',
    deploymentId: 'dpl_it',
    workflowName: 'wf//it',
    specVersion: 3,
    input: new Uint8Array([1, 2, 3]),
    createdAt: now,
    updatedAt: now,
    ...extra,
  } as WorkflowRun;
}

export interface Changes {
  runChanged?: boolean;
  eventType?: string;
  correlationId?: string;
  eventData?: Record<string, unknown>;
  putSteps?: Step[];
  putHooks?: Hook[];
  deleteHooks?: Hook[];
  putWaits?: Wait[];
  deleteWaits?: Wait[];
  tokenClaims?: Commit['tokenClaims'];
  tokenReleases?: Commit['tokenReleases'];
}

/** The commit that appends one event to `current` (undefined: creates `run`). */
export function appendOne(runId: string, current: RunRecord | undefined, run: WorkflowRun, changes: Changes = {}): { commit: Commit; event: Event } {
  const eventId = nextEventId(current?.lastEventId ?? null);
  const createdAt = Math.max(Date.now(), current?.lastEventAt ?? 0);
  const event = {
    runId,
    eventId,
    eventType: changes.eventType ?? (current ? 'step_created' : 'run_created'),
    createdAt: new Date(createdAt),
    specVersion: 3,
    ...(changes.correlationId ? { correlationId: changes.correlationId } : {}),
    ...(changes.eventData ? { eventData: changes.eventData } : {}),
  } as Event;
  const version = (current?.version ?? 0) + 1;
  return {
    event,
    commit: {
      runId,
      expectRun: current ? { kind: 'version', version: current.version } : { kind: 'absent' },
      run: { run, version, lastEventId: eventId, lastEventAt: createdAt, eventCount: (current?.eventCount ?? 0) + 1 },
      runChanged: changes.runChanged ?? current === undefined,
      events: [event],
      putSteps: changes.putSteps ?? [],
      putHooks: changes.putHooks ?? [],
      deleteHooks: changes.deleteHooks ?? [],
      putWaits: changes.putWaits ?? [],
      deleteWaits: changes.deleteWaits ?? [],
      tokenClaims: changes.tokenClaims ?? [],
      tokenReleases: changes.tokenReleases ?? [],
    },
  };
}

/** Reload → build → commit, until the commit wins (what the event service does). */
export async function commitWithRetry(
  store: DynamoDbEventStore,
  runId: string,
  build: (current: RunRecord) => Commit,
  maxAttempts = 500,
): Promise<number> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const current = await store.getRun(runId);
    if (!current) throw new Error(`run ${runId} missing`);
    try {
      await store.commit(build(current));
      return attempt;
    } catch (error) {
      if (!(error instanceof CommitConflict)) throw error;
      // Full jitter, growing to a window wide enough for 100 writers on one run.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, 10 * 2 ** attempt)));
    }
  }
  throw new Error('too many conflicts');
}

export function hookOf(runId: string, hookId: string, token: string): Hook {
  return { runId, hookId, token, ownerId: '', projectId: '', environment: '', createdAt: new Date(), specVersion: 3, isWebhook: true };
}

export function waitOf(runId: string, correlationId: string): Wait {
  const now = new Date();
  return { runId, waitId: `${runId}-${correlationId}`, status: 'waiting', resumeAt: new Date(now.getTime() + 60_000), createdAt: now, updatedAt: now, specVersion: 3 };
}

export function stepOf(runId: string, stepId: string, extra: Partial<Step> = {}): Step {
  const now = new Date();
  return { runId, stepId, stepName: 'it-step', status: 'pending', attempt: 0, input: new Uint8Array([7]), createdAt: now, updatedAt: now, specVersion: 3, ...extra };
}
