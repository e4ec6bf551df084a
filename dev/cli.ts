import { ConfigError } from '../shared/errors';
import { FailuresUsageError, runFailuresCommand } from './failures/command';
import { parsePreviewOptions, UsageError } from './preview/options';
import { previewSalesOrderFile } from './preview/salesOrder';

/** Output streams of the CLI; tests capture both. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Exit codes: 0 success, 1 usage or input file problem, 2 business error in the document. */
export const ExitCode = { Ok: 0, Usage: 1, Business: 2 } as const;

export const usage = `Usage: connector preview sales-order FILE [options]
       connector failures COMMAND [options]   (see connector failures --help)

Prints the JASCI outbound order(s) that the connector would send for a BC sales order, without
calling BC or JASCI. FILE holds one BC sales order with salesOrderLines, a BC response with a
"value" list of orders, or a case file whose "input" is the order.

Options:
  --location <locationId>=<code>   BC location code of a line's locationId (repeatable)
  --locations FILE                 location codes: a BC locations response or { "<id>": "<code>" }
  --warehouse <code>=<warehouse>   JASCI warehouse of a BC location code (repeatable)
  --map FILE                       warehouse map: { "<code>": "<warehouse>" }
  --default-warehouse WAREHOUSE    JASCI warehouse for lines without a location
  --context FILE                   { "locations": {...}, "warehouses": {...}, "defaultWarehouse": "..." }
  --help                           print this text

Single --location and --warehouse values override the files.

Exit codes: 0 printed the orders (an empty list when nothing would be sent), 1 invalid command line,
unreadable file, not a sales order, or an order read without $expand=salesOrderLines, 2 the order
cannot be sent (the message names the field and the fix).
`;

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code. Every error,
 * expected or not, becomes a message on stderr, so no stack trace reaches the user.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof FailuresUsageError) {
      io.stderr(`${error.message}\n`);
      return ExitCode.Usage;
    }
    if (error instanceof ConfigError) {
      io.stderr(
        `${error.message}\nSet them in the environment or in the file given with --settings.\n`,
      );
      return ExitCode.Usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`Unexpected error: ${message}\n`);
    return ExitCode.Usage;
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv[0] === 'failures') return runFailuresCommand(argv.slice(1), io);
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(usage);
    return ExitCode.Ok;
  }
  const [command, documentKind, ...rest] = argv;
  if (command === undefined) {
    io.stderr(usage);
    return ExitCode.Usage;
  }
  if (command !== 'preview') throw new UsageError(`Unknown command '${command}'; run with --help`);
  if (documentKind !== 'sales-order') {
    const got = documentKind === undefined ? 'nothing' : `'${documentKind}'`;
    throw new UsageError(`preview supports sales-order, got ${got}; run with --help`);
  }
  const options = await parsePreviewOptions(rest);
  const result = await previewSalesOrderFile(options.file, options.context);
  for (const note of result.notes) io.stderr(`${note}\n`);
  if (result.errors.length > 0) {
    for (const error of result.errors) io.stderr(`${error}\n`);
    return ExitCode.Business;
  }
  io.stdout(`${JSON.stringify(result.orders, null, 2)}\n`);
  return ExitCode.Ok;
}

if (require.main === module) {
  const io: CliIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  };
  void runCli(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
