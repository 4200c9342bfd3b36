// Typed client for the harness server's control API (lib/control-api.mjs).

export type Outcome =
  | { outcome: 'completed'; value: unknown }
  | { outcome: 'failed'; error: { name: string; message: string; code?: string } }
  | { outcome: 'cancelled' }
  | { outcome: 'timeout'; status: string };

export class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

/** Inverse of lib/codec.mjs: {"$bytes": base64} back to Uint8Array. */
export function decodeJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const bytes = (v as { $bytes?: unknown }).$bytes;
      if (keys.length === 1 && typeof bytes === 'string') return new Uint8Array(Buffer.from(bytes, 'base64'));
    }
    return v;
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ControlClient {
  constructor(readonly baseUrl: string) {}

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 120_000): Promise<T> {
    const response = await fetch(`${this.baseUrl}/__e2e/${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const parsed = decodeJson(await response.text()) as T & { error?: { name: string; message: string } };
    if (!response.ok) {
      throw new ControlError(response.status, parsed.error?.name ?? 'Error', parsed.error?.message ?? `HTTP ${response.status}`);
    }
    return parsed;
  }

  async start(workflow: string, args: unknown[] = []): Promise<string> {
    return (await this.call<{ runId: string }>('POST', 'start', { workflow, args })).runId;
  }

  async status(runId: string): Promise<string> {
    return (await this.call<{ status: string }>('GET', `runs/${runId}/status`)).status;
  }

  /** Waits (server side, via run.returnValue) up to `timeoutMs` for a terminal state. */
  outcome(runId: string, timeoutMs: number): Promise<Outcome> {
    return this.call<Outcome>('POST', `runs/${runId}/outcome`, { timeoutMs }, timeoutMs + 30_000);
  }

  async cancel(runId: string): Promise<void> {
    await this.call('POST', `runs/${runId}/cancel`, {});
  }

  async tailIndex(runId: string): Promise<number> {
    return (await this.call<{ tailIndex: number }>('GET', `runs/${runId}/tail`)).tailIndex;
  }

  /** The runtime's health check (`workflow health`) for one endpoint. */
  health(endpoint: 'workflow' | 'step'): Promise<{ healthy: boolean; error?: string }> {
    return this.call('POST', `health/${endpoint}`, {}, 60_000);
  }

  async resumeHook(token: string, payload: unknown): Promise<string> {
    return (await this.call<{ runId: string }>('POST', 'hooks/resume', { token, payload })).runId;
  }

  /** A hook exists only once its run has suspended on it; retry "not found" until then. */
  async resumeHookWhenReady(token: string, payload: unknown, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await this.resumeHook(token, payload);
      } catch (error) {
        if (!(error instanceof ControlError && error.status === 404) || Date.now() > deadline) throw error;
        await sleep(100);
      }
    }
  }

  /** Polls until `probe` returns a value other than undefined. */
  async waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(100);
    }
  }

  /** Reads the run's default stream (run.getReadable) live, one decoded chunk at a time, until EOF. */
  async *stream(runId: string, options: { startIndex?: number; timeoutMs?: number } = {}): AsyncGenerator<unknown> {
    const query = options.startIndex === undefined ? '' : `?startIndex=${options.startIndex}`;
    const response = await fetch(`${this.baseUrl}/__e2e/runs/${runId}/stream${query}`, {
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    if (!response.ok || !response.body) throw new ControlError(response.status, 'Error', await response.text());
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffered += decoder.decode(value, { stream: true });
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line) yield decodeJson(line);
        }
      }
    } finally {
      // Stopping early (return()) closes the HTTP response, which cancels the server-side reader.
      await reader.cancel().catch(() => {});
    }
  }

  /** POSTs to the app's webhook route, as an external system would. */
  postWebhook(token: string, body: string): Promise<Response> {
    return fetch(`${this.baseUrl}/.well-known/workflow/v1/webhook/${encodeURIComponent(token)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body,
      signal: AbortSignal.timeout(30_000),
    });
  }
}
