import { app } from '@azure/functions';
import { settings } from '../shared/config/load';
import { functionTable } from './all';

// Read and check every setting once at start-up, so a missing or malformed one stops the app with
// a message that names it instead of failing on the first message.
settings();

for (const spec of functionTable) {
  switch (spec.trigger.type) {
    case 'http': {
      const { route, methods, authLevel } = spec.trigger;
      app.http(spec.name, { route, methods, authLevel, handler: spec.handler as never });
      break;
    }
    case 'timer':
      app.timer(spec.name, { schedule: spec.trigger.schedule, handler: spec.handler as never });
      break;
    case 'serviceBus': {
      const { queueName, connection } = spec.trigger;
      app.serviceBusQueue(spec.name, { queueName, connection, handler: spec.handler as never });
      break;
    }
  }
}
