import * as v from 'valibot';
import type { BcClient } from '../../bc/client';

/*
 * The BC reads that posting a shipment needs: the open sales order with its lines (quantities and
 * ETags), and the posted sales shipments of an order.
 */

/** The BC client methods the shipment flow calls; a BcClient satisfies it. */
export type ShipmentBcClient = Pick<BcClient, 'get' | 'patch' | 'post' | 'listPages'>;

const id = v.pipe(v.string(), v.minLength(1, 'must not be empty'));
const quantity = v.pipe(v.number('must be a number'), v.finite('must be a finite number'));
/** Qty. to Ship and Qty. to Invoice: undefined when BC left them out of the response. */
const optionalQuantity = v.optional(quantity);

const orderLineSchema = v.object({
  id,
  '@odata.etag': v.pipe(v.string('missing; BC returns an ETag on every line'), v.minLength(1)),
  sequence: v.pipe(v.number(), v.integer()),
  lineType: v.optional(v.string(), ''),
  lineObjectNumber: v.optional(v.string(), ''),
  unitOfMeasureCode: v.optional(v.string(), ''),
  quantity,
  shippedQuantity: v.optional(quantity, 0),
  shipQuantity: optionalQuantity,
  invoiceQuantity: optionalQuantity,
});

const salesOrderSchema = v.object({
  id,
  number: id,
  salesOrderLines: v.array(orderLineSchema, 'missing; read the order with $expand=salesOrderLines'),
});

const shipmentLineSchema = v.object({
  sequence: v.pipe(v.number(), v.integer()),
  quantity,
});

const salesShipmentSchema = v.object({
  number: id,
  orderNumber: v.optional(v.string(), ''),
  lastModifiedDateTime: v.optional(v.string(), ''),
  salesShipmentLines: v.optional(v.array(shipmentLineSchema)),
});

export type OrderLine = v.InferOutput<typeof orderLineSchema>;
export type SalesOrder = v.InferOutput<typeof salesOrderSchema>;
export type SalesShipment = v.InferOutput<typeof salesShipmentSchema>;

/** Quotes a value for an OData `$filter`: single quotes inside are doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Reads the sales order with number `orderNumber` and its lines, or undefined when BC has no open
 * order with that number (it may have been fully posted or deleted).
 */
export async function findSalesOrder(
  bc: ShipmentBcClient,
  orderNumber: string,
): Promise<SalesOrder | undefined> {
  const response = await bc.get<{ value?: unknown }>('salesOrders', {
    filter: `number eq ${odataString(orderNumber)}`,
    expand: 'salesOrderLines',
  });
  const orders = Array.isArray(response.value) ? response.value : [];
  const first: unknown = orders[0];
  if (first === undefined) return undefined;
  return parseBcResponse(salesOrderSchema, first, `sales order ${orderNumber}`);
}

/** Reads every posted sales shipment of `orderNumber` with its lines. */
export async function listSalesShipments(
  bc: ShipmentBcClient,
  orderNumber: string,
): Promise<SalesShipment[]> {
  const shipments: SalesShipment[] = [];
  const pages = bc.listPages<unknown>('salesShipments', {
    filter: `orderNumber eq ${odataString(orderNumber)}`,
    expand: 'salesShipmentLines',
  });
  for await (const page of pages) {
    for (const item of page) {
      shipments.push(
        parseBcResponse(salesShipmentSchema, item, `sales shipment of ${orderNumber}`),
      );
    }
  }
  return shipments;
}

/**
 * Validates a BC response. A shape the connector cannot read is not the document's fault and a
 * retry would not change it, so it is thrown as a plain Error and the message is dead-lettered.
 */
function parseBcResponse<T>(schema: v.GenericSchema<unknown, T>, value: unknown, what: string): T {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const problems = result.issues
    .map((issue) => `${v.getDotPath(issue) ?? '(body)'}: ${issue.message}`)
    .join('; ');
  throw new Error(`BC returned ${what} in an unexpected shape: ${problems}`);
}
