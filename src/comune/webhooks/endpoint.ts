// Where a webhook may point: http(s) only, and never (unless the platform allows it for development)
// at loopback, private, link-local or otherwise internal addresses — the platform must not become an
// SSRF proxy into its own network. Checked at registration and again at each delivery (DNS may change).
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const INTERNAL = new BlockList();
// RFC 1122 "this network", RFC 1918 private, RFC 6598 CGNAT, loopback, RFC 3927 link-local, RFC 5737/2544 test/benchmark, multicast and reserved.
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3]] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv4');
}
// RFC 4291 loopback/unspecified, RFC 4193 unique local, link-local, multicast, IPv4-mapped (checked as IPv4 below).
for (const [net, prefix] of [['::', 127], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) INTERNAL.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address is internal (pure). */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return INTERNAL.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return INTERNAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export type EndpointCheck = { ok: true; url: URL } | { ok: false; reason: 'invalid-url' | 'scheme' | 'credentials' | 'unresolvable' | 'internal-address' };

export interface EndpointPolicy {
  allowPrivateNetworks: boolean;
  resolve?: (host: string) => Promise<string[]>;
}

const resolveAll = async (host: string) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** An absolute http(s) URL with no user or password in it: what any address the platform calls must be first. */
export function parseHttpUrl(raw: string): { ok: true; url: URL } | { ok: false; reason: 'invalid-url' | 'scheme' | 'credentials' } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'invalid-url' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'scheme' };
  if (url.username || url.password) return { ok: false, reason: 'credentials' };
  return { ok: true, url };
}

export async function checkEndpoint(raw: string, policy: EndpointPolicy): Promise<EndpointCheck> {
  const parsed = parseHttpUrl(raw);
  if (!parsed.ok) return parsed;
  const { url } = parsed;
  if (policy.allowPrivateNetworks) return { ok: true, url };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await (policy.resolve ?? resolveAll)(host);
  } catch {
    return { ok: false, reason: 'unresolvable' };
  }
  if (!addresses.length) return { ok: false, reason: 'unresolvable' };
  // Every address the name resolves to must be public: one internal answer is enough to refuse.
  if (addresses.some(isInternalAddress)) return { ok: false, reason: 'internal-address' };
  return { ok: true, url };
}
