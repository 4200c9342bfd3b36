// dotenv text: KEY=value lines, values quoted only when they need it.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** `commented`: settings listed with their defaults, commented out, to uncomment and change. */
export interface DotenvExtras {
  header?: string;
  commented?: { heading: string; values: Record<string, string> };
}

export function formatDotenv(env: Record<string, string>, extras: DotenvExtras | string = {}): string {
  const { header, commented } = typeof extras === 'string' ? { header: extras, commented: undefined } : extras;
  const lines = header ? header.split('\n').map((line) => `# ${line}`) : [];
  for (const [key, value] of Object.entries(env)) lines.push(`${key}=${quote(value)}`);
  if (commented) {
    lines.push('', ...commented.heading.split('\n').map((line) => `# ${line}`));
    for (const [key, value] of Object.entries(commented.values)) lines.push(`# ${key}=${quote(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

function quote(value: string): string {
  return /^[\w@%+=:,./-]*$/.test(value) ? value : JSON.stringify(value);
}

/** Writes atomically (temp file + rename) so a crash never leaves half a file. */
export async function writeDotenv(path: string, env: Record<string, string>, extras?: DotenvExtras | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, formatDotenv(env, extras), { mode: 0o644 });
  await rename(temp, path);
}
