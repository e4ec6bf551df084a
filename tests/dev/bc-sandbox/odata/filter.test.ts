import { salesOrderTemplate } from '../../../../dev/bc-sandbox/entities';
import { matchesFilter, parseFilter } from '../../../../dev/bc-sandbox/odata/filter';

const template = salesOrderTemplate();
const order = {
  ...template,
  number: 'SO-1',
  status: 'Open',
  customerNumber: "O'Neil",
  lastModifiedDateTime: '2026-12-01T10:00:00.500Z',
  orderDate: '2026-11-30',
  totalAmountIncludingTax: 516,
  partialShipping: true,
  customerId: '3C2B1A09-8F7E-4D6C-B5A4-93827160F5E4',
};

const matches = (filter: string): boolean =>
  matchesFilter(parseFilter(filter, template, 'salesOrder'), order);

describe('OData $filter parser', () => {
  test.each([
    ["status eq 'Open'", true],
    ["status eq 'Draft'", false],
    ["status ne 'Draft'", true],
    ['lastModifiedDateTime gt 2026-12-01T10:00:00Z', true],
    ['lastModifiedDateTime gt 2026-12-01T10:00:00.500Z', false],
    ['lastModifiedDateTime ge 2026-12-01T10:00:00.500Z', true],
    ['lastModifiedDateTime lt 2026-12-01T11:00:00+01:00', false],
    ['orderDate eq 2026-11-30', true],
    ['orderDate lt 2026-11-30', false],
    ['totalAmountIncludingTax ge 516', true],
    ['partialShipping eq false', false],
    ["customerNumber eq 'O''Neil'", true],
    ['customerId eq 3c2b1a09-8f7e-4d6c-b5a4-93827160f5e4', true],
    ["status eq 'Open' and (number eq 'SO-1' or number eq 'SO-2')", true],
    ["not (status eq 'Open')", false],
    ["startswith(number,'SO-')", true],
    ["contains(customerNumber,'Ne')", true],
  ])('%s → %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  test.each([
    ["colour eq 'red'", /colour/],
    ["status eq 'Open' or number eq 'SO-1'", /OR/],
    ["lastModifiedDateTime gt '2026-12-01'", /incompatible/],
    ["status eq 'Open", /unterminated/],
    ['status eq Open', /not a valid literal/],
    ["status eq 'Open' and", /end of expression/],
  ])('%s is rejected', (filter, message) => {
    expect(() => parseFilter(filter, template, 'salesOrder')).toThrow(message);
  });
});
