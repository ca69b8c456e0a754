import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import { expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

it('builds the dashboard without source maps, so production hands out no source', async () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-build-'));
  try {
    await build({
      root,
      configFile: path.join(root, 'vite.config.ts'),
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true },
    });
    const files = fs.readdirSync(outDir, { recursive: true }).map(String);
    expect(files.some((f) => f.endsWith('.js'))).toBe(true);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    for (const f of files.filter((f) => f.endsWith('.js'))) {
      expect(fs.readFileSync(path.join(outDir, f), 'utf8'), f).not.toContain('sourceMappingURL');
    }
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}, 60_000);
