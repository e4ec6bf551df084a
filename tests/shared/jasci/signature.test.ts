import { createHmac } from 'node:crypto';
import {
  signJasciEvent,
  verifyJasciSignature,
  verifySharedSecret,
} from '../../../shared/jasci/signature';

const secret = 'whsec-test-0123456789';
const body = Buffer.from('{"event":"shipment.closed","eventId":"evt-1","lines":[]}');
const timestamp = 1_770_000_000;
const nowMs = timestamp * 1000;

function reasonOf(result: ReturnType<typeof verifyJasciSignature>): string {
  return result.ok ? '' : result.reason;
}

function check(overrides: Partial<Parameters<typeof verifyJasciSignature>[0]> = {}) {
  return verifyJasciSignature({
    secret,
    signatureHeader: signJasciEvent(secret, timestamp, body),
    timestampHeader: String(timestamp),
    rawBody: body,
    nowMs,
    toleranceSeconds: 300,
    ...overrides,
  });
}

describe('signJasciEvent', () => {
  it('computes sha256= HMAC over timestamp dot body', () => {
    const expected = createHmac('sha256', secret)
      .update(`${timestamp}.${body.toString()}`)
      .digest('hex');
    expect(signJasciEvent(secret, timestamp, body)).toBe(`sha256=${expected}`);
  });

  it('gives the same value for string and Buffer bodies', () => {
    expect(signJasciEvent(secret, timestamp, body.toString())).toBe(
      signJasciEvent(secret, timestamp, body),
    );
  });

  it('rejects a fractional timestamp', () => {
    expect(() => signJasciEvent(secret, 1.5, body)).toThrow(RangeError);
  });
});

describe('verifyJasciSignature', () => {
  it('accepts a valid signature', () => {
    expect(check()).toEqual({ ok: true });
  });

  it('accepts upper-case hex digits', () => {
    const hex = signJasciEvent(secret, timestamp, body).slice('sha256='.length);
    const header = `sha256=${hex.toUpperCase()}`;
    expect(check({ signatureHeader: header })).toEqual({ ok: true });
  });

  it('rejects a tampered body', () => {
    const result = check({ rawBody: Buffer.from(body.toString().replace('evt-1', 'evt-2')) });
    expect(result).toMatchObject({ ok: false, code: 'SIGNATURE_MISMATCH' });
  });

  it('rejects a signature made with another secret', () => {
    const result = check({ signatureHeader: signJasciEvent('other-secret', timestamp, body) });
    expect(result).toMatchObject({ ok: false, code: 'SIGNATURE_MISMATCH' });
  });

  it('rejects a signature replayed with another timestamp', () => {
    const result = check({ timestampHeader: String(timestamp + 1) });
    expect(result).toMatchObject({ ok: false, code: 'SIGNATURE_MISMATCH' });
  });

  it('rejects a timestamp older than the tolerance', () => {
    const result = check({ nowMs: nowMs + 301_000 });
    expect(result).toMatchObject({ ok: false, code: 'TIMESTAMP_OUTSIDE_TOLERANCE' });
    expect(reasonOf(result)).toContain('301 s');
  });

  it('rejects a timestamp further in the future than the tolerance', () => {
    const result = check({ nowMs: nowMs - 301_000 });
    expect(result).toMatchObject({ ok: false, code: 'TIMESTAMP_OUTSIDE_TOLERANCE' });
  });

  it('accepts a timestamp at the edge of the tolerance', () => {
    expect(check({ nowMs: nowMs + 300_000 })).toEqual({ ok: true });
    expect(check({ nowMs: nowMs - 300_000 })).toEqual({ ok: true });
  });

  it.each([
    ['signature', { signatureHeader: undefined }, 'X-Jasci-Signature'],
    ['empty signature', { signatureHeader: '' }, 'X-Jasci-Signature'],
    ['timestamp', { timestampHeader: undefined }, 'X-Jasci-Timestamp'],
    ['null timestamp', { timestampHeader: null }, 'X-Jasci-Timestamp'],
  ])('reports a missing %s header', (_name, overrides, header) => {
    const result = check(overrides);
    expect(result).toMatchObject({ ok: false, code: 'MISSING_HEADER' });
    expect(reasonOf(result)).toContain(header);
  });

  it.each([
    ['signature without prefix', { signatureHeader: 'abc123' }],
    ['signature with another algorithm', { signatureHeader: `sha1=${'a'.repeat(40)}` }],
    ['signature of the wrong length', { signatureHeader: `sha256=${'a'.repeat(63)}` }],
    ['signature with non-hex digits', { signatureHeader: `sha256=${'g'.repeat(64)}` }],
    ['timestamp in ISO form', { timestampHeader: '2026-02-02T10:30:00Z' }],
    ['negative timestamp', { timestampHeader: '-5' }],
  ])('reports a malformed %s', (_name, overrides) => {
    expect(check(overrides)).toMatchObject({ ok: false, code: 'MALFORMED_HEADER' });
  });
});

describe('verifySharedSecret', () => {
  it('accepts the configured secret', () => {
    expect(verifySharedSecret('shared-1', 'shared-1')).toBe(true);
  });

  it.each([
    ['a different value', 'shared-2'],
    ['a prefix', 'shared'],
    ['a longer value', 'shared-1x'],
    ['an empty value', ''],
    ['no header', undefined],
    ['a null header', null],
  ])('rejects %s', (_name, header) => {
    expect(verifySharedSecret('shared-1', header)).toBe(false);
  });

  it('rejects everything when no secret is configured', () => {
    expect(verifySharedSecret('', '')).toBe(false);
  });
});
