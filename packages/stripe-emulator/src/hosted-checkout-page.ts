import type { CheckoutSessionRecord } from './checkout-store';

export type PageNotice = { kind: 'error' | 'info'; message: string };

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Minor units to a display string, using the currency's own number of decimals (JPY has none). */
export function formatAmount(amount: number, currency: string): string {
  const code = currency.toUpperCase();
  try {
    const format = new Intl.NumberFormat('en', { style: 'currency', currency: code });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(amount / 10 ** digits);
  } catch {
    return `${(amount / 100).toFixed(2)} ${code}`;
  }
}

const styles = `
  :root { color-scheme: light; --ink: #1a1f36; --muted: #4f566b; --line: #e3e8ee;
    --accent: #533afd; --danger: #b3093c; --ok: #0e6245; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
    color: var(--ink); background: #f6f9fc; }
  main { max-width: 34rem; margin: 2rem auto; padding: 1.5rem; background: #fff;
    border: 1px solid var(--line); border-radius: 12px; }
  header { display: flex; justify-content: space-between; align-items: center; gap: 1rem; }
  h1 { font-size: 1.25rem; margin: 0; }
  h2 { font-size: 1rem; margin: 1.5rem 0 .5rem; }
  .badge { margin: 0; padding: .15rem .6rem; border-radius: 999px; background: #ffde92;
    color: #5c3b00; font-weight: 700; font-size: .8rem; letter-spacing: .05em; }
  table { width: 100%; border-collapse: collapse; margin-top: 1rem; }
  caption { text-align: left; font-weight: 600; padding-bottom: .25rem; }
  th, td { padding: .5rem 0; border-bottom: 1px solid var(--line); text-align: left;
    vertical-align: top; }
  th[scope="row"] { font-weight: 400; }
  .amount { text-align: right; white-space: nowrap; }
  .detail { display: block; color: var(--muted); font-size: .875rem; }
  tfoot th, tfoot td { font-weight: 700; border-bottom: 0; }
  .notice { padding: .75rem 1rem; border-radius: 8px; margin: 1rem 0; }
  .notice.error { background: #fde8ee; color: var(--danger); border: 1px solid #f6b3c6; }
  .notice.info { background: #e6f4ee; color: var(--ok); border: 1px solid #a7dac3; }
  form { margin: .5rem 0; }
  .promotion-code label { display: block; font-weight: 600; margin-bottom: .25rem; }
  .promotion-code input { width: 100%; padding: .6rem .75rem; margin-bottom: .5rem; font: inherit;
    border: 1px solid var(--line); border-radius: 8px; text-transform: uppercase; }
  button { width: 100%; padding: .75rem 1rem; border-radius: 8px; font: inherit; cursor: pointer;
    border: 1px solid var(--accent); background: var(--accent); color: #fff; font-weight: 600; }
  button.secondary { background: #fff; color: var(--accent); }
  button:focus-visible, a:focus-visible { outline: 3px solid #9d8cff; outline-offset: 2px; }
  button:disabled { opacity: .6; cursor: progress; }
  a { color: var(--accent); }
  details { margin-top: 1.5rem; color: var(--muted); font-size: .875rem; }
  code { font-size: .875rem; }
`;

/**
 * Only one click per page: once any form is submitted every button is disabled, so a double
 * click sends one request. The server refuses a second payment anyway.
 */
const script = `document.addEventListener('submit', function () {
  document.querySelectorAll('button').forEach(function (button) { button.disabled = true; });
});`;

export function renderCheckoutPage(
  session: CheckoutSessionRecord,
  options: { nonce: string; notice?: PageNotice; successRedirect: string },
): string {
  const base = `/checkout/${encodeURIComponent(session.id)}`;
  const notice = options.notice === undefined ? '' : renderNotice(options.notice);
  return layout(
    'Checkout',
    options.nonce,
    `
    ${summary(session)}
    ${notice}
    ${actions(session, base, options.successRedirect)}
    ${log(session)}`,
  );
}

export function renderMissingSessionPage(id: string, nonce: string): string {
  return layout(
    'Checkout not found',
    nonce,
    `<p role="alert">There is no Checkout Session <code>${escapeHtml(id)}</code> in this emulator.
    It may have been created before the emulator restarted.</p>`,
  );
}

function layout(title: string, nonce: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · Stripe emulator (test mode)</title>
<style nonce="${nonce}">${styles}</style>
</head>
<body>
<main>
  <header>
    <h1>${escapeHtml(title)}</h1>
    <p class="badge" aria-label="Test mode: no real money moves">TEST MODE</p>
  </header>
  ${content}
</main>
<script nonce="${nonce}">${script}</script>
</body>
</html>
`;
}

function summary(session: CheckoutSessionRecord): string {
  const rows = session.lineItems
    .map((item) => {
      const description =
        item.description === null
          ? ''
          : `<span class="detail">${escapeHtml(item.description)}</span>`;
      const each =
        item.quantity > 1
          ? `<span class="detail">${item.quantity} × ${escapeHtml(formatAmount(item.unitAmount, item.currency))}</span>`
          : '';
      return `<tr><th scope="row">${escapeHtml(item.name)}${description}${each}</th>
        <td class="amount">${escapeHtml(formatAmount(item.unitAmount * item.quantity, item.currency))}</td></tr>`;
    })
    .join('\n');
  const discount =
    session.discount === null
      ? ''
      : `<tr><th scope="row">Subtotal</th><td class="amount">${escapeHtml(formatAmount(session.amountSubtotal, session.currency))}</td></tr>
      <tr><th scope="row">Promotion code <code>${escapeHtml(session.discount.promotionCode.code)}</code>
        <span class="detail">${escapeHtml(session.discount.promotionCode.coupon.name)}</span></th>
        <td class="amount">−${escapeHtml(formatAmount(session.discount.amount, session.currency))}</td></tr>`;
  return `<table>
    <caption>Order summary</caption>
    <thead><tr><th scope="col">Item</th><th scope="col" class="amount">Amount</th></tr></thead>
    <tbody>${rows}</tbody>
    <tfoot>${discount}<tr><th scope="row">Total due</th>
      <td class="amount">${escapeHtml(formatAmount(session.amountTotal, session.currency))}</td></tr></tfoot>
  </table>`;
}

function renderNotice(notice: PageNotice): string {
  const role = notice.kind === 'error' ? 'alert' : 'status';
  return `<p class="notice ${notice.kind}" role="${role}">${escapeHtml(notice.message)}</p>`;
}

function actionForm(
  action: string,
  fields: Record<string, string>,
  label: string,
  secondary = false,
): string {
  const inputs = Object.entries(fields)
    .map(
      ([name, value]) =>
        `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
    )
    .join('');
  return `<form method="post" action="${escapeHtml(action)}">${inputs}<button type="submit"${
    secondary ? ' class="secondary"' : ''
  }>${escapeHtml(label)}</button></form>`;
}

function actions(session: CheckoutSessionRecord, base: string, successRedirect: string): string {
  if (session.status === 'expired') {
    const back =
      session.cancelUrl === null
        ? ''
        : `<p><a href="${escapeHtml(session.cancelUrl)}">Return to the merchant</a></p>`;
    return `${renderNotice({ kind: 'error', message: 'This Checkout Session has expired. No payment was taken.' })}${back}`;
  }
  if (session.status === 'complete') {
    const back = `<p><a href="${escapeHtml(successRedirect)}">Return to the merchant</a></p>`;
    if (session.awaitingTransfer) {
      return `${renderNotice({ kind: 'info', message: 'Waiting for the bank transfer to arrive. The order is placed but not paid yet.' })}
        <h2>Simulate the bank</h2>
        ${actionForm(`${base}/settle`, { outcome: 'succeeded' }, 'Simulate transfer arrived')}
        ${actionForm(`${base}/settle`, { outcome: 'failed' }, 'Simulate transfer failed', true)}
        ${back}`;
    }
    if (session.paymentStatus === 'unpaid') {
      return `${renderNotice({ kind: 'error', message: 'The bank transfer failed. No payment was taken.' })}${back}`;
    }
    return `${renderNotice({ kind: 'info', message: 'Payment complete. Thank you!' })}${back}`;
  }
  const cancel =
    session.cancelUrl === null ? '' : actionForm(`${base}/cancel`, {}, 'Cancel and go back', true);
  return `${session.allowPromotionCodes === true ? promotionCodeForm(base, session) : ''}<h2>Pay</h2>
    ${actionForm(`${base}/pay`, { outcome: 'succeeded' }, 'Pay with 4242 4242 4242 4242 (succeeds)')}
    ${actionForm(`${base}/pay`, { outcome: 'declined' }, 'Pay with 4000 0000 0000 0002 (declined)')}
    ${actionForm(`${base}/pay`, { outcome: 'delayed' }, 'Pay by bank transfer (delayed)')}
    ${cancel}`;
}

function promotionCodeForm(base: string, session: CheckoutSessionRecord): string {
  const current = session.discount?.promotionCode.code ?? '';
  return `<h2>Promotion code</h2>
    <form method="post" action="${escapeHtml(`${base}/promotion-code`)}" class="promotion-code">
      <label for="promotion-code">Promotion code</label>
      <input id="promotion-code" name="code" autocomplete="off" value="${escapeHtml(current)}" required>
      <button type="submit" class="secondary">Apply code</button>
    </form>`;
}

function log(session: CheckoutSessionRecord): string {
  const entries = session.log
    .map(
      (entry) =>
        `<li><time datetime="${new Date(entry.at).toISOString()}">${new Date(entry.at).toISOString()}</time> ${escapeHtml(entry.message)}</li>`,
    )
    .join('');
  return `<details><summary>Test-mode log for <code>${escapeHtml(session.id)}</code></summary><ul>${entries}</ul></details>`;
}
