import { formatColumns } from '../../dev/textTable';

describe('formatColumns', () => {
  test('pads columns to the widest cell', () => {
    expect(
      formatColumns([
        ['flow', 'retries'],
        ['salesOrders', '30'],
      ]),
    ).toEqual(['flow         retries', 'salesOrders  30']);
  });

  test('no rows give no lines', () => {
    expect(formatColumns([])).toEqual([]);
  });
});
