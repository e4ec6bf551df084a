import { BusinessError, TransientError } from '../../../shared/errors';
import {
  errorForResponse,
  parseErrorBody,
  parseRetryAfter,
} from '../../../shared/jasci/httpErrors';

const nowMs = Date.parse('2026-02-02T10:30:00Z');
const request = { method: 'PUT', path: '/V1/outbound-orders/SO-1' };

describe('parseRetryAfter', () => {
  it.each([
    ['delay seconds', '120', 120_000],
    ['zero seconds', '0', 0],
    ['an HTTP date', 'Mon, 02 Feb 2026 10:30:30 GMT', 30_000],
    ['a past HTTP date', 'Mon, 02 Feb 2026 10:00:00 GMT', 0],
    ['surrounding spaces', ' 5 ', 5_000],
  ])('reads %s', (_name, header, expected) => {
    expect(parseRetryAfter(header, nowMs)).toBe(expected);
  });

  it.each([
    ['no header', null],
    ['an unreadable value', 'soon'],
    ['a negative number', '-5'],
  ])('ignores %s', (_name, header) => {
    expect(parseRetryAfter(header, nowMs)).toBeUndefined();
  });
});

describe('parseErrorBody', () => {
  it('reads the errors array', () => {
    const body = JSON.stringify({ errors: [{ code: 'INVALID_FIELD', message: 'city: required' }] });
    expect(parseErrorBody(body)).toEqual({ code: 'INVALID_FIELD', message: 'city: required' });
  });

  it('reads the error and message variant', () => {
    const body = JSON.stringify({ error: 'Bad Request', message: 'warehouse unknown' });
    expect(parseErrorBody(body)).toEqual({ code: 'Bad Request', message: 'warehouse unknown' });
  });

  it.each([
    ['text', 'Service Unavailable'],
    ['an empty body', ''],
    ['an empty errors array', '{"errors":[]}'],
    ['a JSON string', '"oops"'],
  ])('returns nothing for %s', (_name, body) => {
    expect(parseErrorBody(body)).toEqual({});
  });
});

describe('errorForResponse', () => {
  it('makes 502 a transient SERVER_ERROR', () => {
    const error = errorForResponse(request, 502, '', null, nowMs);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.code).toBe('SERVER_ERROR');
  });

  it('makes 404 on a write a business rejection', () => {
    const body = JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: 'no such warehouse' }] });
    const error = errorForResponse(request, 404, body, null, nowMs);
    expect(error).toBeInstanceOf(BusinessError);
    expect(error.message).toContain('PUT /V1/outbound-orders/SO-1');
    expect(error.message).toContain('NOT_FOUND: no such warehouse');
    expect(error.details).toMatchObject({ status: 404, jasciCode: 'NOT_FOUND' });
  });

  it('uses the conflict hint in place of the generic advice', () => {
    const error = errorForResponse(request, 409, '', null, nowMs, 'Stop it in JASCI.');
    expect(error.message).toContain('Stop it in JASCI.');
    expect(error.message).not.toContain('replay');
  });
});
