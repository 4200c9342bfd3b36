// The run's default stream as text lines, live: the response ends when the workflow closes the stream.
import { getRun } from 'workflow/api';

export async function GET(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  const lines = getRun(runId).getReadable<string>();
  const body = lines.pipeThrough(
    new TransformStream<string, Uint8Array>({
      transform(line, controller) {
        controller.enqueue(new TextEncoder().encode(`${line}\n`));
      },
    }),
  );
  return new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
}
