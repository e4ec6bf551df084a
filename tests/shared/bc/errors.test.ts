import { BusinessError, ConnectorError, TransientError } from '../../../shared/errors';
import {
  BcClientDefectError,
  errorForBcResponse,
  parseBcErrorBody,
  parseRetryAfter,
} from '../../../shared/bc/errors';

const base = { method: 'PATCH', path: 'salesOrders(x)/salesOrderLines(y)' };

describe('parseBcErrorBody', () => {
  test('reads code and message', () => {
    const text = JSON.stringify({
      error: { code: 'Application_FieldValidationException', message: 'Status must be Open.' },
    });
    expect(parseBcErrorBody(text)).toEqual({
      bcCode: 'Application_FieldValidationException',
      bcMessage: 'Status must be Open.',
    });
  });

  test('returns nothing for other bodies', () => {
    expect(parseBcErrorBody('')).toEqual({});
    expect(parseBcErrorBody('<html>Bad gateway</html>')).toEqual({});
    expect(parseBcErrorBody('null')).toEqual({});
    expect(parseBcErrorBody(JSON.stringify({ error: 'x' }))).toEqual({});
    expect(parseBcErrorBody(JSON.stringify({ error: { code: 42 } }))).toEqual({});
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');

  test('reads seconds', () => {
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
  });

  test('reads an HTTP date relative to now', () => {
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:02:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
  });

  test('ignores missing and malformed values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});

describe('errorForBcResponse', () => {
  test.each([
    [408, 'TIMEOUT'],
    [429, 'THROTTLED'],
    [500, 'SERVER_ERROR'],
    [502, 'SERVER_ERROR'],
    [503, 'UNAVAILABLE'],
    [504, 'TIMEOUT'],
  ])('status %i is transient %s', (status, code) => {
    const error = errorForBcResponse({ ...base, status, body: {}, retryAfterMs: 5000 });
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe(code);
    expect((error as TransientError).retryAfterMs).toBe(5000);
  });

  test('412 is a transient conflict', () => {
    const error = errorForBcResponse({ ...base, status: 412, body: {} });
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('CONFLICT');
  });

  test('409 Request_EntityChanged is a transient conflict', () => {
    const body = { bcCode: 'Request_EntityChanged', bcMessage: 'Another user has changed it.' };
    const error = errorForBcResponse({ ...base, status: 409, body });
    expect((error as TransientError).code).toBe('CONFLICT');
    expect((error as TransientError).details.bcCode).toBe('Request_EntityChanged');
  });

  test('401 is a transient auth error', () => {
    const error = errorForBcResponse({ ...base, status: 401, body: {} });
    expect((error as TransientError).code).toBe('AUTH');
  });

  test('other 4xx is a business error with BC details', () => {
    const body = {
      bcCode: 'Internal_RecordNotFound',
      bcMessage: 'The Sales Header does not exist.',
    };
    const error = errorForBcResponse({ ...base, status: 404, body });
    expect(error).toBeInstanceOf(BusinessError);
    const business = error as BusinessError;
    expect(business.code).toBe('BC_REJECTED');
    expect(business.details).toEqual({ status: 404, ...base, ...body });
    expect(business.message).toContain('Internal_RecordNotFound');
    expect(business.message).toContain('The Sales Header does not exist.');
  });

  test('BadRequest_InvalidToken is a client defect', () => {
    const body = { bcCode: 'BadRequest_InvalidToken', bcMessage: 'Could not validate the token.' };
    const error = errorForBcResponse({ ...base, status: 400, body });
    expect(error).toBeInstanceOf(BcClientDefectError);
    expect(error).not.toBeInstanceOf(ConnectorError);
    expect(error.message).toMatch(/defect in the connector/);
    expect((error as BcClientDefectError).details.bcCode).toBe('BadRequest_InvalidToken');
  });
});
