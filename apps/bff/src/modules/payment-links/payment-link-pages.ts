import { randomBytes } from 'node:crypto';
import { Router, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { formatMoney } from '@repo/domain';
import { AppError } from '../../http/errors';
import type { CheckoutService } from '../checkout/checkout.service';
import type { ValidateBasket } from '../devices/device-validation';
import { escapeHtml, layout, modeBadge, notice, quoteTable } from './payment-link-html';
import {
  paymentLinkStatus,
  type PaymentLinkRow,
  type PaymentLinksRepo,
} from './payment-links.repo';

type Deps = {
  paymentLinks: PaymentLinksRepo;
  checkoutService: CheckoutService;
  validateBasket: ValidateBasket;
  publicUrl: string;
};

const TOKEN = /^pl_[A-Za-z0-9_-]{24}$/;

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

/** Why a link cannot be used, in words for whoever opened it; null when it can. */
function unusable(
  link: PaymentLinkRow | undefined,
): { status: number; title: string; text: string } | null {
  if (!link)
    return {
      status: 404,
      title: 'Payment link not found',
      text: 'There is no payment link at this address. Check the link, or ask the seller for a new one.',
    };
  switch (paymentLinkStatus(link)) {
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
        text: `This payment link expired on ${dateOf(link.expiresAt)}. Ask the seller for a new one.`,
      };
    case 'active':
      return null;
  }
}

/**
 * The public side of payment links, served by the BFF without a session: `GET /pay/:token` shows
 * the basket (checked again now), its form `POST`s to start a fresh hosted checkout through the
 * one checkout service, and Stripe sends the customer back to `/pay/:token/return`.
 */
export function paymentLinkPages({
  paymentLinks,
  checkoutService,
  validateBasket,
  publicUrl,
}: Deps): Router {
  const router = Router();

  function renderLink(
    res: Response,
    token: string,
    extra: { cancelled?: boolean; problem?: AppError } = {},
  ) {
    const nonce = newNonce();
    const link = TOKEN.test(token) ? paymentLinks.findByToken(token) : undefined;
    const reason = unusable(link);
    if (reason || !link) {
      send(
        res,
        reason!.status,
        layout(
          reason!.title,
          nonce,
          `<h1>${escapeHtml(reason!.title)}</h1>${notice('error', escapeHtml(reason!.text))}`,
        ),
        nonce,
      );
      return;
    }
    const validation = validateBasket({
      organisationId: link.organisationId,
      instanceId: link.instanceId,
      itemIds: link.itemIds,
      deviceIds: link.deviceIds,
      mode: link.mode,
      // The link's own open session is where its visitors pay: it does not stand in their way.
      ownCheckoutSessionId: paymentLinks.openSessionOf(link.id) ?? null,
    });
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

  router.get('/pay/:token', (req, res) => {
    renderLink(res, String(req.params.token), { cancelled: req.query.cancelled === '1' });
  });

  router.post(
    '/pay/:token',
    // Each press opens a Stripe session: keep one visitor from opening thousands.
    rateLimit({ windowMs: 60_000, limit: 30, standardHeaders: 'draft-8', legacyHeaders: false }),
    async (req, res) => {
      const token = String(req.params.token);
      const link = TOKEN.test(token) ? paymentLinks.findByToken(token) : undefined;
      if (!link || unusable(link)) return renderLink(res, token);
      const returnUrl = (id: string) => `${publicUrl}/pay/${link.token}/return?session=${id}`;
      try {
        // One payable session per link at a time: everyone who opens it now pays on the same page,
        // so a link for one purchase cannot be paid twice.
        const openId = paymentLinks.openSessionOf(link.id);
        if (openId) {
          const current = await checkoutService.get(
            { organisationId: link.organisationId },
            openId,
          );
          if (current.fulfilled) return res.redirect(303, returnUrl(current.id));
          if (current.status === 'open' && current.checkoutUrl)
            return res.redirect(303, current.checkoutUrl);
        }
        // Keyed by how many of the link's sessions have ended: presses at once open the same one.
        const session = await checkoutService.create(
          { organisationId: link.organisationId, userId: link.createdBy, paymentLinkId: link.id },
          {
            instanceId: link.instanceId,
            itemIds: link.itemIds,
            deviceIds: link.deviceIds,
            mode: link.mode,
            allowPromotionCodes: link.allowPromotionCodes,
          },
          `paylink_${link.id}_${paymentLinks.endedSessions(link.id)}`,
          String(req.id),
          {
            success: `${publicUrl}/pay/${link.token}/return?stripe_session_id={CHECKOUT_SESSION_ID}`,
            cancel: `${publicUrl}/pay/${link.token}?cancelled=1`,
          },
        );
        res.redirect(303, session.checkoutUrl ?? returnUrl(session.id));
      } catch (error) {
        if (error instanceof AppError) return renderLink(res, token, { problem: error });
        throw error;
      }
    },
  );

  router.get('/pay/:token/return', async (req, res) => {
    const nonce = newNonce();
    const token = String(req.params.token);
    const link = TOKEN.test(token) ? paymentLinks.findByToken(token) : undefined;
    const stripeSessionId =
      typeof req.query.stripe_session_id === 'string' ? req.query.stripe_session_id : undefined;
    const checkoutSessionId = typeof req.query.session === 'string' ? req.query.session : undefined;
    const id = link && paymentLinks.sessionOfLink(link.id, { stripeSessionId, checkoutSessionId });
    if (!link || !id) {
      const title = 'Purchase not found';
      send(
        res,
        404,
        layout(
          title,
          nonce,
          `<h1>${title}</h1>${notice('error', 'This address does not name a purchase made with this payment link.')}`,
        ),
        nonce,
      );
      return;
    }
    // The redirect proves nothing: ask the BFF, which asks Stripe while the payment is pending.
    const session = await checkoutService.get({ organisationId: link.organisationId }, id);
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
      send(
        res,
        200,
        layout(
          'Payment not completed',
          nonce,
          `<h1>Payment not completed</h1>${notice('error', 'This checkout ended without a payment. Nothing was charged.')}<p><a href="/pay/${escapeHtml(link.token)}">Back to the payment link</a></p>`,
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

  return router;
}
