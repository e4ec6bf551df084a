import { JasciTokenCache, parseExpiry, type JasciToken } from '../../../shared/jasci/token';

function issuer(lifetimeMs: number, now: () => number) {
  let issued = 0;
  const obtain = async (): Promise<JasciToken> => {
    issued += 1;
    return { token: `token-${issued}`, obtainedAtMs: now(), expiresAtMs: now() + lifetimeMs };
  };
  return { obtain, count: () => issued };
}

describe('JasciTokenCache', () => {
  it('shares one request between concurrent callers', async () => {
    const source = issuer(3_600_000, () => 0);
    const cache = new JasciTokenCache(source.obtain, () => 0);

    const tokens = await Promise.all([cache.get(), cache.get(), cache.get()]);

    expect(tokens).toEqual(['token-1', 'token-1', 'token-1']);
    expect(source.count()).toBe(1);
  });

  it('renews 60 s before expiry', async () => {
    let clock = 0;
    const source = issuer(3_600_000, () => clock);
    const cache = new JasciTokenCache(source.obtain, () => clock);
    await cache.get();

    clock = 3_539_999;
    expect(await cache.get()).toBe('token-1');
    clock = 3_540_000;
    expect(await cache.get()).toBe('token-2');
  });

  it('renews a short-lived token at half its lifetime', async () => {
    let clock = 0;
    const source = issuer(10_000, () => clock);
    const cache = new JasciTokenCache(source.obtain, () => clock);
    await cache.get();

    clock = 4_999;
    expect(await cache.get()).toBe('token-1');
    clock = 5_000;
    expect(await cache.get()).toBe('token-2');
  });

  it('ignores invalidation of an already replaced token', async () => {
    const source = issuer(3_600_000, () => 0);
    const cache = new JasciTokenCache(source.obtain, () => 0);
    await cache.get();
    cache.invalidate('token-1');
    await cache.get();

    cache.invalidate('token-1');

    expect(await cache.get()).toBe('token-2');
  });

  it('lets the next caller retry after a failed request', async () => {
    let fail = true;
    const cache = new JasciTokenCache(
      async () => {
        if (fail) throw new Error('authenticate failed');
        return { token: 'ok', obtainedAtMs: 0, expiresAtMs: 3_600_000 };
      },
      () => 0,
    );

    await expect(cache.get()).rejects.toThrow('authenticate failed');
    fail = false;
    expect(await cache.get()).toBe('ok');
  });
});

describe('parseExpiry', () => {
  it.each([
    ['an ISO timestamp', '2026-02-02T11:30:00Z', Date.parse('2026-02-02T11:30:00Z')],
    ['epoch seconds', 1_770_031_800, 1_770_031_800_000],
    ['epoch milliseconds', 1_770_031_800_000, 1_770_031_800_000],
    ['epoch seconds as text', '1770031800', 1_770_031_800_000],
  ])('reads %s', (_name, value, expected) => {
    expect(parseExpiry(value)).toBe(expected);
  });

  it.each([
    ['nothing', undefined],
    ['text', 'tomorrow'],
    ['an object', {}],
  ])('rejects %s', (_name, value) => {
    expect(parseExpiry(value)).toBeUndefined();
  });
});
