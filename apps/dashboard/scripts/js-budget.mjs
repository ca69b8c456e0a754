// Measures what a first visit downloads before the dashboard can start: the entry chunk and the
// chunks index.html preloads, gzipped as a server would send them, beside every chunk there is.
// With --json it prints only the figures, for the BFF's bench to report beside its own.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 130;
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const html = readFileSync(join(dist, 'index.html'), 'utf8');

const eager = [
  ...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
  ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
].map((match) => match[1].replace(/^\//, ''));

const gzipped = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (bytes) => (bytes / 1024).toFixed(1);

const initial = eager.reduce((sum, file) => sum + gzipped(file), 0);
const chunks = readdirSync(join(dist, 'assets')).filter((file) => file.endsWith('.js'));
const total = chunks.reduce((sum, file) => sum + gzipped(join('assets', file)), 0);

if (process.argv.includes('--json')) {
  const kbOf = (bytes) => Math.round((bytes / 1024) * 10) / 10;
  console.log(
    JSON.stringify({ initialKb: kbOf(initial), allKb: kbOf(total), budgetKb: BUDGET_KB }),
  );
  process.exit(0);
}

for (const file of eager) console.log(`  eager  ${file}  ${kb(gzipped(file))} KB gzipped`);
console.log(`initial JS: ${kb(initial)} KB gzipped (budget ${BUDGET_KB} KB)`);
console.log(`all JS: ${kb(total)} KB gzipped in ${chunks.length} chunks`);
if (initial > BUDGET_KB * 1024) {
  console.error(`Over budget by ${kb(initial - BUDGET_KB * 1024)} KB.`);
  process.exitCode = 1;
}
