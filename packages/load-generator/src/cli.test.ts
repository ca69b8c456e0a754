import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { OpenLoopResult } from './open-loop-result';
import { startTestServer, type TestServer } from './test-servers';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('cli', () => {
  it('prints a one-line summary on stderr and the result as JSON on stdout with --json', async () => {
    const cookies: (string | undefined)[] = [];
    server = await startTestServer((request, response) => {
      cookies.push(request.headers.cookie);
      response.end('ok');
    });

    const { stdout, stderr } = await promisify(execFile)(process.execPath, [
      '--import',
      tsxLoader,
      cli,
      ...['--url', `${server.origin}/ping`, '--rate', '50', '--duration', '1s'],
      ...['--warmup', '200ms', '--header', 'Cookie: sid=abc', '--json'],
    ]);

    const result = JSON.parse(stdout) as OpenLoopResult;
    expect(result.scheduled).toBe(50);
    expect(result.sent).toBe(50);
    expect(result.completed).toBe(50);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^50\/s for 1s: sent 50\/50, late 0, completed 50, errors 0, .*p99 /);
    expect(new Set(cookies)).toEqual(new Set(['sid=abc']));
  });
});
