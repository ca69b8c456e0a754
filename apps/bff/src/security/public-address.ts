import ipaddr from 'ipaddr.js';

/**
 * ipaddr.js names ::/96 minus :: and ::1 "unicast", and so does request-filtering-agent, but these
 * IPv4-compatible addresses (deprecated by RFC 4291) carry an IPv4 address in their last 32 bits:
 * `[::127.0.0.1]` is spelled `[::7f00:1]` once the URL is parsed.
 */
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/**
 * Whether an IP address is one on the public internet, the only kind a webhook may reach.
 *
 * IPv4 must be plain unicast: not private, loopback, link-local, carrier-grade NAT, reserved,
 * multicast, broadcast or 0.0.0.0. IPv6 must be plain unicast too, which leaves out ::, ::1,
 * link-local, unique-local, multicast, documentation, and every form that embeds an IPv4
 * address (IPv4-mapped, IPv4-compatible, NAT64 64:ff9b::/96 and /48, 6to4 2002::/16, Teredo
 * 2001::/32, IPv4-translated): such an address may lead to 127.0.0.1 or a private network, and
 * a provider's server has a plain address to give instead. The odd IPv4 spellings
 * (`2130706433`, `0x7f.1`, `127.1`, `017700000001`) reach this check as 127.0.0.1, because the
 * URL parser and the resolver write them out in full; ipaddr.js reads them the same way.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && parsed.match(IPV4_COMPATIBLE)) return false;
  return parsed.range() === 'unicast';
}
