import { formatFields, loggerFrom, withFields } from '../../shared/logging';
import { captureLogger } from './messaging/captureLogger';

describe('loggerFrom', () => {
  it('writes the message and JSON fields as one line', () => {
    const lines: unknown[][] = [];
    const context = {
      log: (...args: unknown[]) => lines.push(['log', ...args]),
      warn: (...args: unknown[]) => lines.push(['warn', ...args]),
      error: (...args: unknown[]) => lines.push(['error', ...args]),
    };
    const log = loggerFrom(context);
    log.info('Started', { flow: 'salesOrders', attempt: 2 });
    log.warn('Plain');
    log.error('Failed', { code: 'X' });
    expect(lines).toEqual([
      ['log', 'Started {"flow":"salesOrders","attempt":2}'],
      ['warn', 'Plain'],
      ['error', 'Failed {"code":"X"}'],
    ]);
  });
});

describe('formatFields', () => {
  it('serialises errors with name, code and message', () => {
    const error = Object.assign(new Error('boom'), { code: 'E1' });
    expect(JSON.parse(formatFields({ error }))).toEqual({
      error: { name: 'Error', code: 'E1', message: 'boom' },
    });
  });

  it('reports a cycle instead of throwing', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(formatFields({ cyclic })).toContain('logFieldsError');
  });

  it('serialises bigints as strings', () => {
    expect(formatFields({ sequence: 12n })).toBe('{"sequence":"12"}');
  });
});

describe('withFields', () => {
  it('adds fields and lets entry fields win', () => {
    const log = captureLogger();
    withFields(log, { flow: 'a', attempt: 1 }).info('x', { attempt: 2 });
    expect(log.entries[0]?.fields).toEqual({ flow: 'a', attempt: 2 });
  });
});
