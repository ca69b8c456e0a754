/**
 * pnpm --filter @repo/load-generator exec tsx src/cli.ts --url http://127.0.0.1:3000/api/x \
 *   --rate 500 --duration 10s --warmup 3s --header 'Cookie: sid=…' [--json]
 */
import { parseCliArguments, usage, type CliCommand } from './cli-arguments';
import { findMaxRate } from './find-max-rate';
import { runOpenLoop } from './run-open-loop';
import { formatRunSummary, formatStepSummary } from './summary-line';

let command: CliCommand;
try {
  command = parseCliArguments(process.argv.slice(2));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
  process.exit(2);
}

// With --json the result owns stdout, so a pipe gets only JSON; the summary still reaches a person.
const summaryOut = command.kind !== 'help' && command.json ? console.error : console.log;

try {
  if (command.kind === 'help') {
    console.log(usage);
  } else if (command.kind === 'run') {
    const result = await runOpenLoop(command.options);
    summaryOut(formatRunSummary(result));
    if (command.json) console.log(JSON.stringify(result));
  } else {
    const found = await findMaxRate(command.options);
    for (const step of found.steps) summaryOut(formatStepSummary(step));
    summaryOut(
      found.highestPassingRate === null
        ? `no rate kept p99 under ${found.p99TargetMs} ms with no errors and nothing late`
        : `highest rate with p99 under ${found.p99TargetMs} ms, no errors, nothing late: ${found.highestPassingRate}/s`,
    );
    if (command.json) console.log(JSON.stringify(found));
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
