'use client';
// Starts a signup run and shows it live: the run id, its status, each step's
// status (polled), and the lines the steps write to the run's stream.
import { useEffect, useState } from 'react';

interface RunView {
  runId: string;
  status: string;
  output?: unknown;
  steps: { stepId: string; name?: string; status: string; attempt: number }[];
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export default function Home() {
  const [email, setEmail] = useState('ada@example.com');
  const [runId, setRunId] = useState<string>();
  const [run, setRun] = useState<RunView>();
  const [lines, setLines] = useState<string[]>([]);
  const [error, setError] = useState<string>();

  async function startRun(event: React.FormEvent) {
    event.preventDefault();
    setError(undefined);
    setRun(undefined);
    setLines([]);
    const response = await fetch('/api/signup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
    const body = (await response.json()) as { runId?: string; error?: string };
    if (!response.ok || !body.runId) return setError(body.error ?? `HTTP ${response.status}`);
    setRunId(body.runId);
  }

  // Poll the run until it is terminal.
  useEffect(() => {
    if (!runId) return;
    let stopped = false;
    const poll = async () => {
      while (!stopped) {
        const response = await fetch(`/api/runs/${runId}`, { cache: 'no-store' });
        if (response.ok) {
          const view = (await response.json()) as RunView;
          if (!stopped) setRun(view);
          if (TERMINAL.has(view.status)) return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };
    void poll().catch((e: unknown) => setError(String(e)));
    return () => {
      stopped = true;
    };
  }, [runId]);

  // Tail the run's stream.
  useEffect(() => {
    if (!runId) return;
    const abort = new AbortController();
    void (async () => {
      const response = await fetch(`/api/runs/${runId}/stream`, { signal: abort.signal });
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffered = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += value;
        const complete = buffered.split('\n');
        buffered = complete.pop() ?? '';
        if (complete.length > 0) setLines((previous) => [...previous, ...complete]);
      }
    })().catch(() => undefined);
    return () => abort.abort();
  }, [runId]);

  return (
    <main>
      <h1>User signup</h1>
      <form onSubmit={startRun}>
        <input aria-label="email" value={email} onChange={(e) => setEmail(e.target.value)} />{' '}
        <button type="submit">Sign up</button>
      </form>
      {error && <p role="alert">Error: {error}</p>}
      {runId && (
        <section>
          <p>
            Run <code data-testid="run-id">{runId}</code>: <strong data-testid="run-status">{run?.status ?? 'starting'}</strong>
          </p>
          <ol>
            {run?.steps.map((step) => (
              <li key={step.stepId} data-testid="step">
                {step.name}: {step.status}
                {step.attempt > 1 ? ` (attempt ${step.attempt})` : ''}
              </li>
            ))}
          </ol>
          <h2>Stream</h2>
          <pre data-testid="stream">{lines.join('\n')}</pre>
          {run?.output !== undefined && <pre data-testid="output">{JSON.stringify(run.output)}</pre>}
        </section>
      )}
    </main>
  );
}
