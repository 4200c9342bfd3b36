// The run's status and its steps, for the page to poll.
import { NextResponse } from 'next/server';
import { getRun } from 'workflow/api';
import { getWorld } from 'workflow/runtime';

export async function GET(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  const world = getWorld();
  try {
    const run = await world.runs.get(runId, { resolveData: 'none' });
    const steps = await world.steps.list({ runId, resolveData: 'none' });
    const output = run.status === 'completed' ? await getRun(runId).returnValue : undefined;
    return NextResponse.json({
      runId,
      status: run.status,
      output,
      steps: steps.data
        .map((step) => ({ stepId: step.stepId, name: step.stepName.split('//').pop(), status: step.status, attempt: step.attempt }))
        .sort((a, b) => a.stepId.localeCompare(b.stepId)),
    });
  } catch (error) {
    const status = (error as { status?: number }).status === 404 ? 404 : 500;
    return NextResponse.json({ error: error instanceof Error ? error.message : String(error) }, { status });
  }
}
