import type { OpenLoopPlan } from './open-loop-plan';
import type { OpenLoopResult } from './open-loop-result';

/** What crosses the IPC channel between the caller and the generator process. */
export type ParentMessage = { type: 'run'; plan: OpenLoopPlan };

export type GeneratorMessage =
  | { type: 'ready' }
  | { type: 'result'; result: OpenLoopResult }
  | { type: 'failure'; message: string };
