// The static import graph of a source file: what a production install loads
// when it imports it (type-only imports vanish at compile time; `import()` is
// not followed).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Static `import … from 'x'` / `export … from 'x'` / `import 'x'`, not `import('x')`. */
export function staticImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of source.matchAll(/^\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
    // Type-only imports vanish at compile time.
    if (!/^\s*(?:import|export)\s+type\s/.test(match[0])) found.push(match[1]!);
  }
  return found;
}

/** Every source file reached from `entry` (absolute paths) and every package imported on the way. */
export function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(resolve(entry));
  return { files, packages };
}
