// The domain stays pure: no adapters, no AWS SDK, no Node I/O.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(process.cwd(), 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3]!,
  );
}

const FORBIDDEN_IN_DOMAIN: RegExp[] = [
  /^@aws-sdk\//,
  /^@smithy\//,
  /^inversify/,
  /^(node:)?(fs|fs\/promises|net|http|https|http2|dgram|child_process|worker_threads|cluster|dns|tls|readline|process|os)$/,
  /(^|\/)adapters\//,
  /(^|\/)application\//,
  /(^|\/)cli\//,
  /(^|\/)container\//,
];

describe('architecture', () => {
  const domainFiles = sourceFiles(join(root, 'domain'));

  it('has domain sources to check', () => {
    expect(domainFiles.length).toBeGreaterThan(3);
  });

  it.each(domainFiles.map((f) => [relative(root, f), f]))('%s imports nothing from adapters, the AWS SDK or Node I/O', (_name, file) => {
    const offending = importsOf(file).filter((spec) => FORBIDDEN_IN_DOMAIN.some((rule) => rule.test(spec)));
    expect(offending).toEqual([]);
  });

  it('ports depend only on the domain and the contract packages', () => {
    for (const file of sourceFiles(join(root, 'ports'))) {
      const offending = importsOf(file).filter((spec) => !spec.startsWith('../domain/') && !spec.startsWith('./') && !spec.startsWith('@workflow/'));
      expect({ file: relative(root, file), offending }).toEqual({ file: relative(root, file), offending: [] });
    }
  });
});

describe('structure', () => {
  const files = sourceFiles(root);

  it('keeps process-wide state in the one process-scope module', () => {
    // Code only: generated code held in strings (the Lambda entry deploy writes) is the user's bundle, not ours.
    const code = (f: string) =>
      readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|`(?:\\[\s\S]|[^`\\])*`|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"/g, '""');
    const offending = files.filter((f) => relative(root, f) !== 'process-scope.ts' && /\bglobalThis\b/.test(code(f)));
    expect(offending.map((f) => relative(root, f))).toEqual([]);
  });

  it('config depends on nothing of the package outside config/', () => {
    for (const file of sourceFiles(join(root, 'config'))) {
      const offending = importsOf(file).filter((spec) => spec.startsWith('.') && !spec.startsWith('./'));
      expect({ file: relative(root, file), offending }).toEqual({ file: relative(root, file), offending: [] });
    }
  });

  it('infra serves the CLI and the local AWS, and imports neither the CLI nor the world', () => {
    for (const file of sourceFiles(join(root, 'infra'))) {
      const offending = importsOf(file).filter((spec) => /(^|\/)(cli|world)\//.test(spec));
      expect({ file: relative(root, file), offending }).toEqual({ file: relative(root, file), offending: [] });
    }
  });

  it('has no import loop', () => {
    const resolveSpec = (from: string, spec: string): string | undefined => {
      const base = join(from, '..', spec.replace(/\.js$/, '.ts'));
      return files.includes(base) ? base : files.find((f) => f === join(base.replace(/\.ts$/, ''), 'index.ts'));
    };
    const graph = new Map(files.map((f) => [f, importsOf(f).filter((s) => s.startsWith('.')).flatMap((s) => resolveSpec(f, s) ?? [])]));
    const state = new Map<string, 'open' | 'done'>();
    const loops: string[][] = [];
    const visit = (file: string, path: string[]): void => {
      state.set(file, 'open');
      for (const next of graph.get(file)!) {
        if (state.get(next) === 'open') loops.push([...path.slice(path.indexOf(next)), next].map((f) => relative(root, f)));
        else if (!state.has(next)) visit(next, [...path, next]);
      }
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file, [file]);
    expect(loops).toEqual([]);
  });
});
