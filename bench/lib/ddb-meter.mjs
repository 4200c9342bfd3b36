// A metering proxy in front of dynalite, for the cost model only (it adds a
// hop and extra reads, so it never runs while latency is measured). For every
// DynamoDB request the world sends it:
// - asks for ReturnConsumedCapacity=TOTAL and records what dynalite reports
//   ("measured": base tables only; dynalite does not price index writes);
// - for writes, reads each touched item just before and just after (directly
//   from dynalite, not through the proxy) and prices the change with
//   cost-model.mjs ("computed": base table and every GSI);
// - for reads, prices the returned items ("computed").
// Responses pass through byte for byte (the SDK checks their CRC32).
// Request bodies hold payloads: they are parsed in memory, never logged.
import { createServer, request as httpRequest } from 'node:http';
import { DescribeTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { indexWriteUnits, itemReadUnits, queryReadUnits, writeUnits } from './cost-model.mjs';

const CAPACITY_OPS = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'TransactWriteItems', 'TransactGetItems']);

async function readBody(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

/** The items a write request touches: [{ table, key, transactional }]. */
function touchedKeys(op, body, keyOf) {
  if (op === 'TransactWriteItems') {
    return body.TransactItems.map((action) => {
      const [kind, p] = Object.entries(action)[0];
      return { table: p.TableName, key: kind === 'Put' ? keyOf(p.TableName, p.Item) : p.Key, kind, transactional: true };
    });
  }
  if (op === 'PutItem') return [{ table: body.TableName, key: keyOf(body.TableName, body.Item), kind: 'Put' }];
  if (op === 'UpdateItem' || op === 'DeleteItem') return [{ table: body.TableName, key: body.Key, kind: op.replace('Item', '') }];
  if (op === 'BatchWriteItem') {
    return Object.entries(body.RequestItems).flatMap(([table, reqs]) =>
      reqs.map((r) => (r.PutRequest ? { table, key: keyOf(table, r.PutRequest.Item), kind: 'Put' } : { table, key: r.DeleteRequest.Key, kind: 'Delete' })),
    );
  }
  return [];
}

function measuredUnits(response) {
  const cc = response?.ConsumedCapacity;
  if (!cc) return undefined;
  return (Array.isArray(cc) ? cc : [cc]).reduce((a, c) => a + (c.CapacityUnits ?? 0), 0);
}

/** `countOnly`: no images, no pricing, only { op, ok } per request (one extra hop, nothing else). */
export async function startDynamoMeter({ target, region, credentials, countOnly = false }) {
  const direct = new DynamoDBClient({ endpoint: target, region, credentials });
  const tables = new Map();
  const describe = async (name) => {
    if (!tables.has(name)) tables.set(name, (await direct.send(new DescribeTableCommand({ TableName: name }))).Table);
    return tables.get(name);
  };
  const keyOf = (table, item) => Object.fromEntries(tables.get(table).KeySchema.map(({ AttributeName: k }) => [k, item[k]]));
  const image = async (table, key) => (await direct.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;

  let records = [];
  const inflight = new Set();
  const targetUrl = new URL(target);

  const server = createServer((req, res) => {
    // Tracked so take() can wait for the after-images of requests already answered.
    const handled = handle(req, res).finally(() => inflight.delete(handled));
    inflight.add(handled);
  });
  const send = (req, payload) =>
    new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: targetUrl.host, 'content-length': String(payload.length) };
      const out = httpRequest({ hostname: targetUrl.hostname, port: targetUrl.port, path: req.url, method: req.method, headers }, resolve);
      out.on('error', reject);
      out.end(payload);
    });
  const forward = async (req, res, raw) => {
    const upstream = await send(req, raw);
    res.writeHead(upstream.statusCode ?? 500, upstream.headers);
    upstream.pipe(res);
    await new Promise((resolve) => upstream.on('end', resolve));
    return upstream.statusCode === 200;
  };
  const handle = async (req, res) => {
    try {
      const raw = await readBody(req);
      const op = String(req.headers['x-amz-target'] ?? '').split('.').pop();
      if (countOnly) return void records.push({ op, ok: await forward(req, res, raw) });
      let body;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = undefined;
      }
      let payload = raw;
      if (body && CAPACITY_OPS.has(op)) {
        body.ReturnConsumedCapacity ??= 'TOTAL';
        payload = Buffer.from(JSON.stringify(body));
      }
      // Make sure every touched table is described before keyOf() needs it.
      const tableNames = body ? tableNamesOf(op, body) : [];
      await Promise.all(tableNames.map(describe));
      const touched = body ? touchedKeys(op, body, keyOf) : [];
      const before = await Promise.all(touched.map((t) => image(t.table, t.key)));

      const upstream = await send(req, payload);
      const responseBody = await readBody(upstream);
      res.writeHead(upstream.statusCode ?? 500, upstream.headers);
      res.end(responseBody);

      let response;
      try {
        response = JSON.parse(responseBody.toString('utf8'));
      } catch {
        response = undefined;
      }
      const ok = upstream.statusCode === 200;
      const after = ok ? await Promise.all(touched.map((t) => image(t.table, t.key))) : [];
      records.push(priceRequest(op, body, response, ok, touched, before, after, tables));
    } catch (error) {
      if (!res.headersSent) res.writeHead(502).end(String(error?.message ?? error));
    }
  };
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    /** Records since the last take(): [{ op, ok, measured, computed: { base, indexes, read } }]. */
    async take() {
      while (inflight.size) await Promise.all(inflight);
      const out = records;
      records = [];
      return out;
    },
    async stop() {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
      direct.destroy();
    },
  };
}

/** A `ConditionalCheckFailedException` answer (the JSON protocol names it in `__type`). */
export function isConditionFailure(response) {
  return typeof response?.__type === 'string' && response.__type.endsWith('ConditionalCheckFailedException');
}

function tableNamesOf(op, body) {
  if (op === 'TransactWriteItems' || op === 'TransactGetItems') return [...new Set(body.TransactItems.map((a) => Object.values(a)[0].TableName))];
  if (op === 'BatchGetItem' || op === 'BatchWriteItem') return Object.keys(body.RequestItems);
  return body.TableName ? [body.TableName] : [];
}

/** One request's measured and computed units. */
export function priceRequest(op, body, response, ok, touched, before, after, tables) {
  const record = { op, ok, measured: ok ? measuredUnits(response) : undefined, computed: { base: 0, indexes: {}, read: 0 } };
  // Which kind of request, for the per-request breakdown (table or index, newest-first queries).
  if (body) record.detail = `${op} ${body.IndexName ?? String(body.TableName ?? '').replace(/^.*-/, '')}${body.ScanIndexForward === false ? ' desc' : ''}${body.Limit ? ` limit` : ''}`;
  if (!body) return record;
  if (!ok) {
    // DynamoDB bills a single-item write whose condition fails: the existing
    // item's size, at least 1 WCU (developer guide, "Conditional writes").
    // Cancelled transactions are left unpriced (see docs/benchmarks.md).
    if (isConditionFailure(response) && touched.length === 1 && !touched[0].transactional) record.computed.base = writeUnits(before[0], before[0], false);
    return record;
  }
  touched.forEach((t, i) => {
    const transactional = Boolean(t.transactional);
    const oldItem = before[i];
    const newItem = t.kind === 'ConditionCheck' ? oldItem : after[i];
    record.computed.base += writeUnits(oldItem, newItem, transactional);
    if (t.kind === 'ConditionCheck') return;
    for (const [index, units] of Object.entries(indexWriteUnits(tables.get(t.table), oldItem, newItem))) {
      const name = `${t.table}.${index}`;
      record.computed.indexes[name] = (record.computed.indexes[name] ?? 0) + units;
    }
  });
  const consistent = body.ConsistentRead === true;
  if (op === 'GetItem') record.computed.read = itemReadUnits(response.Item ? [response.Item] : [], 1, { consistent });
  if (op === 'Query' || op === 'Scan') record.computed.read = queryReadUnits(response.Items ?? [], { consistent });
  if (op === 'BatchGetItem') {
    for (const [table, req] of Object.entries(body.RequestItems)) {
      record.computed.read += itemReadUnits(response.Responses?.[table] ?? [], req.Keys.length, { consistent: req.ConsistentRead === true });
    }
  }
  if (op === 'TransactGetItems') {
    const items = (response.Responses ?? []).map((r) => r.Item).filter(Boolean);
    record.computed.read = itemReadUnits(items, body.TransactItems.length, { transactional: true });
  }
  return record;
}
