import { lookup as dnsLookup } from 'node:dns';
import dns from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { isPublicAddress } from '../../security/public-address';

/** POSTs one webhook and answers the endpoint's status code. */
export type WebhookPost = (
  url: string,
  init: { headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<number>;

/** Worded as request-filtering-agent words its refusals, so both read as one kind of failure. */
export class NotPublicAddressError extends Error {
  constructor() {
    super('The address is not allowed: it is not a public internet address.');
    this.name = 'NotPublicAddressError';
  }
}

/** The resolver, checked: a name with any non-public address fails before a connection is tried. */
function publicOnlyLookup(lookup: LookupFunction): LookupFunction {
  return (hostname, options, callback) =>
    lookup(hostname, options, (err, address, family) => {
      if (err) return callback(err, address, family);
      const all = Array.isArray(address) ? address.map((a) => a.address) : [address];
      if (all.some((a) => !isPublicAddress(a)))
        return callback(new NotPublicAddressError(), address, family);
      callback(null, address, family);
    });
}

type Connect = (
  options: { host?: string | null; lookup?: LookupFunction },
  listener?: (err: Error | null, socket: net.Socket) => void,
) => net.Socket;

/**
 * request-filtering-agent with our own check in front: it takes IPv4-compatible IPv6 addresses
 * (`::7f00:1`, which is `[::127.0.0.1]`) for unicast, so a literal host and every resolved
 * address go through isPublicAddress first, then through the library's own check.
 */
function publicOnly<T extends RequestFilteringHttpAgent | RequestFilteringHttpsAgent>(
  agent: T,
  lookup: LookupFunction,
): T {
  const connect = (agent.createConnection as unknown as Connect).bind(agent);
  const guarded: Connect = (options, listener) => {
    const host = options.host?.replace(/^\[|\]$/g, '');
    if (host && net.isIP(host) && !isPublicAddress(host)) {
      // As the library refuses: a socket that fails at once, with no connection attempted.
      const socket = new net.Socket();
      if (listener) listener(new NotPublicAddressError(), socket);
      else socket.destroy(new NotPublicAddressError());
      return socket;
    }
    return connect({ ...options, lookup: publicOnlyLookup(options.lookup ?? lookup) }, listener);
  };
  agent.createConnection = guarded as unknown as T['createConnection'];
  return agent;
}

/**
 * Webhook requests through agents that check the address a name resolved to, at connect time,
 * and refuse every address that is not public (isPublicAddress): a provider's URL (or a name
 * that re-resolves) cannot reach this network. Redirects are never followed. `lookup` replaces
 * the system resolver, for tests of names that resolve to odd addresses.
 */
export function createWebhookPost({
  allowPrivateAddresses,
  lookup = dnsLookup as LookupFunction,
}: {
  allowPrivateAddresses: boolean;
  lookup?: LookupFunction;
}) {
  const options = { allowPrivateIPAddress: allowPrivateAddresses, allowMetaIPAddress: false };
  const httpAgent = new RequestFilteringHttpAgent(options);
  const httpsAgent = new RequestFilteringHttpsAgent(options);
  const agents = allowPrivateAddresses
    ? { 'http:': httpAgent, 'https:': httpsAgent }
    : { 'http:': publicOnly(httpAgent, lookup), 'https:': publicOnly(httpsAgent, lookup) };
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
    addresses = net.isIP(host)
      ? [host]
      : (await dns.lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return `${hostname} could not be resolved.`;
  }
  return addresses.every(isPublicAddress) ? null : `${hostname} is not a public internet address.`;
}
