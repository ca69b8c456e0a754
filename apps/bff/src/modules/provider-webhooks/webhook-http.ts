import dns from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import ipaddr from 'ipaddr.js';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

/** POSTs one webhook and answers the endpoint's status code. */
export type WebhookPost = (
  url: string,
  init: { headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<number>;

/**
 * Webhook requests through agents that check the address a name resolved to, at connect time,
 * and refuse private, loopback, link-local and reserved ones: a provider's URL (or a name that
 * re-resolves) cannot reach this network. Redirects are never followed.
 */
export function createWebhookPost({ allowPrivateAddresses }: { allowPrivateAddresses: boolean }) {
  const options = { allowPrivateIPAddress: allowPrivateAddresses, allowMetaIPAddress: false };
  const agents = {
    'http:': new RequestFilteringHttpAgent(options),
    'https:': new RequestFilteringHttpsAgent(options),
  };
  const post: WebhookPost = (url, { headers, body, signal }) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const request = (target.protocol === 'https:' ? https : http).request(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
          agent: target.protocol === 'https:' ? agents['https:'] : agents['http:'],
          signal,
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  return post;
}

/** Why a URL may not receive webhooks, or null: it must resolve only to public addresses. */
export async function privateAddressProblem(url: string): Promise<string | null> {
  const { hostname } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = ipaddr.isValid(host)
      ? [host]
      : (await dns.lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return `${hostname} could not be resolved.`;
  }
  const blocked = addresses.find((address) => {
    const parsed = ipaddr.process(address);
    return parsed.range() !== 'unicast';
  });
  return blocked ? `${hostname} is not a public internet address.` : null;
}
