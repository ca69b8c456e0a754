import { formatMoney } from '@repo/domain';
import type { CheckoutMode, Quote } from '@repo/schemas';

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const styles = `
  :root { color-scheme: light; --ink: #14213d; --muted: #52607a; --line: #dfe4ec; --accent: #2457d6;
    --danger: #a4152e; --ok: #126b45; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
    background: #f4f6fa; }
  main { max-width: 36rem; margin: 2rem auto; padding: 1.5rem; background: #fff; border: 1px solid var(--line);
    border-radius: 12px; }
  h1 { font-size: 1.35rem; margin: 0 0 .5rem; }
  .mode { display: inline-block; padding: .1rem .55rem; border-radius: 999px; font-size: .8rem; font-weight: 700;
    letter-spacing: .04em; background: #ffe7a3; color: #5c3b00; }
  .mode.live { background: #fde2e4; color: var(--danger); }
  table { width: 100%; border-collapse: collapse; margin: 1rem 0; }
  th, td { text-align: left; padding: .45rem 0; border-bottom: 1px solid var(--line); vertical-align: top; }
  td.amount, th.amount { text-align: right; white-space: nowrap; }
  tfoot th, tfoot td { font-weight: 700; border-bottom: 0; }
  .muted { color: var(--muted); }
  .notice { padding: .75rem 1rem; border-radius: 8px; margin: 1rem 0; }
  .notice.error { background: #fdecef; color: var(--danger); border: 1px solid #f5b8c3; }
  .notice.ok { background: #e7f5ee; color: var(--ok); border: 1px solid #a8d9c0; }
  .notice.info { background: #eaf0fd; color: var(--accent); border: 1px solid #b9cbf5; }
  ul.problems { margin: .5rem 0 0; padding-left: 1.25rem; }
  button { width: 100%; padding: .8rem 1rem; border: 0; border-radius: 8px; background: var(--accent); color: #fff;
    font: inherit; font-weight: 600; cursor: pointer; }
  button:focus-visible, a:focus-visible { outline: 3px solid #8fb0ff; outline-offset: 2px; }
  a { color: var(--accent); }
  code { font-size: .9rem; }
`;

export function layout(
  title: string,
  nonce: string,
  content: string,
  options: { refreshSeconds?: number } = {},
): string {
  const refresh = options.refreshSeconds
    ? `<meta http-equiv="refresh" content="${options.refreshSeconds}">`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
${refresh}
<title>${escapeHtml(title)} · Device Marketplace</title>
<style nonce="${nonce}">${styles}</style>
</head>
<body>
<main>
${content}
</main>
</body>
</html>
`;
}

export const modeBadge = (mode: CheckoutMode) =>
  mode === 'live'
    ? '<span class="mode live">LIVE</span>'
    : '<span class="mode" title="Test mode: no real money moves">TEST MODE</span>';

export function notice(kind: 'error' | 'ok' | 'info', html: string): string {
  return `<div class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${html}</div>`;
}

export function quoteTable(quote: Quote, deviceIds: string[]): string {
  const money = (amount: number) => escapeHtml(formatMoney(amount, quote.currency));
  const rows = quote.lines
    .map(
      (line) =>
        `<tr><th scope="row">${escapeHtml(line.name)} <span class="muted">× ${line.quantity} device${line.quantity === 1 ? '' : 's'}</span></th><td class="amount">${line.unitAmount === 0 ? 'Free' : money(line.amount)}</td></tr>`,
    )
    .join('');
  return `<table>
  <caption class="muted">For ${deviceIds.map((id) => `<code>${escapeHtml(id)}</code>`).join(', ')}</caption>
  <tbody>${rows}</tbody>
  <tfoot><tr><th scope="row">Total</th><td class="amount">${money(quote.total)}</td></tr></tfoot>
</table>`;
}
