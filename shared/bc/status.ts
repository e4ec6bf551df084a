/**
 * Document status as the BC API v2.0 reports it on salesOrders and purchaseOrders. The API
 * translates BC's own status names:
 *
 *   BC status            API status
 *   Open                 Draft
 *   Released             Open
 *   Pending Prepayment   Open
 *   Pending Approval     In Review  (sometimes XML-escaped as In_x0020_Review)
 */

export const ApiDocumentStatus = {
  /** BC "Open": still being edited, not for the warehouse. */
  Draft: 'Draft',
  /** BC "Released" (and "Pending Prepayment"): ready for the warehouse. */
  Open: 'Open',
  /** BC "Pending Approval". */
  InReview: 'In Review',
} as const;
export type ApiDocumentStatus = (typeof ApiDocumentStatus)[keyof typeof ApiDocumentStatus];

/** Decodes XML name escapes such as `_x0020_` (space) that BC may put in enum values. */
export function decodeXmlNameEscapes(value: string): string {
  return value.replace(/_x([0-9A-Fa-f]{4})_/g, (_match, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

/** Returns the API status with XML escapes decoded, e.g. 'In_x0020_Review' → 'In Review'. */
export function normalizeStatus(status: string): string {
  return decodeXmlNameEscapes(status).trim();
}

/** Returns true when the API status means BC "Released", the only state sent to the warehouse. */
export function isReleased(status: string | undefined): boolean {
  return status !== undefined && normalizeStatus(status) === ApiDocumentStatus.Open;
}

/** Returns true when the API status means BC "Pending Approval". */
export function isPendingApproval(status: string | undefined): boolean {
  return status !== undefined && normalizeStatus(status) === ApiDocumentStatus.InReview;
}

/** The `$filter` clause that selects released documents. */
export const RELEASED_FILTER = `status eq '${ApiDocumentStatus.Open}'`;
