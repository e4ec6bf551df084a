import { formatSummary } from './demo/summary';
import { runDemo } from './demo/scenario';
import type { HostLogEntry } from './host';

const usage = `Usage: npm run demo [-- --json] [-- --orders N]

Runs the connector end to end on the local stack (Azurite, the Service Bus emulator and the BC
and JASCI sandboxes, all on 127.0.0.1) and prints a per-flow summary.

  --json       print the summary as one JSON object on the last line of stdout
  --orders N   generated released sales orders on top of the scenario's special cases (default 12)
  --verbose    print every log line of the connector's functions to stderr
  --help       print this text`;

function parseArgs(argv: string[]): { json: boolean; orders: number; verbose: boolean } {
  let json = false;
  let verbose = false;
  let orders = 12;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') json = true;
    else if (arg === '--verbose') verbose = true;
    else if (arg === '--orders') {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 0 || value > 5000) {
        throw new Error('--orders expects a whole number from 0 to 5000');
      }
      orders = value;
    } else if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    } else {
      throw new Error(`Unknown option ${arg}; run with --help for the options`);
    }
  }
  return { json, orders, verbose };
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
  const progress = (line: string) => console.error(`[demo] ${line}`);
  const onLog = args.verbose
    ? (entry: HostLogEntry) =>
        console.error(
          `${entry.time.toISOString()} ${entry.level} ${entry.functionName} ${entry.message}` +
            (entry.fields ? ` ${JSON.stringify(entry.fields)}` : ''),
        )
    : undefined;
  const summary = await runDemo({ generatedOrders: args.orders, progress, onLog });
  if (args.json) {
    console.log(JSON.stringify(summary));
  } else {
    console.log(formatSummary(summary));
  }
  return summary.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`Demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
