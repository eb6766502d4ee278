// EP-11 behind a TLS-terminating proxy: which X-Forwarded-* headers to believe, and the
// client's address. The client writes the left of X-Forwarded-For itself, so the address
// is the right-most one that is not one of our proxies; and a request that did not come
// from a trusted proxy has its forwarded headers dropped, not believed.
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { ParsedConfig } from '../config/schema.js';

/** The deployment file's `proxy`: off, one proxy (true), proxy addresses, or a hop count. */
export type ProxySetting = ParsedConfig['proxy'];

export type ProxyTrust = { kind: 'hops'; hops: number } | { kind: 'trusted'; proxies: BlockList };

const FORWARDED = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'] as const;

const plain = (address: string) => address.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');

/** An address or CIDR block ("10.0.0.0/8", "2001:db8::/32", "127.0.0.1"). */
export function parseCidr(value: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefixText, extra] = value.trim().split('/');
  const version = isIP(address);
  if (!version || extra !== undefined) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** `true` is one proxy in front (the right-most X-Forwarded-For entry is the client). */
export function proxyTrust(setting: ProxySetting): ProxyTrust | undefined {
  if (setting === false) return undefined;
  if (setting === true) return { kind: 'hops', hops: 1 };
  if ('hops' in setting) return { kind: 'hops', hops: setting.hops };
  const proxies = new BlockList();
  for (const entry of setting.trusted) {
    const cidr = parseCidr(entry);
    if (cidr) proxies.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  return { kind: 'trusted', proxies };
}

function isTrusted(proxies: BlockList, address: string): boolean {
  const version = isIP(address);
  return version !== 0 && proxies.check(address, version === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The client's address: with a hop count, the entry the outermost of `hops` proxies
 * appended; with proxy addresses, the right-most hop (the peer included) that is not one.
 * `undefined` when the forwarded headers are not to be believed (an untrusted peer).
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trust: ProxyTrust): string | undefined {
  const hops = (forwardedFor ?? '').split(',').map(plain).filter(Boolean);
  if (trust.kind === 'hops') return hops.length === 0 ? peer : (hops[Math.max(0, hops.length - trust.hops)] ?? peer);
  if (!isTrusted(trust.proxies, peer)) return undefined;
  const chain = [...hops, peer];
  while (chain.length > 1 && isTrusted(trust.proxies, chain[chain.length - 1] ?? '')) chain.pop();
  return chain[chain.length - 1];
}

/**
 * Rewrites the request's forwarded headers before Koa (with `proxy` on) reads them:
 * X-Forwarded-For becomes the one client address; from an untrusted peer all three are
 * dropped, so ctx.ip, ctx.protocol and ctx.host are the connection's own.
 */
export function normaliseForwarded(req: IncomingMessage, trust: ProxyTrust): void {
  const peer = plain(req.socket.remoteAddress ?? '');
  const header = req.headers['x-forwarded-for'];
  const client = clientAddress(peer, Array.isArray(header) ? header.join(',') : header, trust);
  if (client === undefined) {
    for (const name of FORWARDED) delete req.headers[name];
    return;
  }
  req.headers['x-forwarded-for'] = client;
}
