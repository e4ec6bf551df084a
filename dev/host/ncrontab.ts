/**
 * Six-field NCRONTAB schedules as the Functions timer trigger reads them:
 * `second minute hour day month day-of-week`, each field `*`, a number, a range `a-b`, a list
 * `a,b`, or a step `* /n` or `a-b/n` (written without the space). Times are UTC.
 */

const fieldRanges: readonly [number, number][] = [
  [0, 59], // second
  [0, 59], // minute
  [0, 23], // hour
  [1, 31], // day of month
  [1, 12], // month
  [0, 6], // day of week, Sunday = 0
];

function parseField(text: string, [min, max]: [number, number], position: number): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [rangeText, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let from = min;
    let to = max;
    if (rangeText !== '*' && rangeText !== undefined) {
      const [a, b] = rangeText.split('-');
      from = Number(a);
      if (b !== undefined) to = Number(b);
      else if (stepText === undefined) to = from;
      else to = max;
    }
    if (![from, to, step].every(Number.isInteger) || from < min || to > max || step < 1) {
      throw new Error(
        `Invalid NCRONTAB field ${position + 1} "${text}": expected values ${min}-${max}`,
      );
    }
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
}

export interface Schedule {
  next(after: Date): Date;
}

/** Parses a six-field NCRONTAB expression; throws an error naming the bad field. */
export function parseSchedule(expression: string): Schedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new Error(
      `Invalid NCRONTAB schedule "${expression}": expected 6 fields, got ${fields.length}`,
    );
  }
  const sets = fields.map((field, i) => parseField(field, fieldRanges[i] as [number, number], i));
  const [seconds, minutes, hours, days, months, weekdays] = sets as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  return {
    next(after: Date): Date {
      const candidate = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
      // A year of seconds bounds the search; every valid expression matches well within it.
      for (let i = 0; i < 366 * 24 * 3600; i++) {
        if (
          months.has(candidate.getUTCMonth() + 1) &&
          days.has(candidate.getUTCDate()) &&
          weekdays.has(candidate.getUTCDay()) &&
          hours.has(candidate.getUTCHours()) &&
          minutes.has(candidate.getUTCMinutes()) &&
          seconds.has(candidate.getUTCSeconds())
        ) {
          return candidate;
        }
        candidate.setTime(candidate.getTime() + 1000);
      }
      throw new Error(`NCRONTAB schedule "${expression}" has no occurrence within a year`);
    },
  };
}
