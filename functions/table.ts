import type {
  HttpHandler,
  HttpMethod,
  InvocationContext,
  ServiceBusQueueHandler,
  TimerHandler,
} from '@azure/functions';

/** The Service Bus connection setting every queue trigger names. */
export const serviceBusConnection = 'ServiceBusConnection';

export type FunctionSpec =
  | {
      name: string;
      trigger: {
        type: 'http';
        route: string;
        methods: HttpMethod[];
        authLevel: 'anonymous' | 'function';
      };
      handler: HttpHandler;
    }
  | {
      name: string;
      /** NCRONTAB schedule; `%NAME%` is read from the app setting NAME, as the Functions host does. */
      trigger: { type: 'timer'; schedule: string };
      handler: TimerHandler;
    }
  | {
      name: string;
      /** Queue name; `%NAME%` is read from the app setting NAME. A dead-letter queue ends in `/$DeadLetterQueue`. */
      trigger: { type: 'serviceBus'; queueName: string; connection: string };
      handler: ServiceBusQueueHandler;
    };

/** Service Bus trigger metadata fields the handlers read. */
export interface ServiceBusMetadata {
  messageId?: string;
  deliveryCount?: number;
  deadLetterReason?: string;
  deadLetterErrorDescription?: string;
}

export function serviceBusMetadata(context: InvocationContext): ServiceBusMetadata {
  const meta = context.triggerMetadata ?? {};
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const properties = (meta.applicationProperties ?? {}) as Record<string, unknown>;
  return {
    messageId: text(meta.messageId),
    deliveryCount: typeof meta.deliveryCount === 'number' ? meta.deliveryCount : undefined,
    deadLetterReason: text(meta.deadLetterReason) ?? text(properties.DeadLetterReason),
    deadLetterErrorDescription:
      text(meta.deadLetterErrorDescription) ?? text(properties.DeadLetterErrorDescription),
  };
}

/** Resolves `%NAME%` placeholders from the environment, as the Functions host does for bindings. */
export function resolveSettingExpression(
  expression: string,
  env: Record<string, string | undefined>,
  defaults: Record<string, string> = {},
): string {
  return expression.replace(/%([A-Za-z0-9_]+)%/g, (_match, name: string) => {
    const value = env[name] ?? defaults[name];
    if (value === undefined || value === '') {
      throw new Error(
        `Setting ${name} is missing; it is used in the trigger expression ${expression}`,
      );
    }
    return value;
  });
}
