import { BlobStore, containerClientFor } from '../../../shared/archive/blobStore';
import { BusinessError } from '../../../shared/errors';
import { applyClaimCheck, resolvePayload } from '../../../shared/messaging/claimCheck';
import type { Envelope } from '../../../shared/messaging/envelope';
import { useAzurite } from '../../helpers/azurite';

const azurite = useAzurite();

const base: Envelope = {
  kind: 'purchaseOrder.upsert',
  documentKey: 'PO-1',
  version: 'v1',
  attempt: 1,
  firstEnqueuedAt: '2024-05-01T10:00:01.000Z',
  correlationId: 'corr-1',
  payload: { lines: Array.from({ length: 50 }, (_, i) => ({ lineNumber: i, item: `ITEM-${i}` })) },
};

describe('claim check', () => {
  let store: BlobStore;

  beforeAll(() => {
    store = new BlobStore(containerClientFor(azurite.settings));
  });

  it('leaves an envelope under the threshold unchanged', async () => {
    const checked = await applyClaimCheck(base, store, 1_000_000);
    expect(checked).toBe(base);
  });

  it('round-trips a payload above the threshold', async () => {
    const checked = await applyClaimCheck(base, store, 100);
    expect(checked.payload).toBeUndefined();
    expect(checked.payloadBlob).toMatch(/^claim-check\/purchaseOrder\.upsert\/PO-1\/v1-/);
    expect(checked.documentKey).toBe('PO-1');
    await expect(resolvePayload(checked, store)).resolves.toEqual(base.payload);
  });

  it('names different payloads of one version apart', async () => {
    const first = await applyClaimCheck(base, store, 100);
    const second = await applyClaimCheck({ ...base, payload: { other: true } }, store, 10);
    expect(first.payloadBlob).not.toBe(second.payloadBlob);
  });

  it('returns an inline payload without reading storage', async () => {
    await expect(resolvePayload(base, store)).resolves.toBe(base.payload);
  });

  it('raises INVALID_PAYLOAD for a missing claim-check blob', async () => {
    const error = await resolvePayload(
      { ...base, payload: undefined, payloadBlob: 'claim-check/gone.json' },
      store,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusinessError);
    expect((error as BusinessError).code).toBe('INVALID_PAYLOAD');
  });
});
