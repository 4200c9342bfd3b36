// A loopback proxy in front of DynamoDB for one replica, black-box: it reads
// the requests the replica makes and, once armed, holds the first projection
// write (runs table, or a step/wait item of the steps table) that follows the
// replica's N-th committed `step_completed` event, calls `onTrigger` (which
// SIGKILLs the replica) and drops the request. The replica dies after the
// event's commit and before its projection.
import { request as httpRequest } from 'node:http';
import { readBody, startLoopbackServer } from './loopback-server.js';
import type { ResourceNames } from '../../../src/config/resource-names.js';

const WRITES = new Set(['PutItem', 'UpdateItem', 'BatchWriteItem', 'TransactWriteItems']);

export interface CommitKillProxy {
  readonly url: string;
  /** Kill at the projection write after the `afterCompletions`-th committed step_completed from now on. */
  arm(afterCompletions: number, onTrigger: () => Promise<void>): void;
  /** Set once the proxy killed its replica. */
  readonly triggered: boolean;
  close(): Promise<void>;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function isStepCompletedCommit(op: string, body: Json, eventsTable: string): boolean {
  const puts: Json[] =
    op === 'PutItem' ? [body]
    : op === 'TransactWriteItems' ? (body.TransactItems ?? []).flatMap((a: Json) => (a.Put ? [a.Put] : []))
    : [];
  return puts.some((put) => put.TableName === eventsTable && put.Item?.eventType?.S === 'step_completed');
}

/** A write of a run, step or wait projection (not a queue record `Q#…`, not a hook marker `K#…`). */
function isProjectionWrite(op: string, body: Json, names: ResourceNames): boolean {
  if (op !== 'PutItem' && op !== 'UpdateItem') return false;
  if (body.TableName === names.tables.runs) return true;
  if (body.TableName !== names.tables.steps) return false;
  const sk: string = (body.Item ?? body.Key)?.sk?.S ?? '';
  return sk.startsWith('S#') || sk.startsWith('W#');
}

export async function startCommitKillProxy(dynamodbEndpoint: string, names: ResourceNames): Promise<CommitKillProxy> {
  const upstream = new URL(dynamodbEndpoint);
  let trigger: { remaining: number; onTrigger: () => Promise<void> } | undefined;
  let triggered = false;

  const server = await startLoopbackServer(async (req, res) => {
    const body = await readBody(req);
    const op = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    const parsed: Json = trigger && WRITES.has(op) ? JSON.parse(body.toString('utf8')) : {};
    if (trigger && trigger.remaining === 0 && isProjectionWrite(op, parsed, names)) {
      const { onTrigger } = trigger;
      trigger = undefined;
      triggered = true;
      await onTrigger();
      res.destroy();
      return;
    }
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        // A commit counts once DynamoDB accepted it.
        if (trigger && answer.statusCode === 200 && isStepCompletedCommit(op, parsed, names.tables.events)) {
          trigger.remaining = Math.max(0, trigger.remaining - 1);
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    forwarded.end(body);
  });
  return {
    url: server.url,
    arm(afterCompletions, onTrigger) {
      trigger = { remaining: afterCompletions, onTrigger };
    },
    get triggered() {
      return triggered;
    },
    close: () => server.close(),
  };
}
