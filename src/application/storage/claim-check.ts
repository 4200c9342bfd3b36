// Claim check for stored state: payload fields too large to keep inline move
// to the blob store before a commit, and pointers are resolved on reads.
import type { Event } from '@workflow/world';
import { EVENT_DATA_REF_FIELDS } from '@workflow/world';
import { BlobPointer, type Commit, isBlobPointer } from '../../domain/model.js';
import { dynamoDbSize, fieldsToOffload, payloadBlobKey } from '../../domain/payload-routing.js';
import type { BlobStore } from '../../ports/blob-store.js';

/** Entity fields that may carry user payloads. */
const ENTITY_PAYLOAD_FIELDS = ['input', 'output', 'error', 'metadata'] as const;
const BINARY = '.bin';
const JSON_SUFFIX = '.json';
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export interface PayloadClaimCheckOptions {
  blobs: BlobStore;
  keyPrefix: string;
  maxInlineBytes: number;
}

/** A commit ready to write, and the blobs it references that did not exist before. */
export interface PreparedCommit {
  commit: Commit;
  uploadedKeys: string[];
}

export class PayloadClaimCheck {
  constructor(private readonly options: PayloadClaimCheckOptions) {}

  /** Returns a copy of `commit` whose oversize payload fields are pointers to uploaded blobs. */
  async prepare(commit: Commit): Promise<PreparedCommit> {
    const uploads = new Map<unknown, { key: string; bytes: Uint8Array; pointer: BlobPointer }>();
    const offload = (value: unknown, ownerId: string, field: string): BlobPointer => {
      const known = uploads.get(value);
      if (known) return known.pointer;
      const binary = value instanceof Uint8Array;
      const bytes = binary ? value : utf8.encode(JSON.stringify(value));
      const key = payloadBlobKey(this.options.keyPrefix, commit.runId, ownerId, field + (binary ? BINARY : JSON_SUFFIX));
      const pointer = new BlobPointer(key, bytes.byteLength);
      uploads.set(value, { key, bytes, pointer });
      return pointer;
    };
    const route = <T extends object>(record: T, fields: readonly string[], ownerId: string): T => {
      const values = record as Record<string, unknown>;
      const candidates = fields
        .filter((name) => values[name] !== undefined && !isBlobPointer(values[name]))
        // Sized as DynamoDB counts the item (names + values), not as JSON.
        .map((name) => ({ name, byteLength: dynamoDbSize(values[name]) }));
      const moved = fieldsToOffload(candidates, this.options.maxInlineBytes);
      if (moved.length === 0) return record;
      const copy: Record<string, unknown> = { ...values };
      for (const name of moved) copy[name] = offload(values[name], ownerId, name);
      return copy as T;
    };

    const lastEventId = commit.events.at(-1)?.eventId ?? commit.runId;
    const events = commit.events.map((event) => {
      const data = (event as { eventData?: Record<string, unknown> }).eventData;
      if (!data) return event;
      const routed = route(data, EVENT_DATA_REF_FIELDS[event.eventType] ?? [], event.eventId);
      return routed === data ? event : ({ ...event, eventData: routed } as Event);
    });
    const prepared: Commit = {
      ...commit,
      events,
      run: commit.runChanged ? { ...commit.run, run: route(commit.run.run, ENTITY_PAYLOAD_FIELDS, `run-${lastEventId}`) } : commit.run,
      putSteps: commit.putSteps.map((step) => route(step, ENTITY_PAYLOAD_FIELDS, `${step.stepId}-${lastEventId}`)),
      putHooks: commit.putHooks.map((hook) => route(hook, ENTITY_PAYLOAD_FIELDS, hook.hookId)),
    };
    await Promise.all([...uploads.values()].map(({ key, bytes }) => this.options.blobs.put(key, bytes)));
    return { commit: prepared, uploadedKeys: [...uploads.values()].map((u) => u.key) };
  }

  /** After the commit: let the store stop treating these objects as orphans. */
  async committed(keys: string[]): Promise<void> {
    const { blobs } = this.options;
    if (blobs.markCommitted) await Promise.all(keys.map((key) => blobs.markCommitted!(key)));
  }

  /** After a lost commit: nothing references these objects. */
  async abandoned(keys: string[]): Promise<void> {
    await Promise.allSettled(keys.map((key) => this.options.blobs.delete(key)));
  }

  /** Replaces pointers in the payload fields of an entity with their content. */
  async resolveEntity<T extends object>(entity: T): Promise<T> {
    return this.resolveFields(entity, ENTITY_PAYLOAD_FIELDS);
  }

  async resolveEvent(event: Event): Promise<Event> {
    const data = (event as { eventData?: Record<string, unknown> }).eventData;
    if (!data) return event;
    const resolved = await this.resolveFields(data, Object.keys(data));
    return resolved === data ? event : ({ ...event, eventData: resolved } as Event);
  }

  private async resolveFields<T extends object>(record: T, fields: readonly string[]): Promise<T> {
    const values = record as Record<string, unknown>;
    const pointers = fields.filter((name) => isBlobPointer(values[name]));
    if (pointers.length === 0) return record;
    const copy: Record<string, unknown> = { ...values };
    await Promise.all(
      pointers.map(async (name) => {
        copy[name] = await this.load(values[name] as BlobPointer);
      }),
    );
    return copy as T;
  }

  private async load(pointer: BlobPointer): Promise<unknown> {
    const bytes = await this.options.blobs.get(pointer.blobKey);
    return pointer.blobKey.endsWith(BINARY) ? bytes : JSON.parse(fromUtf8.decode(bytes));
  }
}
