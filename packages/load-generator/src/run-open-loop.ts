import { GeneratorProcess } from './generator-client';
import { planOpenLoop, type OpenLoopOptions } from './open-loop-plan';
import type { OpenLoopResult } from './open-loop-result';

/**
 * Sends requests on a fixed schedule (`rate` per second for `warmupMs` then `durationMs`) from a
 * process of its own, and reports what the measured requests waited, counted from the moment each
 * was due to be sent.
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const plan = planOpenLoop(options);
  const generator = await GeneratorProcess.start();
  try {
    return await generator.run(plan);
  } finally {
    await generator.close();
  }
}
