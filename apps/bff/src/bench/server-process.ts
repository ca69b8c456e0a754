/**
 * Starts the servers of servers.ts, each in a process of its own, and reads what the kernel
 * knows of each: CPU time used and resident memory (Linux's /proc, as on the machines the bench
 * runs on). Several instances of one kind make a group, with one URL each.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type ServerKind = 'bff' | 'bare' | 'express';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLOCK_TICKS_PER_SECOND = 100;

type Message = { type: string; port?: number; error?: string };

export class ServerProcess {
  private constructor(
    readonly kind: ServerKind,
    readonly url: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(
    kind: ServerKind,
    database: string,
    env: Record<string, string> = {},
  ): Promise<ServerProcess> {
    const child = fork(path.join(here, 'servers.ts'), [kind, database], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...env },
      // The BFF logs every request as in production; the lines go nowhere.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      const onMessage = (message: Message) => {
        if (message.type !== 'listening') return;
        child.off('message', onMessage);
        resolve(message.port!);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`the ${kind} server exited with ${code}`)));
    });
    return new ServerProcess(kind, `http://127.0.0.1:${port}`, child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** User and system CPU time the process has used since it started, in seconds. */
  cpuSeconds(): number {
    // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
    const fields = fs.readFileSync(`/proc/${this.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  }

  private status(field: 'VmRSS' | 'VmHWM'): number {
    const line = fs
      .readFileSync(`/proc/${this.pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`));
    return Number(line?.match(/(\d+) kB/)?.[1] ?? 0) * 1024;
  }

  /** Resident memory now, in bytes. */
  rssBytes(): number {
    return this.status('VmRSS');
  }

  /** The highest resident memory since the last resetPeakRss (or since the start), in bytes. */
  peakRssBytes(): number {
    return this.status('VmHWM');
  }

  resetPeakRss(): void {
    fs.writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
  }

  /** Starts V8's CPU profiler in the server, or stops it and writes the profile to `file`. */
  async profile(action: 'start' | 'stop', file?: string): Promise<void> {
    const answer = new Promise<Message>((resolve) => {
      const onMessage = (message: Message) => {
        if (message.type !== 'profiled') return;
        this.child.off('message', onMessage);
        resolve(message);
      };
      this.child.on('message', onMessage);
    });
    this.child.send({ type: 'profile', action, file });
    const { error } = await answer;
    if (error) throw new Error(`profiling the ${this.kind} server: ${error}`);
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}

/** One or more instances of a server on the same database, as behind a load balancer. */
export class ServerGroup {
  private constructor(readonly instances: ServerProcess[]) {}

  /** Started one after the other: the first migrates, the others find it done. */
  static async start(
    kind: ServerKind,
    database: string,
    count: number,
    env: Record<string, string> = {},
  ): Promise<ServerGroup> {
    const instances: ServerProcess[] = [];
    try {
      for (let i = 0; i < count; i += 1)
        instances.push(await ServerProcess.start(kind, database, env));
    } catch (error) {
      await Promise.all(instances.map((instance) => instance.stop()));
      throw error;
    }
    return new ServerGroup(instances);
  }

  get urls(): string[] {
    return this.instances.map((instance) => instance.url);
  }

  get url(): string {
    return this.instances[0]!.url;
  }

  cpuSeconds(): number {
    return this.instances.reduce((sum, instance) => sum + instance.cpuSeconds(), 0);
  }

  async stop(): Promise<void> {
    await Promise.all(this.instances.map((instance) => instance.stop()));
  }
}

/** Starts the group, runs `work` with it, and stops it however `work` ends. */
export async function withServers<T>(
  kind: ServerKind,
  database: string,
  count: number,
  work: (group: ServerGroup) => Promise<T>,
  env: Record<string, string> = {},
): Promise<T> {
  const group = await ServerGroup.start(kind, database, count, env);
  try {
    return await work(group);
  } finally {
    await group.stop();
  }
}
