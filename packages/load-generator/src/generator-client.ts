import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { GeneratorMessage, ParentMessage } from './generator-messages';
import type { OpenLoopPlan } from './open-loop-plan';
import type { OpenLoopResult } from './open-loop-result';

const generatorEntry = fileURLToPath(new URL('./generator-process.ts', import.meta.url));
// The package ships TypeScript source, so the child needs tsx's loader; resolved from this
// package, since the caller's working directory may not see it.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * A generator in a process of its own. Start it once and run several plans on it (as
 * `findMaxRate` does) to pay the process start-up once.
 */
export class GeneratorProcess {
  private exited: Promise<void>;
  private exitError: Error | undefined;
  private pending: ((message: GeneratorMessage) => void) | undefined;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      const stop = (error: Error) => {
        this.exitError ??= error;
        this.pending?.({ type: 'failure', message: this.exitError.message });
        resolve();
      };
      child.once('exit', (code, signal) =>
        stop(new Error(`The load generator process exited (${signal ?? `code ${code}`}) early`)),
      );
      child.once('error', stop);
    });
    child.on('message', (message: GeneratorMessage) => this.pending?.(message));
  }

  static async start(): Promise<GeneratorProcess> {
    const child = fork(generatorEntry, [], {
      execArgv: ['--import', tsxLoader],
      // Structured clone: request bodies and the request order are typed arrays.
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const generator = new GeneratorProcess(child);
    const first = await generator.next();
    if (first.type !== 'ready') {
      await generator.close();
      throw new Error(first.type === 'failure' ? first.message : 'Unexpected first message');
    }
    return generator;
  }

  async run(plan: OpenLoopPlan): Promise<OpenLoopResult> {
    if (this.pending !== undefined) throw new Error('One run at a time per generator process');
    const answer = this.next();
    this.child.send({ type: 'run', plan } satisfies ParentMessage);
    const message = await answer;
    if (message.type === 'result') return message.result;
    throw new Error(message.type === 'failure' ? message.message : 'Unexpected message');
  }

  async close(): Promise<void> {
    if (this.child.connected) this.child.disconnect();
    await this.exited;
  }

  private next(): Promise<GeneratorMessage> {
    if (this.exitError !== undefined) return Promise.reject(this.exitError);
    return new Promise((resolve) => {
      this.pending = (message) => {
        this.pending = undefined;
        resolve(message);
      };
    });
  }
}
