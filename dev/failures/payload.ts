import * as v from 'valibot';
import { parseSalesOrderSnapshot } from '../../shared/bc/salesOrder';
import { issueField, issueMessage, jasciShipmentEventSchema } from '../../shared/jasci/wire';
import type { MessageKind } from '../../shared/messaging/envelope';

/**
 * Returns one `field: problem` line per invalid field of `payload` as a payload of `kind`, or an
 * empty list when it is valid. Only salesOrder.upsert and shipment.post have a schema here, so
 * a payload of any other kind always returns an empty list.
 */
export function payloadProblems(kind: MessageKind, payload: unknown): string[] {
  if (kind === 'salesOrder.upsert') {
    const parsed = parseSalesOrderSnapshot(payload);
    return parsed.ok ? [] : parsed.problems;
  }
  if (kind === 'shipment.post') {
    const parsed = v.safeParse(jasciShipmentEventSchema, payload);
    if (parsed.success) return [];
    return parsed.issues.map(
      (issue) => `${issueField(issue) ?? '(payload)'}: ${issueMessage(issue)}`,
    );
  }
  return [];
}
