/**
 * The generator process: forked by `GeneratorProcess.start()`, it runs one plan at a time and
 * sends the result back. It has nothing else on its event loop, so a server that blocks its own
 * loop cannot also stop the schedule.
 */
import { executePlan } from './open-loop-engine';
import type { GeneratorMessage, ParentMessage } from './generator-messages';

function reply(message: GeneratorMessage) {
  process.send?.(message);
}

process.on('message', (message: ParentMessage) => {
  if (message.type !== 'run') return;
  executePlan(message.plan).then(
    (result) => reply({ type: 'result', result }),
    (error: unknown) =>
      reply({
        type: 'failure',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  );
});

// The parent went away: nobody is left to read a result.
process.on('disconnect', () => process.exit(0));

reply({ type: 'ready' });
