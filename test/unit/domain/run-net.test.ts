// Timing of a run's safety net: due once a lease taken at its send counts as
// lapsed; covers new work only while its successor can still be armed in time.
import { LEASE_SKEW_MARGIN_MS, leaseLapsed } from '../../../src/domain/delivery/lease.js';
import { RUN_NET_REARM_LEAD_MS, runNetCovers, runNetDelayMs, runNetRearmInMs } from '../../../src/domain/delivery/run-net.js';

describe('runNetDelayMs', () => {
  it.each([3, 30, 60, 900])('is the lease (%i s) plus the skew margin plus 1 s', (leaseSeconds) => {
    expect(runNetDelayMs(leaseSeconds)).toBe(leaseSeconds * 1000 + LEASE_SKEW_MARGIN_MS + 1000);
  });

  it('falls due when a lease taken at the send counts as lapsed for any contender', () => {
    const sentAt = 1_000_000;
    const leaseEndsAt = sentAt + 60_000;
    expect(leaseLapsed(leaseEndsAt, sentAt + runNetDelayMs(60))).toBe(true);
    expect(leaseLapsed(leaseEndsAt, sentAt + runNetDelayMs(60) - 1001)).toBe(false);
  });
});

describe('runNetCovers', () => {
  const due = 100_000;
  it('covers while more than the re-arm lead is left', () => {
    expect(runNetCovers(due, due - RUN_NET_REARM_LEAD_MS - 1)).toBe(true);
  });
  it.each([0, 1, RUN_NET_REARM_LEAD_MS])('does not cover with %i ms or less of the lead left', (left) => {
    expect(runNetCovers(due, due - left)).toBe(false);
  });
  it('does not cover once due or past', () => {
    expect(runNetCovers(due, due)).toBe(false);
    expect(runNetCovers(due, due + 5)).toBe(false);
  });
});

describe('runNetRearmInMs', () => {
  it('arms the successor the lead before the net falls due', () => {
    expect(runNetRearmInMs(100_000, 20_000)).toBe(100_000 - RUN_NET_REARM_LEAD_MS - 20_000);
  });
  it('at once when that moment has passed', () => {
    expect(runNetRearmInMs(100_000, 95_000)).toBe(0);
    expect(runNetRearmInMs(100_000, 200_000)).toBe(0);
  });
});
