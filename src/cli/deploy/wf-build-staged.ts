// The Workflow builder writes .well-known/, .swc/ and a .gitignore line into
// the directory it runs in. Deploy runs it (route-build.ts) in a staging
// directory under the out directory instead, whose entries link to the
// project's top-level files, so the project itself is left exactly as it was.
import { lstat, mkdir, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { runRouteBuild } from './route-build.js';
import { STANDALONE_DIR } from './workflow-output.js';

/** Under the out directory. */
export const STAGING_DIR = 'wf';

/** The build's own output, never linked in (it would land back in the project). */
const NOT_LINKED = new Set(['.well-known', '.swc', '.gitignore', '.git']);

export function stagedOutputDir(outDir: string): string {
  return join(outDir, STAGING_DIR, STANDALONE_DIR);
}

export async function stageProject(projectDir: string, outDir: string): Promise<string> {
  const staging = join(outDir, STAGING_DIR);
  await mkdir(staging, { recursive: true });
  const skip = new Set(NOT_LINKED);
  // The out directory itself, when it sits in the project.
  const rel = relative(projectDir, outDir);
  if (rel && !rel.startsWith('..')) skip.add(rel.split(/[\\/]/)[0]!);
  const entries = await readdir(projectDir, { withFileTypes: true });
  for (const entry of entries) {
    if (skip.has(entry.name)) continue;
    const target = resolve(projectDir, entry.name);
    const link = join(staging, entry.name);
    const existing = await lstat(link).catch(() => undefined);
    if (existing?.isSymbolicLink() && resolve(staging, await readlink(link)) === target) continue;
    if (existing) await rm(link, { recursive: true, force: true });
    // Junctions need no privilege on Windows; elsewhere the type is ignored.
    await symlink(target, link, entry.isDirectory() ? 'junction' : 'file');
  }
  return staging;
}

export async function runStagedWfBuild(projectDir: string, outDir: string): Promise<string> {
  const staging = await stageProject(projectDir, outDir);
  // An earlier build's routes (e.g. `wf build`'s flow.js, which would be found first) must not survive.
  await rm(join(staging, '.well-known'), { recursive: true, force: true });
  await runRouteBuild(projectDir, { cwd: staging });
  return stagedOutputDir(outDir);
}

export function describeStaging(outDir: string): string {
  return `${basename(outDir)}/${STAGING_DIR}`;
}
