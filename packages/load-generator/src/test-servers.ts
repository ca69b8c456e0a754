import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A node:http server on a free loopback port, for the tests to measure. */
export type TestServer = {
  origin: string;
  close(): Promise<void>;
};

export async function startTestServer(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets and requests left hanging on purpose would hold `close` open.
        server.closeAllConnections();
      }),
  };
}

/** Keeps this process's event loop busy, as a long synchronous task or a GC pause would. */
export function blockEventLoop(milliseconds: number): void {
  const until = performance.now() + milliseconds;
  while (performance.now() < until) {
    // spin
  }
}

/** How many of `values` are at least `threshold`. */
export function countAtLeast(values: readonly number[], threshold: number): number {
  return values.filter((value) => value >= threshold).length;
}
