import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import { formatMoney } from '@repo/domain';
import { AppError } from '../../http/errors';
import { escapeHtml, layout, modeBadge, notice, quoteTable } from './payment-link-html';
import type { LinkVisit, PaymentLinksService } from './payment-links.service';

type Deps = {
  paymentLinks: PaymentLinksService;
  publicUrl: string;
  /** Where a limit counts, by name: shared by every instance. */
  rateLimitStore: (name: string) => Store;
};

/**
 * Remembers, in the visitor's own browser, which link they pressed pay on, so that coming back
 * from the payment page leads to that link again: the checkout's return addresses, which the
 * database keeps and Stripe sees, carry no token.
 */
const LINK_COOKIE = 'mp.paylink';
const LINK_COOKIE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

function send(res: Response, status: number, html: string, nonce: string): void {
  res
    .status(status)
    .set({
      // Its own policy: no script at all, and no form-action, because the form's answer is a
      // redirect to the payment provider's page on another origin.
      'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; base-uri 'none'; frame-ancestors 'none'`,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    })
    .type('html')
    .send(html);
}

const newNonce = () => randomBytes(16).toString('base64');
const dateOf = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'UTC',
  }) + ' UTC';

/** The link token the visitor's browser remembered, if any. */
function rememberedToken(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name !== LINK_COOKIE) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

type Refusal = { status: number; title: string; text: string };

const LINK_NOT_FOUND: Refusal = {
  status: 404,
  title: 'Payment link not found',
  text: 'There is no payment link at this address. Check the link, or ask the seller for a new one.',
};

/** Why a link cannot be used, in words for whoever opened it; null when it can. */
function unusable(visit: LinkVisit | undefined): Refusal | null {
  if (!visit) return LINK_NOT_FOUND;
  switch (visit.status) {
    case 'deactivated':
      return {
        status: 410,
        title: 'Payment link turned off',
        text: 'The seller has turned this payment link off. Ask them for a new one.',
      };
    case 'used_up':
      return {
        status: 410,
        title: 'Payment link already used',
        text: 'This payment link has already been used to buy its basket, and works only once. Ask the seller for a new link if you need another purchase.',
      };
    case 'expired':
      return {
        status: 410,
        title: 'Payment link expired',
        text: `This payment link expired on ${dateOf(visit.link.expiresAt)}. Ask the seller for a new one.`,
      };
    case 'active':
      return null;
  }
}

/**
 * The public side of payment links, served by the BFF without a session: `GET /pay/:token` shows
 * the basket (checked again now), its form `POST`s to start a fresh hosted checkout through the
 * one checkout service, and Stripe sends the customer back to `/pay/return` (paid) or
 * `/pay/cancelled` (left the payment page), neither of which carries the token.
 */
export function paymentLinkPages({ paymentLinks, publicUrl, rateLimitStore }: Deps): Router {
  const router = Router();
  const secure = publicUrl.startsWith('https://');

  async function renderLink(
    res: Response,
    token: string,
    extra: { cancelled?: boolean; problem?: AppError } = {},
  ): Promise<void> {
    const nonce = newNonce();
    const visit = await paymentLinks.visit(token);
    const reason = unusable(visit);
    if (reason || !visit?.validation) {
      const { status, title, text } = reason ?? LINK_NOT_FOUND;
      send(
        res,
        status,
        layout(title, nonce, `<h1>${escapeHtml(title)}</h1>${notice('error', escapeHtml(text))}`),
        nonce,
      );
      return;
    }
    const { link, validation } = visit;
    const problems = [
      ...validation.items.filter((r) => r.status !== 'ok').map((r) => r.message),
      ...validation.results.filter((r) => r.status !== 'ok').map((r) => `${r.input}: ${r.message}`),
    ];
    const parts = [`<h1>Complete your purchase ${modeBadge(link.mode)}</h1>`];
    if (extra.cancelled)
      parts.push(notice('info', 'You left the payment page. Nothing was paid; you can try again.'));
    if (extra.problem) parts.push(notice('error', escapeHtml(extra.problem.message)));
    if (!validation.valid || !validation.quote) {
      parts.push(
        notice(
          'error',
          `This basket can no longer be bought:<ul class="problems">${problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>`,
        ),
      );
      send(res, extra.problem?.status ?? 200, layout('Payment link', nonce, parts.join('')), nonce);
      return;
    }
    parts.push(
      quoteTable(validation.quote, link.deviceIds),
      `<p class="muted">This link works until ${escapeHtml(dateOf(link.expiresAt))}, for one purchase.${link.allowPromotionCodes ? ' You can enter a promotion code on the payment page.' : ''}</p>`,
      `<form method="post" action="/pay/${escapeHtml(link.token)}">
  <button type="submit">${validation.quote.total === 0 ? 'Get it for free' : 'Continue to payment'}</button>
</form>`,
    );
    send(res, extra.problem?.status ?? 200, layout('Payment link', nonce, parts.join('')), nonce);
  }

  function notFoundPage(res: Response): void {
    const nonce = newNonce();
    const title = 'Purchase not found';
    send(
      res,
      404,
      layout(
        title,
        nonce,
        `<h1>${title}</h1>${notice('error', 'This address does not name a purchase made with a payment link.')}`,
      ),
      nonce,
    );
  }

  // Before /pay/:token: tokens always start with `pl_`, so neither name is ever a token.
  router.get('/pay/return', async (req, res) => {
    const nonce = newNonce();
    const query = (name: string) =>
      typeof req.query[name] === 'string' ? req.query[name] : undefined;
    const back = await paymentLinks.returnFrom(
      { stripeSessionId: query('stripe_session_id'), checkoutSessionId: query('session') },
      rememberedToken(req),
    );
    if (!back) return notFoundPage(res);
    const { session, linkToken } = back;
    const money = (amount: number) => escapeHtml(formatMoney(amount, session.amounts.currency));
    if (session.fulfilled) {
      const rows = session.purchases
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(p.deviceId)}</code></td><td>${escapeHtml(p.itemName)}</td><td class="amount">${p.price.amount === 0 ? 'Free' : money(p.price.amount)}</td></tr>`,
        )
        .join('');
      const discount = session.discount
        ? `<tr><th scope="row" colspan="2">Promotion discount</th><td class="amount">−${money(session.discount.amount.amount)}</td></tr>`
        : '';
      send(
        res,
        200,
        layout(
          'Payment received',
          nonce,
          `<h1>Payment received ${modeBadge(session.mode)}</h1>
${notice('ok', 'Thank you. The purchase is active: the devices are entitled to their products.')}
<table><thead><tr><th scope="col">Device</th><th scope="col">Product</th><th scope="col" class="amount">Paid</th></tr></thead>
<tbody>${rows}</tbody><tfoot>${discount}<tr><th scope="row" colspan="2">Total paid</th><td class="amount">${money(session.amounts.total)}</td></tr></tfoot></table>`,
        ),
        nonce,
      );
      return;
    }
    const ended =
      session.status === 'expired' ||
      session.status === 'cancelled' ||
      session.attempts.at(-1)?.kind === 'payment_failed';
    if (ended) {
      const way = linkToken
        ? `<p><a href="/pay/${escapeHtml(linkToken)}">Back to the payment link</a></p>`
        : '<p>Open the payment link you were given again to try once more.</p>';
      send(
        res,
        200,
        layout(
          'Payment not completed',
          nonce,
          `<h1>Payment not completed</h1>${notice('error', 'This checkout ended without a payment. Nothing was charged.')}${way}`,
        ),
        nonce,
      );
      return;
    }
    send(
      res,
      200,
      layout(
        'Confirming your payment',
        nonce,
        `<h1>Confirming your payment ${modeBadge(session.mode)}</h1>${notice('info', 'We are waiting for the payment provider to confirm the payment. This page refreshes by itself.')}`,
        { refreshSeconds: 2 },
      ),
      nonce,
    );
  });

  // The customer left the payment page: back to the basket of the link they came from.
  router.get('/pay/cancelled', async (req, res) => {
    const token = await paymentLinks.rememberedLink(rememberedToken(req));
    if (token) return res.redirect(303, `/pay/${token}?cancelled=1`);
    const nonce = newNonce();
    send(
      res,
      200,
      layout(
        'Payment cancelled',
        nonce,
        `<h1>Payment cancelled</h1>${notice('info', 'You left the payment page. Nothing was paid.')}<p>Open the payment link you were given again to try once more.</p>`,
      ),
      nonce,
    );
  });

  router.get('/pay/:token', async (req, res) => {
    await renderLink(res, String(req.params.token), { cancelled: req.query.cancelled === '1' });
  });

  router.post(
    '/pay/:token',
    // Each press opens a Stripe session: keep one visitor from opening thousands.
    rateLimit({
      windowMs: 60_000,
      limit: 30,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      store: rateLimitStore('payment-link-pay'),
    }),
    async (req, res) => {
      const token = String(req.params.token);
      let destination: string | null;
      try {
        destination = await paymentLinks.pay(token, String(req.id));
      } catch (error) {
        if (error instanceof AppError) return renderLink(res, token, { problem: error });
        throw error;
      }
      if (!destination) return renderLink(res, token);
      res.cookie(LINK_COOKIE, token, {
        path: '/pay',
        httpOnly: true,
        sameSite: 'lax',
        secure,
        maxAge: LINK_COOKIE_MAX_AGE_MS,
      });
      res.redirect(303, destination);
    },
  );

  return router;
}
