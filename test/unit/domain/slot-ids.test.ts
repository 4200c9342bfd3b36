// Slot ids as @workflow/world 5 defines them (slot-identity.js): `evnt_` and
// the 1-based position zero-padded to 26 digits, the first ten digits zero.
import { eventIdToSlot, nextSlotEventId, slotToEventId } from '../../../src/domain/slot-ids.js';

describe('slotToEventId', () => {
  it.each([
    [1, 'evnt_00000000000000000000000001'],
    [9, 'evnt_00000000000000000000000009'],
    [10, 'evnt_00000000000000000000000010'],
    [12345, 'evnt_00000000000000000000012345'],
    [Number.MAX_SAFE_INTEGER, 'evnt_00000000009007199254740991'],
  ])('%d → %s', (slot, id) => {
    expect(slotToEventId(slot)).toBe(id);
    expect(slotToEventId(slot)).toHaveLength(5 + 26);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])('refuses %s', (slot) => {
    expect(() => slotToEventId(slot)).toThrow(RangeError);
  });

  it('sorts as strings in slot order (fixed width)', () => {
    const slots = [1, 2, 9, 10, 11, 99, 100, 101, 999, 1000, 123456];
    const ids = slots.map(slotToEventId);
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('eventIdToSlot', () => {
  it('round-trips every slot from 1 to 5000 and around powers of ten', () => {
    const slots = Array.from({ length: 5000 }, (_, i) => i + 1);
    for (let p = 1; p <= 15; p++) slots.push(10 ** p - 1, 10 ** p, 10 ** p + 1);
    for (const slot of slots) expect(eventIdToSlot(slotToEventId(slot))).toBe(slot);
  });

  it('reads a bare body and any prefix, as the 5 package does', () => {
    expect(eventIdToSlot('00000000000000000000000007')).toBe(7);
    expect(eventIdToSlot('wevt_00000000000000000000000007')).toBe(7);
  });

  it.each([
    ['a ULID', 'evnt_01KBXQ2Z3R4S5T6V7W8X9Y0Z1A'],
    ['slot 0', 'evnt_00000000000000000000000000'],
    ['25 digits', 'evnt_0000000000000000000000001'],
    ['27 digits', 'evnt_000000000000000000000000001'],
    ['a digit in the first ten', 'evnt_10000000000000000000000001'],
    ['a letter', 'evnt_0000000000000000000000000A'],
    ['above the safe range', 'evnt_00000000009999999999999999'],
    ['empty', ''],
  ])('is null for %s', (_label, id) => {
    expect(eventIdToSlot(id)).toBeNull();
  });
});

describe('nextSlotEventId', () => {
  it('starts a log at slot 1 and continues it by one', () => {
    expect(nextSlotEventId(null)).toBe(slotToEventId(1));
    expect(nextSlotEventId(slotToEventId(1))).toBe(slotToEventId(2));
    expect(nextSlotEventId(slotToEventId(99))).toBe(slotToEventId(100));
  });

  it('refuses to continue a log the 4.x facade wrote, naming the problem', () => {
    expect(() => nextSlotEventId('evnt_01KBXQ2Z3R4S5T6V7W8X9Y0Z1A')).toThrow(
      expect.objectContaining({ name: 'WorkflowWorldError', status: 409, message: expect.stringMatching(/not slot-numbered.*workflow@4 facade/) }),
    );
  });
});
