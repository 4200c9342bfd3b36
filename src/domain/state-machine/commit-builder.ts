// Collects one commit: the events appended to a run, in order, and the entity
// changes they cause, then stamps the run record's sequencing fields.
import type { AnyEventRequest, CreateEventParams, Event, Hook, Step, Wait, WorkflowRun } from '@workflow/world';
import type { Commit, DecisionContext, RunRecord, TokenClaim, TokenRelease } from '../model.js';
import { compact } from './compact.js';
import { ulidTime } from '../ids.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event before the run's sequence gives it an id and a time. */
export type EventBody = DistributiveOmit<Event, 'runId' | 'eventId' | 'createdAt'>;

export class CommitBuilder {
  /**
   * createdAt (epoch ms) of every event in this commit. Never before the run's
   * newest event, so createdAt stays non-decreasing in log order even when
   * the clock steps back.
   */
  readonly at: number;
  private readonly events: Event[] = [];
  private lastEventId: string | null;
  private externalStateAt: number | undefined;
  private readonly putSteps: Step[] = [];
  private readonly putHooks: Hook[] = [];
  private readonly deleteHooks: Hook[] = [];
  private readonly putWaits: Wait[] = [];
  private readonly deleteWaits: Wait[] = [];
  private readonly tokenClaims: TokenClaim[] = [];
  private readonly tokenReleases: TokenRelease[] = [];

  /** `base` is the run as read, or undefined when this commit creates the run. */
  constructor(
    private readonly ctx: DecisionContext,
    readonly runId: string,
    private readonly base: RunRecord | undefined,
  ) {
    this.at = Math.max(ctx.now, base?.lastEventAt ?? 0);
    this.lastEventId = base?.lastEventId ?? null;
    this.externalStateAt = base?.externalStateAt;
  }

  /** Spec version stored with events and entities created by `request`. */
  specVersionOf(request: { specVersion?: number }): number {
    return request.specVersion ?? this.ctx.worldSpecVersion;
  }

  append(body: EventBody): Event {
    const eventId = this.ctx.nextEventId(this.lastEventId, this.at);
    const event = compact({ ...body, runId: this.runId, eventId, createdAt: new Date(this.at) }) as Event;
    this.events.push(event);
    this.lastEventId = eventId;
    return event;
  }

  /** Appends the event a request asks for, in its stored form. */
  appendRequest(request: AnyEventRequest, params: CreateEventParams | undefined): Event {
    // run_started's eventData only bootstraps a missing run (§2.4); it is never stored.
    const { eventData: _dropped, ...withoutData } = request as AnyEventRequest & { eventData?: unknown };
    const stored = request.eventType === 'run_started' ? withoutData : request;
    return this.append({
      ...stored,
      specVersion: this.specVersionOf(request),
      occurredAt: params?.occurredAt,
    } as EventBody);
  }

  /** §2.6 marker: `event` originated outside replay, so older snapshots are stale from now on. */
  markExternalState(event: Event): void {
    const time = ulidTime(event.eventId) ?? this.at;
    this.externalStateAt = Math.max(this.externalStateAt ?? time, time);
  }

  putStep(step: Step): void {
    this.putSteps.push(step);
  }

  putHook(hook: Hook): void {
    this.putHooks.push(hook);
  }

  deleteHook(hook: Hook): void {
    this.deleteHooks.push(hook);
  }

  putWait(wait: Wait): void {
    this.putWaits.push(wait);
  }

  deleteWait(wait: Wait): void {
    this.deleteWaits.push(wait);
  }

  claimToken(claim: TokenClaim): void {
    this.tokenClaims.push(claim);
  }

  releaseToken(release: TokenRelease): void {
    this.tokenReleases.push(release);
  }

  /** `runChanged`: whether `run` differs from the run as read (not just its sequence). */
  build(run: WorkflowRun, runChanged: boolean): Commit {
    const base = this.base;
    const record: RunRecord = compact({
      run,
      version: (base?.version ?? 0) + 1,
      lastEventId: this.lastEventId,
      lastEventAt: this.at,
      eventCount: (base?.eventCount ?? 0) + this.events.length,
      externalStateAt: this.externalStateAt,
    });
    return {
      runId: this.runId,
      expectRun: base ? { kind: 'version', version: base.version } : { kind: 'absent' },
      run: record,
      runChanged,
      events: [...this.events],
      putSteps: [...this.putSteps],
      putHooks: [...this.putHooks],
      deleteHooks: [...this.deleteHooks],
      putWaits: [...this.putWaits],
      deleteWaits: [...this.deleteWaits],
      tokenClaims: [...this.tokenClaims],
      tokenReleases: [...this.tokenReleases],
    };
  }
}
