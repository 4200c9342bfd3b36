// The sort-key half of key conditions for every cursor position and order.
import { prefixUpperBound, sortCondition } from '../../../../src/adapters/aws/dynamodb/query-pages.js';

describe('sortCondition', () => {
  const steps = { attr: 'sk', prefix: 'S#' };
  const events = { attr: 'sk', floor: '#head' };
  const runs = { attr: 'runId' };

  it('without a cursor: the prefix, the floor, or nothing', () => {
    expect(sortCondition(steps, 'asc')).toEqual({ expression: 'begins_with(sk, :prefix)', values: { ':prefix': { S: 'S#' } }, excluded: [], empty: false });
    expect(sortCondition(events, 'desc')).toEqual({ expression: 'sk > :floor', values: { ':floor': { S: '#head' } }, excluded: [], empty: false });
    expect(sortCondition(runs, 'desc')).toEqual({ values: {}, excluded: [], empty: false });
  });

  it('asc after a cursor: exclusive, and bounded by the prefix', () => {
    expect(sortCondition(runs, 'asc', 'wrun_B')).toEqual({ expression: 'runId > :after', values: { ':after': { S: 'wrun_B' } }, excluded: [], empty: false });
    expect(sortCondition(steps, 'asc', 'S#step_1')).toEqual({
      expression: 'sk BETWEEN :after AND :upper',
      values: { ':after': { S: 'S#step_1' }, ':upper': { S: 'S$' } },
      excluded: ['S#step_1', 'S$'],
      empty: false,
    });
    expect(sortCondition(events, 'asc', 'evnt_1')).toMatchObject({ expression: 'sk > :after' });
    expect(sortCondition(events, 'asc', '!')).toMatchObject({ expression: 'sk > :floor' });
    expect(sortCondition(steps, 'asc', 'T')).toMatchObject({ empty: true });
  });

  it('desc after a cursor: exclusive, and bounded below', () => {
    expect(sortCondition(runs, 'desc', 'wrun_B')).toEqual({ expression: 'runId < :after', values: { ':after': { S: 'wrun_B' } }, excluded: [], empty: false });
    expect(sortCondition(steps, 'desc', 'S#step_2')).toEqual({
      expression: 'sk BETWEEN :lower AND :after',
      values: { ':lower': { S: 'S#' }, ':after': { S: 'S#step_2' } },
      excluded: ['S#step_2'],
      empty: false,
    });
    expect(sortCondition(events, 'desc', 'evnt_2')).toMatchObject({ excluded: ['evnt_2', '#head'] });
    expect(sortCondition(events, 'desc', '#head')).toMatchObject({ empty: true });
  });

  it('prefixUpperBound is the next string after the whole prefix range', () => {
    expect(prefixUpperBound('S#')).toBe('S$');
    expect(prefixUpperBound('W#')).toBe('W$');
  });
});
