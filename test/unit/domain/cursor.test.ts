import { decodeCursor, encodeCursor } from '../../../src/domain/cursor.js';

const expect400 = (fn: () => unknown, message: RegExp) => {
  try {
    fn();
  } catch (error) {
    expect((error as Error).name).toBe('WorkflowWorldError');
    expect((error as { status?: number }).status).toBe(400);
    expect((error as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected a 400 WorkflowWorldError');
};

describe('pagination cursors', () => {
  it('round-trips the last key within its scope', () => {
    const cursor = encodeCursor('events:wrun_1:asc', 'evnt_01ABC');
    expect(cursor).not.toContain('evnt_01ABC');
    expect(decodeCursor('events:wrun_1:asc', cursor)).toBe('evnt_01ABC');
  });

  it('round-trips keys with unicode and separators', () => {
    const key = 'name/with.dots:and-ünicode';
    expect(decodeCursor('s', encodeCursor('s', key))).toBe(key);
  });

  it('rejects a cursor from another listing', () => {
    expect400(() => decodeCursor('events:wrun_2:asc', encodeCursor('events:wrun_1:asc', 'k')), /different listing/);
  });

  it('rejects an edited cursor', () => {
    const cursor = encodeCursor('s', 'evnt_01ABC');
    const forged = Buffer.from(JSON.stringify({ s: 's', k: 'evnt_00000' })).toString('base64url') + cursor.slice(cursor.lastIndexOf('.'));
    expect400(() => decodeCursor('s', forged), /checksum/);
  });

  it('rejects garbage and truncation', () => {
    expect400(() => decodeCursor('s', 'garbage'), /malformed/);
    expect400(() => decodeCursor('s', ''), /malformed/);
    const cursor = encodeCursor('s', 'k');
    expect400(() => decodeCursor('s', cursor.slice(0, -2)), /checksum/);
    expect400(() => decodeCursor('s', cursor.slice(3)), /checksum|malformed/);
  });
});
