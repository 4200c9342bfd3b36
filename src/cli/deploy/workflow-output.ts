// Finds the flow and step bundles a Workflow build left behind. Layouts:
//   standalone (`wf build`):    .well-known/workflow/v1/{flow,step}.js (workflow@5: flow.mjs only)
//   Next.js (`withWorkflow`):   {app,src/app}/.well-known/workflow/v1/{flow,step}/route.js
//   SvelteKit:                  src/routes/.well-known/workflow/v1/{flow,step}/+server.js
// Each bundle exports `POST(request): Promise<Response>`. A workflow@5 build
// has one merged route (flow: steps run there too) and no step bundle.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { WorkflowLine } from '../../domain/workflow-line.js';

export const STANDALONE_DIR = join('.well-known', 'workflow', 'v1');

/** Where frameworks put the output, relative to the project root; standalone last. */
export const FRAMEWORK_DIRS = [
  join('app', STANDALONE_DIR),
  join('src', 'app', STANDALONE_DIR),
  join('src', 'routes', STANDALONE_DIR),
];

const FILE_CANDIDATES = (kind: 'flow' | 'step') => [`${kind}.js`, `${kind}.mjs`, join(kind, 'route.js'), join(kind, '+server.js')];

export interface WorkflowOutput {
  dir: string;
  flow: string;
  /** Absent in a workflow@5 build. */
  step?: string;
  /** The line that built it: 4 with a step bundle, 5 without. */
  line: WorkflowLine;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

/** The bundles inside one output directory (flow and step, or a 5 line's flow alone), or undefined without a flow bundle. */
export async function readOutputDir(dir: string): Promise<WorkflowOutput | undefined> {
  const find = async (kind: 'flow' | 'step') => {
    for (const candidate of FILE_CANDIDATES(kind)) {
      if (await isFile(join(dir, candidate))) return join(dir, candidate);
    }
    return undefined;
  };
  const [flow, step] = [await find('flow'), await find('step')];
  if (!flow) return undefined;
  return step ? { dir, flow, step, line: '4' } : { dir, flow, line: '5' };
}

/** A framework's (e.g. Next.js) build output in the project, if there is one. */
export async function findFrameworkOutput(projectDir: string): Promise<WorkflowOutput | undefined> {
  for (const dir of FRAMEWORK_DIRS) {
    const found = await readOutputDir(resolve(projectDir, dir));
    if (found) return found;
  }
  return undefined;
}
