import { decodeTableKey, encodeTableKey } from '../../../shared/state/keys';

describe('encodeTableKey', () => {
  it.each(['SO-1001', 'PO/2024', 'a\\b', '#1', 'what?', '100%', 'tab\there', '\u0085', 'Ünïcode'])(
    'round-trips %j',
    (value) => {
      const key = encodeTableKey(value);
      expect(key).not.toMatch(/[/\\#?\u0000-\u001f\u007f-\u009f]/);
      expect(decodeTableKey(key)).toBe(value);
    },
  );

  it('keeps ordinary keys unchanged', () => {
    expect(encodeTableKey('SO-1001')).toBe('SO-1001');
  });

  it('shortens very long keys to distinct values', () => {
    const a = encodeTableKey(`${'x'.repeat(600)}a`);
    const b = encodeTableKey(`${'x'.repeat(600)}b`);
    expect(a.length).toBeLessThanOrEqual(512);
    expect(a).not.toBe(b);
  });
});
