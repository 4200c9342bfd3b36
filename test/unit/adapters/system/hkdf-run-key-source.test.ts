import { hkdfSync } from 'node:crypto';
import { HkdfRunKeySource } from '../../../../src/adapters/system/hkdf-run-key-source.js';

const master = new Uint8Array(32).fill(9);

describe('HkdfRunKeySource', () => {
  it('derives the same 32-byte key for a run every time, in any instance', async () => {
    const a = await new HkdfRunKeySource(master, 'prod').keyForRun('wrun_1');
    const b = await new HkdfRunKeySource(new Uint8Array(master), 'prod').keyForRun('wrun_1');
    expect(a).toHaveLength(32);
    expect(Buffer.from(a!).equals(Buffer.from(b!))).toBe(true);
  });

  it('is HKDF-SHA256 with a zero salt and "<installation>|<runId>" as info', async () => {
    const expected = new Uint8Array(hkdfSync('sha256', master, new Uint8Array(32), 'prod|wrun_1', 32));
    expect(await new HkdfRunKeySource(master, 'prod').keyForRun('wrun_1')).toEqual(expected);
  });

  it('gives other runs and other installations other keys', async () => {
    const source = new HkdfRunKeySource(master, 'prod');
    const one = Buffer.from((await source.keyForRun('wrun_1'))!);
    expect(one.equals(Buffer.from((await source.keyForRun('wrun_2'))!))).toBe(false);
    expect(one.equals(Buffer.from((await new HkdfRunKeySource(master, 'staging').keyForRun('wrun_1'))!))).toBe(false);
  });

  it('returns undefined without a master key: payloads stay unencrypted', async () => {
    expect(await new HkdfRunKeySource(undefined, 'prod').keyForRun('wrun_1')).toBeUndefined();
  });
});
