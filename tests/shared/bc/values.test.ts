import {
  BLANK_DATE,
  ZERO_GUID,
  blankToUndefined,
  dateOrUndefined,
  edmDate,
  edmDateTime,
  edmGuid,
  filterAnd,
  filterCompare,
  filterEq,
  filterIsBlank,
  filterIsNotBlank,
  guidOrUndefined,
  isBlankDate,
  isZeroGuid,
  odataLiteral,
} from '../../../shared/bc/values';

describe('blank values read from BC', () => {
  test('blankToUndefined drops empty and whitespace text', () => {
    expect(blankToUndefined('')).toBeUndefined();
    expect(blankToUndefined('   ')).toBeUndefined();
    expect(blankToUndefined(undefined)).toBeUndefined();
    expect(blankToUndefined(null)).toBeUndefined();
    expect(blankToUndefined('Unit 4')).toBe('Unit 4');
    expect(blankToUndefined(' padded ')).toBe(' padded ');
  });

  test('isBlankDate accepts date and date-time forms', () => {
    expect(isBlankDate('0001-01-01')).toBe(true);
    expect(isBlankDate('0001-01-01T00:00:00Z')).toBe(true);
    expect(isBlankDate('0001-01-01T00:00:00.000Z')).toBe(true);
    expect(isBlankDate('2026-12-03')).toBe(false);
    expect(isBlankDate('0001-01-02')).toBe(false);
  });

  test('dateOrUndefined drops blank dates only', () => {
    expect(dateOrUndefined(BLANK_DATE)).toBeUndefined();
    expect(dateOrUndefined('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(dateOrUndefined('')).toBeUndefined();
    expect(dateOrUndefined(undefined)).toBeUndefined();
    expect(dateOrUndefined('2026-12-03')).toBe('2026-12-03');
    expect(dateOrUndefined('2026-12-01T09:14:22.817Z')).toBe('2026-12-01T09:14:22.817Z');
  });

  test('isZeroGuid ignores letter case', () => {
    expect(isZeroGuid(ZERO_GUID)).toBe(true);
    expect(isZeroGuid('7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d')).toBe(false);
    expect(isZeroGuid('00000000-0000-0000-0000-00000000000A'.toLowerCase())).toBe(false);
  });

  test('guidOrUndefined drops zero GUID and empty text', () => {
    expect(guidOrUndefined(ZERO_GUID)).toBeUndefined();
    expect(guidOrUndefined('')).toBeUndefined();
    expect(guidOrUndefined(undefined)).toBeUndefined();
    expect(guidOrUndefined('7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d')).toBe(
      '7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d',
    );
  });
});

describe('odataLiteral', () => {
  test('quotes strings and doubles embedded quotes', () => {
    expect(odataLiteral('SO-104319')).toBe("'SO-104319'");
    expect(odataLiteral("O'Neil's")).toBe("'O''Neil''s'");
    expect(odataLiteral('')).toBe("''");
  });

  test('writes numbers, booleans and dates without quotes', () => {
    expect(odataLiteral(10000)).toBe('10000');
    expect(odataLiteral(2.5)).toBe('2.5');
    expect(odataLiteral(true)).toBe('true');
    expect(odataLiteral(false)).toBe('false');
    expect(odataLiteral(new Date('2026-12-01T10:00:00Z'))).toBe('2026-12-01T10:00:00.000Z');
    expect(odataLiteral(edmDate('2026-12-01'))).toBe('2026-12-01');
    expect(odataLiteral(edmDateTime('2026-12-01T10:00:00Z'))).toBe('2026-12-01T10:00:00Z');
    expect(odataLiteral(edmGuid('7A8B9C0D-1E2F-4A3B-9C4D-5E6F7A8B9C0D'))).toBe(
      '7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d',
    );
  });

  test('rejects null, undefined and non-finite numbers', () => {
    expect(() => odataLiteral(null as unknown as string)).toThrow(/no nulls/);
    expect(() => odataLiteral(undefined as unknown as string)).toThrow(/filterIsBlank/);
    expect(() => odataLiteral(Number.NaN)).toThrow(RangeError);
    expect(() => odataLiteral(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  test('Edm helpers reject malformed values', () => {
    expect(() => edmDate('01/12/2026')).toThrow(/YYYY-MM-DD/);
    expect(() => edmDateTime('2026-12-01T10:00:00')).toThrow(/time zone/);
    expect(() => edmGuid('not-a-guid')).toThrow(/8-4-4-4-12/);
  });
});

describe('filter builders', () => {
  test('filterEq and filterCompare write field, operator and literal', () => {
    expect(filterEq('orderNumber', 'PO-20617')).toBe("orderNumber eq 'PO-20617'");
    expect(filterCompare('lastModifiedDateTime', 'gt', edmDateTime('2026-12-01T10:00:00Z'))).toBe(
      'lastModifiedDateTime gt 2026-12-01T10:00:00Z',
    );
    expect(filterCompare('sequence', 'ge', 10000)).toBe('sequence ge 10000');
  });

  test('filterIsBlank uses BC blank values for every kind', () => {
    expect(filterIsBlank('externalDocumentNumber', 'text')).toBe("externalDocumentNumber eq ''");
    expect(filterIsBlank('requestedDeliveryDate', 'date')).toBe(
      'requestedDeliveryDate eq 0001-01-01',
    );
    expect(filterIsBlank('postingDateTime', 'dateTime')).toBe(
      'postingDateTime eq 0001-01-01T00:00:00Z',
    );
    expect(filterIsBlank('locationId', 'guid')).toBe(
      'locationId eq 00000000-0000-0000-0000-000000000000',
    );
  });

  test('filterIsNotBlank negates with ne', () => {
    expect(filterIsNotBlank('locationId', 'guid')).toBe(`locationId ne ${ZERO_GUID}`);
    expect(filterIsNotBlank('shipToContact', 'text')).toBe("shipToContact ne ''");
  });

  test('no builder ever writes null', () => {
    const kinds = ['text', 'date', 'dateTime', 'guid'] as const;
    for (const kind of kinds) {
      expect(filterIsBlank('field', kind)).not.toMatch(/null/);
      expect(filterIsNotBlank('field', kind)).not.toMatch(/null/);
    }
  });

  test('field names with operators or quotes are rejected', () => {
    expect(() => filterEq("number eq 'x' or 1 eq 1", 'y')).toThrow(/Invalid OData field name/);
    expect(() => filterIsBlank("a'b", 'text')).toThrow(/Invalid OData field name/);
    expect(filterEq('location/code', 'MAIN')).toBe("location/code eq 'MAIN'");
  });

  test('filterAnd joins clauses and brackets only or-clauses', () => {
    expect(filterAnd("status eq 'Open'", 'lastModifiedDateTime gt 2026-12-01T10:00:00Z')).toBe(
      "status eq 'Open' and lastModifiedDateTime gt 2026-12-01T10:00:00Z",
    );
    expect(filterAnd("status eq 'Open'", "number eq 'A' or number eq 'B'")).toBe(
      "status eq 'Open' and (number eq 'A' or number eq 'B')",
    );
    expect(filterAnd('', "status eq 'Open'")).toBe("status eq 'Open'");
    expect(filterAnd()).toBe('');
  });
});
