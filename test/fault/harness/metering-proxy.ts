// A loopback proxy in front of one AWS endpoint (DynamoDB or SQS) for one
// replica: forwards every request unchanged and counts them by operation, so a
// case can say what each replica asked of the store and the queue.
import { request as httpRequest } from 'node:http';
import { readBody, startLoopbackServer } from './loopback-server.js';

export interface MeteringProxy {
  readonly url: string;
  /** Requests forwarded so far, by operation (`x-amz-target`'s action or the query's `Action`). */
  counts(): Record<string, number>;
  /** With `detailed`: requests by `operation table kind`. */
  details(): Record<string, number>;
  /** Answers other than 200 so far, by `operation status` (a lost conditional write is `PutItem 400`). */
  failures(): Record<string, number>;
  close(): Promise<void>;
}

function operationOf(headers: Record<string, string | string[] | undefined>, body: Buffer): string {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? 'Unknown';
  return /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString('utf8'))?.[1] ?? 'Unknown';
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One entry per message a SendMessage(Batch) carries: `sent <channel>[ net| inline| wake| delayed]`. */
function sentKinds(body: Buffer): string[] {
  let parsed: Json;
  try {
    parsed = JSON.parse(body.toString('utf8')) as Json;
  } catch {
    return [];
  }
  const entries: Json[] = parsed.Entries ?? [parsed];
  const channel = String(parsed.QueueUrl ?? '').endsWith('-workflow') ? 'workflow' : 'step';
  return entries.map((entry) => {
    const text = String(entry.MessageBody ?? '');
    const marks = ['net', 'inline', 'wake'].filter((m) => text.includes(`"${m}":true`));
    if (Number(entry.DelaySeconds ?? 0) > 0) marks.push('delayed');
    return ['sent', channel, ...marks].join(' ');
  });
}

/** A DynamoDB request's table (without the installation prefix) and item kind: `Q#k`, `S#`, an event type, … */
function dynamoDetail(body: Buffer): string {
  let parsed: Json;
  try {
    parsed = JSON.parse(body.toString('utf8')) as Json;
  } catch {
    return '';
  }
  const table = String(parsed.TableName ?? Object.keys(parsed.RequestItems ?? {})[0] ?? (parsed.TransactItems ? 'transact' : '')).replace(/^.*-/, '');
  const key: Json | undefined = parsed.Key ?? parsed.Item;
  const pk = String(key?.pk?.S ?? '');
  const sk = String(key?.sk?.S ?? '');
  const kind = pk.startsWith('Q#') ? pk.slice(0, 3) : /^[A-Z]#/.test(sk) ? sk.slice(0, 2) : String(parsed.Item?.eventType?.S ?? parsed.IndexName ?? '');
  return `${table}${kind ? ` ${kind}` : ''}`;
}

/** `detailed`: a DynamoDB endpoint, whose requests are also counted by table and item kind. SQS sends are always counted by message kind. */
export async function startMeteringProxy(endpoint: string, detailed = false): Promise<MeteringProxy> {
  const upstream = new URL(endpoint);
  const details: Record<string, number> = {};
  const counted: Record<string, number> = {};
  const failed: Record<string, number> = {};
  const server = await startLoopbackServer(async (req, res) => {
    const body = await readBody(req);
    const op = operationOf(req.headers, body);
    counted[op] = (counted[op] ?? 0) + 1;
    const detail = detailed ? `${op} ${dynamoDetail(body)}` : undefined;
    if (detail) details[detail] = (details[detail] ?? 0) + 1;
    // SQS sends: what kind of message each entry carries (a net, a copy of a step run in process, a marked wake-up).
    for (const kind of op.startsWith('SendMessage') ? sentKinds(body) : []) details[kind] = (details[kind] ?? 0) + 1;
    const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      if (answer.statusCode !== 200) {
        const key = `${detailed ? `${op} ${dynamoDetail(body)}` : op} ${answer.statusCode ?? '?'}`;
        failed[key] = (failed[key] ?? 0) + 1;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forwarded.on('error', () => res.destroy());
    forwarded.end(body);
  });
  return { url: server.url, counts: () => ({ ...counted }), failures: () => ({ ...failed }), details: () => ({ ...details }), close: () => server.close() };
}

/** The total of `counts`, leaving out the operations in `except`. */
export function totalOf(counts: Record<string, number>, except: string[] = []): number {
  return Object.entries(counts).reduce((sum, [op, n]) => (except.includes(op) ? sum : sum + n), 0);
}
