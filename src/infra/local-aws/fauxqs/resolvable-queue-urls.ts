// fauxqs names its queues `http://sqs.<region>.localhost:<port>/…` by default,
// a host that does not resolve on most machines, so the SDK (which sends to a
// queue URL's host when no endpoint is configured) and other tools fail with
// ENOTFOUND. Its SqsStore builds the URL from the request's Host header when
// its `host` is empty; the class is not exported, so it is loaded by path.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface SqsStoreLike {
  host: string;
}

/** A fauxqs SQS store whose queue URLs name the host the client connected to (127.0.0.1:<port>). */
export async function sqsStoreWithRequestHostUrls(): Promise<SqsStoreLike | undefined> {
  try {
    // fauxqs exports only its ESM entry (no package.json, no require condition): find its folder on the lookup paths.
    const dirs = createRequire(import.meta.url).resolve.paths('fauxqs') ?? [];
    const file = dirs.map((dir) => join(dir, 'fauxqs', 'dist', 'sqs', 'sqsStore.js')).find((path) => existsSync(path));
    if (!file) return undefined;
    const module = (await import(pathToFileURL(file).href)) as { SqsStore?: new () => SqsStoreLike };
    if (!module.SqsStore) return undefined;
    const store = new module.SqsStore();
    store.host = '';
    return store;
  } catch {
    // Another fauxqs layout: keep its default URLs (clients then need an explicit endpoint).
    return undefined;
  }
}
