import type { JasciShipmentEvent } from '../../../../shared/jasci/wire';
import type { LogFields, Logger } from '../../../../shared/logging';

/** A `shipment.closed` event for sales order SO-104317: 3 TENT-2P on line 10000. */
export function shipmentEvent(overrides: Partial<JasciShipmentEvent> = {}): JasciShipmentEvent {
  return {
    event: 'shipment.closed',
    eventId: 'evt-5001',
    timestamp: '2026-12-03T09:58:00Z',
    shipmentNumber: 'SH-88001',
    orderNumber: 'SO-104317',
    erpOrderNumber: 'SO-104317',
    warehouseCode: 'WH-EAST',
    carrier: 'UPS',
    lines: [{ lineNumber: 10000, product: 'TENT-2P', quantity: 3, uom: 'PCS' }],
    ...overrides,
  };
}

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields?: LogFields;
}

/** A logger that keeps every line, so tests can check what was logged and what was not. */
export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];

  info(message: string, fields?: LogFields): void {
    this.entries.push({ level: 'info', message, fields });
  }

  warn(message: string, fields?: LogFields): void {
    this.entries.push({ level: 'warn', message, fields });
  }

  error(message: string, fields?: LogFields): void {
    this.entries.push({ level: 'error', message, fields });
  }

  messages(level: LogEntry['level']): string[] {
    return this.entries.filter((entry) => entry.level === level).map((entry) => entry.message);
  }
}

/** Returns a copy of `value` without `key`, to build events that lack a field. */
export function omit<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  const copy = { ...value };
  delete copy[key];
  return copy;
}
