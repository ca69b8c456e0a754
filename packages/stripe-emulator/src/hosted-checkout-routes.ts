import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  successRedirect,
  type CheckoutActionResult,
  type CheckoutSessionRecord,
  type CheckoutStore,
} from './checkout-store';
import { parseFormEncoded } from './form-encoding';
import {
  renderCheckoutPage,
  renderMissingSessionPage,
  type PageNotice,
} from './hosted-checkout-page';
import { readBody, redirectSeeOther, sendHtml, sendText } from './http-helpers';

const pagePattern = /^\/checkout\/([^/]+)(?:\/(pay|cancel|settle|promotion-code))?$/;

/**
 * The hosted checkout page, `GET /checkout/:id`, and the forms it posts:
 * `POST /checkout/:id/pay` (`outcome=succeeded|declined|delayed`),
 * `POST /checkout/:id/cancel`, and `POST /checkout/:id/settle` (`outcome=succeeded|failed`).
 */
export async function handleCheckoutPageRequest(
  request: IncomingMessage,
  response: ServerResponse,
  store: CheckoutStore,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://emulator.invalid');
  const match = pagePattern.exec(url.pathname);
  const method = request.method ?? 'GET';
  if (match === null) {
    sendText(response, 404, 'Not found');
    return;
  }
  const id = safeDecode(match[1] as string);
  const action = match[2];
  const session = store.findSession(id);
  if (session === undefined) {
    const nonce = newNonce();
    sendHtml(response, 404, renderMissingSessionPage(id, nonce), pageHeaders(nonce));
    return;
  }

  if (action === undefined) {
    if (method !== 'GET' && method !== 'HEAD') {
      sendText(response, 405, 'Method not allowed');
      return;
    }
    renderPage(response, store, session, 200);
    return;
  }
  if (method !== 'POST') {
    sendText(response, 405, 'Method not allowed');
    return;
  }

  const form = parseFormEncoded(await readBody(request));
  const outcome = typeof form.outcome === 'string' ? form.outcome : '';
  const pageUrl = `/checkout/${encodeURIComponent(session.id)}`;

  if (action === 'cancel') {
    store.noteCancelled(session.id);
    redirectSeeOther(response, session.cancelUrl ?? pageUrl);
    return;
  }

  if (action === 'promotion-code') {
    const code = typeof form.code === 'string' ? form.code : '';
    const applied = store.applyPromotionCode(session.id, code);
    renderPage(response, store, session, applied.kind === 'applied' ? 200 : 400, {
      kind: applied.kind === 'applied' ? 'info' : 'error',
      message:
        applied.kind === 'applied' ? `Promotion code ${applied.code} applied.` : applied.message,
    });
    return;
  }

  let result: CheckoutActionResult;
  if (action === 'pay' && (outcome === 'succeeded' || outcome === 'declined')) {
    result = store.payWithCard(session.id, outcome);
  } else if (action === 'pay' && outcome === 'delayed') {
    result = store.payByBankTransfer(session.id);
  } else if (action === 'settle' && (outcome === 'succeeded' || outcome === 'failed')) {
    result = store.settleBankTransfer(session.id, outcome);
  } else {
    sendText(response, 400, `Unknown outcome "${outcome}" for ${action}.`);
    return;
  }

  switch (result.kind) {
    case 'completed':
    case 'already_complete':
      redirectSeeOther(response, result.redirectTo);
      return;
    case 'declined':
      renderPage(response, store, session, 200, {
        kind: 'error',
        message: 'Your card was declined. Try another card or payment method.',
      });
      return;
    case 'expired':
    case 'not_awaiting_transfer':
    case 'settled':
      redirectSeeOther(response, pageUrl);
      return;
  }
}

function renderPage(
  response: ServerResponse,
  store: CheckoutStore,
  session: CheckoutSessionRecord,
  status: number,
  notice?: PageNotice,
): void {
  const nonce = newNonce();
  const html = renderCheckoutPage(session, {
    nonce,
    successRedirect: successRedirect(session),
    ...(notice === undefined ? {} : { notice }),
  });
  sendHtml(response, status, html, pageHeaders(nonce));
}

function pageHeaders(nonce: string): Record<string, string> {
  return {
    // No `form-action`: browsers apply it to the redirect that follows a post, and the success
    // and cancel URLs live on the merchant's origin.
    'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; base-uri 'none'; frame-ancestors 'none'`,
    'Referrer-Policy': 'no-referrer',
  };
}

function newNonce(): string {
  return randomBytes(16).toString('base64');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
