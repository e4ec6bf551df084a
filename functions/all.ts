import { toBcDeadLetter, toJasciDeadLetter } from './deadLetter';
import { jasciEvents } from './jasciEvents';
import { salesOrdersPoll } from './salesOrdersPoll';
import type { FunctionSpec } from './table';
import { toBcWorker } from './toBcWorker';
import { toJasciWorker } from './toJasciWorker';

/** Every function of the app. `index.ts` registers them with the Functions host; the local host runs them. */
export const functionTable: readonly FunctionSpec[] = [
  salesOrdersPoll,
  toJasciWorker,
  jasciEvents,
  toBcWorker,
  toJasciDeadLetter,
  toBcDeadLetter,
];
