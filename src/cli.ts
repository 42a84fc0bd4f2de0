import { parseArgs } from 'node:util';
import { ConfigError, errorMessage } from './errors';
import { InputError, UsageError } from './cli/io';
import { loadDotEnv } from './env-file';
import { runCheck } from './cli/check';
import { runIngest, runList, runShow, runApprove, runAudit } from './cli/runs';
import { runInvestigate } from './cli/investigate';
import { runExport, runReplay } from './cli/history';
import { runDemo } from './demo';

const USAGE = `Usage: soar <command> [options]

Commands:
  check <file|->                      Report, per document, whether it is the rule's event and which clause fails (JSON lines; no server needed)
  ingest <file|->                     Start one workflow per matching alert (JSON array, NDJSON or Kibana webhook body)
  list [--phase <phase>] [--verdict <v>] [--host <h>] [--user <u>] [--state <s>] [--decision <a>]
                                      List alert runs; --phase awaiting-decision shows the pending approvals.
                                      The other filters match the run's search attributes exactly
  show <alert>                        Show one run's state: answers, verdict, decision and steps
  approve <alert> --action <action> --as <name> [--comment <text>]
                                      Decide on an alert (actions: preserve, contain, isolate, close-benign, exception)
  audit <alert> [--format text|json|markdown|html] [--verify]
                                      Print the audit timeline read from the workflow history; --verify
                                      recomputes the SHA-256 of each preserved item (exit 1 on a mismatch)
  export <alert> | --query <q> --out <dir>
                                      Write run histories as JSON files (one per run) into <dir>
  replay [--query <q>] [<file>...]    Replay histories (files, or runs matching the query) against the
                                      current workflow code; exit 1 when any run is non-deterministic
  investigate <alert-file> --telemetry <file> [--telemetry <file> ...]
                                      Run the questions and the verdict on exported data, without Temporal
  demo                                Run the embedded stack on the bundled alerts and print the results

<alert> is an alert id or a workflow id. Temporal is reached at TEMPORAL_ADDRESS, else the local
dev server on 127.0.0.1:TEMPORAL_DEV_PORT that 'npm start' runs.
`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      action: { type: 'string' },
      as: { type: 'string' },
      comment: { type: 'string' },
      format: { type: 'string', default: 'text' },
      phase: { type: 'string' },
      verdict: { type: 'string' },
      host: { type: 'string' },
      user: { type: 'string' },
      state: { type: 'string' },
      decision: { type: 'string' },
      verify: { type: 'boolean' },
      query: { type: 'string' },
      out: { type: 'string' },
      telemetry: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...args] = positionals;
  if (values.help === true || command === undefined) {
    process.stdout.write(USAGE);
    return command === undefined && values.help !== true ? 2 : 0;
  }

  switch (command) {
    case 'check':
      return runCheck(requireArg(args, 'a file path or -'));
    case 'ingest':
      return runIngest(requireArg(args, 'a file path or -'));
    case 'list':
      return runList(values.phase, {
        verdict: values.verdict,
        host: values.host,
        user: values.user,
        state: values.state,
        decision: values.decision,
      });
    case 'show':
      return runShow(requireArg(args, 'an alert id'));
    case 'approve':
      return runApprove(requireArg(args, 'an alert id'), {
        action: requireOption(values.action, '--action'),
        approver: requireOption(values.as, '--as'),
        comment: values.comment,
      });
    case 'audit':
      return runAudit(requireArg(args, 'an alert id'), values.format, values.verify === true);
    case 'export':
      return runExport({ alert: args[0], query: values.query }, values.out);
    case 'replay':
      return runReplay(args, values.query);
    case 'investigate':
      return runInvestigate(requireArg(args, 'an alert file'), values.telemetry ?? []);
    case 'demo':
      return runDemo();
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

function requireArg(args: string[], what: string): string {
  const [first] = args;
  if (first === undefined) throw new UsageError(`missing argument: ${what}`);
  return first;
}

function requireOption(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing option ${name}`);
  return value;
}

loadDotEnv();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`soar: ${errorMessage(error)}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof InputError) {
      process.stderr.write(`soar: ${error.message}\n`);
      process.exitCode = 1;
    } else if (error instanceof ConfigError) {
      process.stderr.write(`soar: ${error.message}\n`);
      process.exitCode = 2;
    } else {
      // The crash handler of an entry point is the one place that writes to the console directly.
      console.error(`soar: ${errorMessage(error)}`);
      process.exitCode = 1;
    }
  },
);
