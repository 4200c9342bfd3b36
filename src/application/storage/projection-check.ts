// verify: fold each run's log (domain/log-fold.ts) and compare what the store
// holds with it. Two views are checked: what readers are served (the store's
// reads by key, which apply the log tail: a difference there is drift a
// decision could act on), and the projections as stored (a difference there
// that the served view does not have is only late: index-backed listings see
// it until the projection is written). `repair` rewrites the stored
// projections of a run with any difference from the fold. Only ids, entity
// kinds, field names and statuses are reported, never payloads.
import type { Hook, Step, Wait, WorkflowRun } from '@workflow/world';
import { foldRunLog, type RunFold } from '../../domain/log-fold.js';
import { isBlobPointer } from '../../domain/model.js';
import { WORLD_SPEC_VERSION } from '../../domain/spec-version.js';
import type { Event } from '@workflow/world';
import type { EventStore, PageRequest, StoredProjections } from '../../ports/event-store.js';

export type DriftEntity = 'run' | 'step' | 'hook' | 'wait' | 'event';

export interface ProjectionDrift {
  runId: string;
  entity: DriftEntity;
  /** The entity's id (runId, stepId, hookId, waitId; the eventId of a refused event). */
  id: string;
  /**
   * `missing`/`unexpected`/`different`: what readers are served differs from the log.
   * `late`: only the stored projection differs (readers apply the log tail).
   * `refused`: the log holds an event the state machine refuses at its place (the log cannot be replayed).
   */
  problem: 'missing' | 'unexpected' | 'different' | 'late' | 'refused';
  /** Names of the fields that differ (never their values). */
  fields?: string[];
  expectedStatus?: string;
  actualStatus?: string;
  /** For `refused`: the event type and the state machine's reason. */
  detail?: string;
}

export interface RunCheck {
  runId: string;
  /** Differences readers are served, and refused events. */
  drift: ProjectionDrift[];
  /** Stored projections behind the log, which readers complete from the log tail (`problem: 'late'`). */
  late: ProjectionDrift[];
  repaired: boolean;
}

const PAGE: PageRequest = { limit: 1000, order: 'asc' };

async function all<T>(list: (page: PageRequest) => Promise<{ items: T[]; lastKey: string | null; hasMore: boolean }>): Promise<T[]> {
  const items: T[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await list({ ...PAGE, ...(after === undefined ? {} : { after }) });
    items.push(...page.items);
    if (!page.hasMore || page.lastKey === null) return items;
    after = page.lastKey;
  }
}

/** Checks one run; with `repair`, rewrites its stored projections when any differ from its log. */
export async function checkRun(store: EventStore, runId: string, options: { repair?: boolean } = {}): Promise<RunCheck> {
  const events = await all<Event>((page) => store.listEvents(runId, page));
  const fold = foldRunLog(runId, events, WORLD_SPEC_VERSION);
  const [run, steps, children, stored] = await Promise.all([
    store.getRunEntity(runId),
    all<Step>((page) => store.listSteps(runId, page)),
    store.listRunChildren(runId),
    store.readProjections(runId),
  ]);
  const drift: ProjectionDrift[] = fold.refused.map((refused) => ({
    runId,
    entity: 'event' as const,
    id: refused.eventId,
    problem: 'refused' as const,
    detail: `${refused.eventType}${refused.correlationId ? ` ${refused.correlationId}` : ''}: ${refused.reason}`,
  }));
  const served = [
    ...compareOne(runId, 'run', runId, fold.run, run),
    ...compareMany(runId, 'step', fold.steps, steps, (s) => s.stepId),
    ...compareMany(runId, 'hook', fold.hooks, children.hooks, (h) => h.hookId),
    ...compareMany(runId, 'wait', fold.waits, children.waits, (w) => w.waitId),
  ];
  drift.push(...served);
  const servedKeys = new Set(served.map((d) => `${d.entity}:${d.id}`));
  const storedDrift = [
    ...compareOne(runId, 'run', runId, fold.run, stored.run),
    ...compareMany(runId, 'step', fold.steps, stored.steps, (s) => s.stepId),
    ...compareMany(runId, 'wait', fold.waits, stored.waits, (w) => w.waitId),
  ];
  const late = storedDrift.filter((d) => !servedKeys.has(`${d.entity}:${d.id}`)).map((d) => ({ ...d, problem: 'late' as const }));
  // Hooks are written in their commit's transaction, not projected: nothing to rewrite there.
  const rewritable = [...drift, ...late].some((d) => d.entity !== 'event' && d.entity !== 'hook');
  let repaired = false;
  if (options.repair && rewritable && fold.run) {
    await store.rewriteProjections(runId, expectedProjections(fold), fold.eventCount);
    repaired = true;
  }
  return { runId, drift, late, repaired };
}

const expectedProjections = (fold: RunFold): StoredProjections => ({
  ...(fold.run ? { run: fold.run } : {}),
  steps: [...fold.steps.values()],
  waits: [...fold.waits.values()],
});

type Entity = WorkflowRun | Step | Hook | Wait;

function compareMany<T extends Entity>(runId: string, entity: DriftEntity, expected: Map<string, T>, actual: T[], idOf: (e: T) => string): ProjectionDrift[] {
  const actualById = new Map(actual.map((e) => [idOf(e), e]));
  const ids = [...new Set([...expected.keys(), ...actualById.keys()])].sort();
  return ids.flatMap((id) => compareOne(runId, entity, id, expected.get(id), actualById.get(id)));
}

function compareOne<T extends Entity>(runId: string, entity: DriftEntity, id: string, expected: T | undefined, actual: T | undefined): ProjectionDrift[] {
  const status = (e: T | undefined) => (e && 'status' in e ? { status: String(e.status) } : {});
  if (!expected && !actual) return [];
  if (!actual) return [{ runId, entity, id, problem: 'missing', ...withStatus('expected', status(expected)) }];
  if (!expected) return [{ runId, entity, id, problem: 'unexpected', ...withStatus('actual', status(actual)) }];
  const fields = differingFields(expected as Record<string, unknown>, actual as Record<string, unknown>);
  if (fields.length === 0) return [];
  return [{ runId, entity, id, problem: 'different', fields, ...withStatus('expected', status(expected)), ...withStatus('actual', status(actual)) }];
}

const withStatus = (side: 'expected' | 'actual', s: { status?: string }) => (s.status === undefined ? {} : { [`${side}Status`]: s.status });

/** Field names whose values differ; a payload held in the blob store on one side only is not compared (it would need reading). */
export function differingFields(expected: Record<string, unknown>, actual: Record<string, unknown>): string[] {
  const names = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].filter((n) => expected[n] !== undefined || actual[n] !== undefined);
  return names.filter((name) => !sameValue(expected[name], actual[name])).sort();
}

function sameValue(a: unknown, b: unknown): boolean {
  if (isBlobPointer(a) || isBlobPointer(b)) return !isBlobPointer(a) || !isBlobPointer(b) || a.blobKey === b.blobKey;
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && a.length === b.length && a.every((v, i) => v === b[i]);
  }
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
    return [...keys].every((k) => sameValue(ra[k], rb[k]));
  }
  return Object.is(a, b) || (typeof a === 'number' && typeof b === 'number' && a === b);
}
