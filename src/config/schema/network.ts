// Where TLS ends: a proxy in front (EP-11), the IdP's own certificate, and mutual TLS (EP-2, RFC 8705).
import { z } from 'zod';
import { parseCidr } from '../../ops/proxy.js';

export const proxy = z
  .union([
    z.boolean(),
    z.strictObject({
      trusted: z
        .array(z.string().refine((v) => parseCidr(v) !== undefined, 'an address or CIDR block, e.g. 10.0.0.0/8'))
        .min(1)
        .describe('The proxies\' addresses or CIDR blocks.'),
    }),
    z.strictObject({ hops: z.number().int().min(1).max(10).describe('Proxies in front, each appending to `X-Forwarded-For`.') }),
  ])
  .default(false)
  .describe('TLS ends at a proxy (EP-11): `{ "trusted": ["10.0.3.7/32", …] }` believes `X-Forwarded-For`/`-Proto`/`-Host` only from those addresses or CIDR blocks and takes the right-most address that is not one of them as the client\'s; `{ "hops": n }` takes the entry n places from the right, from any peer; `true` is `{ "hops": 1 }`. See config/guides/deployment.md, *Behind a TLS-terminating proxy*.');

export const tls = z
  .strictObject({
    certFile: z.string().min(1).describe('PEM certificate chain.'),
    keyFile: z.string().min(1).describe('PEM private key.'),
  })
  .optional()
  .describe('The IdP serves HTTPS itself (EP-11). Otherwise TLS ends at a proxy: set `proxy`. Production needs one or the other.');

export const mtls = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe('RFC 8705 mutual TLS (EP-2): `tls_client_auth` and `self_signed_tls_client_auth` client authentication, and certificate-bound access tokens. Needs `tls` (the IdP asks for a client certificate in the TLS handshake) or `mtls.proxyHeader`.'),
    caFile: z.string().min(1).optional().describe('PEM bundle of the CAs trusted to issue `tls_client_auth` certificates. Without it only `self_signed_tls_client_auth` is offered.'),
    proxyHeader: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'a lower-case header name')
      .optional()
      .describe('Behind a TLS-terminating proxy: the (lower-case) header in which it forwards the client certificate, URL-encoded PEM (nginx `$ssl_client_escaped_cert`) or base64 DER.'),
    trustedProxies: z
      .array(z.string().min(1))
      .default([])
      .describe('The proxies\' own addresses (as the IdP\'s socket sees them). The certificate header is ignored from anyone else. Required with `proxyHeader`.'),
    endpointAliasBase: z.url().optional().describe('A separate mTLS host (e.g. `https://mtls.id.example.org`), published as `mtls_endpoint_aliases` in discovery.'),
  })
  .prefault({})
  .describe('Mutual TLS client authentication and certificate-bound tokens (EP-2, RFC 8705).');
