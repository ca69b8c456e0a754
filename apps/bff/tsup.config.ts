import { defineConfig } from 'tsup';

// Workspace packages export TypeScript source, so they are bundled into the server;
// everything from the registry stays an ordinary runtime dependency.
export default defineConfig({
  entry: { server: 'src/server.ts', 'device-simulator': 'src/device-simulator/cli.ts' },
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  noExternal: [/^@repo\//],
});
