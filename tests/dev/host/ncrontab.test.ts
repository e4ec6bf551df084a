import { parseSchedule } from '../../../dev/host/ncrontab';

const at = (iso: string) => new Date(iso);

describe('parseSchedule', () => {
  test('every two minutes at second zero', () => {
    const schedule = parseSchedule('0 */2 * * * *');
    expect(schedule.next(at('2026-12-04T10:00:30Z')).toISOString()).toBe(
      '2026-12-04T10:02:00.000Z',
    );
    expect(schedule.next(at('2026-12-04T10:02:00Z')).toISOString()).toBe(
      '2026-12-04T10:04:00.000Z',
    );
  });

  test('every five seconds', () => {
    const schedule = parseSchedule('*/5 * * * * *');
    expect(schedule.next(at('2026-12-04T10:00:01.500Z')).toISOString()).toBe(
      '2026-12-04T10:00:05.000Z',
    );
  });

  test('lists, ranges and weekdays', () => {
    const schedule = parseSchedule('0 30 9-17 * * 1-5');
    // 2026-12-05 is a Saturday, so the next run is Monday 09:30.
    expect(schedule.next(at('2026-12-04T17:45:00Z')).toISOString()).toBe(
      '2026-12-07T09:30:00.000Z',
    );
    const list = parseSchedule('0 0,15 * * * *');
    expect(list.next(at('2026-12-04T10:00:00Z')).toISOString()).toBe('2026-12-04T10:15:00.000Z');
  });

  test('rejects five fields', () => {
    expect(() => parseSchedule('*/5 * * * *')).toThrow('expected 6 fields, got 5');
  });

  test('rejects an out-of-range value', () => {
    expect(() => parseSchedule('0 61 * * * *')).toThrow('field 2 "61"');
  });
});
