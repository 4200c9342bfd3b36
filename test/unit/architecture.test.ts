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
