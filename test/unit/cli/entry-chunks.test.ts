// The Lambda entry is split into chunks, except when a chunk loaded with
// import() would start from a CommonJS module: esbuild's chunk of such a
// module exposes only `default`, so the entry is then built as one file.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { dynamicCommonJsChunks } from '../../../src/cli/deploy/bundle.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'entry-chunks-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(path: string, text: string): Promise<void> {
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await writeFile(join(dir, path), text);
}

async function metafile(entry: string) {
  const result = await build({ entryPoints: [join(dir, entry)], outdir: join(dir, 'out'), bundle: true, splitting: true, format: 'esm', platform: 'node', metafile: true, write: false, logLevel: 'silent' });
  return result.metafile;
}

it('finds a CommonJS module loaded with import()', async () => {
  await put('lazy.cjs', 'exports.named = () => 1;\n');
  await put('entry.mjs', "export const load = () => import('./lazy.cjs').then((m) => m.named);\n");
  expect(dynamicCommonJsChunks(await metafile('entry.mjs'))).toEqual([expect.stringMatching(/lazy\.cjs$/)]);
});

it('accepts ESM loaded with import(), and CommonJS imported statically', async () => {
  await put('lazy.mjs', 'export const named = () => 1;\n');
  await put('eager.cjs', 'exports.other = 2;\n');
  await put('entry.mjs', "import { other } from './eager.cjs';\nexport const load = () => import('./lazy.mjs').then((m) => m.named() + other);\n");
  expect(dynamicCommonJsChunks(await metafile('entry.mjs'))).toEqual([]);
});
