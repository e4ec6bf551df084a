import { retryDelayMs } from '../../../shared/messaging/retry';

describe('retryDelayMs', () => {
  const delays = [60, 300, 900];

  it.each([
    [1, 60_000],
    [2, 300_000],
    [3, 900_000],
  ])('after attempt %i waits %i ms', (attempt, expected) => {
    expect(retryDelayMs(attempt, delays)).toBe(expected);
  });

  it('is exhausted after the last delay', () => {
    expect(retryDelayMs(4, delays)).toBeUndefined();
    expect(retryDelayMs(9, delays)).toBeUndefined();
  });

  it('is exhausted at once without delays', () => {
    expect(retryDelayMs(1, [])).toBeUndefined();
  });

  it('honours a longer Retry-After', () => {
    expect(retryDelayMs(1, delays, 120_000)).toBe(120_000);
  });

  it('keeps the configured delay over a shorter Retry-After', () => {
    expect(retryDelayMs(2, delays, 5_000)).toBe(300_000);
  });

  it('ignores Retry-After once exhausted', () => {
    expect(retryDelayMs(4, delays, 5_000)).toBeUndefined();
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects attempt %p', (attempt) => {
    expect(() => retryDelayMs(attempt, delays)).toThrow(RangeError);
  });
});
