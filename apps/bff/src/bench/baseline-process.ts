import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BaselineTask, CallsResult, RawFulfilmentResult, StreamResult } from './baselines';

const here = path.dirname(fileURLToPath(import.meta.url));

type Answer =
  { type: 'ready' } | { type: 'result'; result: unknown } | { type: 'failure'; message: string };

type ResultOf<T extends BaselineTask> = T extends { type: 'calls' }
  ? CallsResult
  : T extends { type: 'stream' }
    ? StreamResult
    : RawFulfilmentResult;

/** The baselines of baselines.ts in a process of their own, on one database. */
export class BaselineProcess {
  private constructor(private readonly child: ChildProcess) {}

  static async start(database: string): Promise<BaselineProcess> {
    const child = fork(path.join(here, 'baselines.ts'), [database], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const baseline = new BaselineProcess(child);
    await baseline.next();
    return baseline;
  }

  async run<T extends BaselineTask>(task: T): Promise<ResultOf<T>> {
    const answer = this.next();
    this.child.send(task);
    return (await answer) as ResultOf<T>;
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.disconnect();
    });
  }

  private next(): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`the baseline process exited with ${code}`));
      this.child.once('exit', onExit);
      this.child.once('message', (answer: Answer) => {
        this.child.off('exit', onExit);
        if (answer.type === 'failure') reject(new Error(answer.message));
        else resolve(answer.type === 'result' ? answer.result : undefined);
      });
    });
  }
}

/** Starts a baseline process, runs `work` with it, and stops it however `work` ends. */
export async function withBaselines<T>(
  database: string,
  work: (baselines: BaselineProcess) => Promise<T>,
): Promise<T> {
  const baselines = await BaselineProcess.start(database);
  try {
    return await work(baselines);
  } finally {
    await baselines.stop();
  }
}
