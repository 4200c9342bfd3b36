import { NextResponse } from 'next/server';
import { start } from 'workflow/api';
import { handleUserSignup } from '../../../workflows/user-signup';

export async function POST(request: Request) {
  const { email } = (await request.json()) as { email?: unknown };
  if (typeof email !== 'string' || email === '') {
    return NextResponse.json({ error: 'email must be a non-empty string' }, { status: 400 });
  }
  const run = await start(handleUserSignup, [email]);
  return NextResponse.json({ runId: run.runId });
}
