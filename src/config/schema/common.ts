// Building blocks the sections share: the classifications, seconds, scope tokens, keys and addresses.
import { z } from 'zod';

export const CLASSIFICATIONS = ['PUBLIC', 'IN-CONFIDENCE', 'SENSITIVE'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const seconds = z.number().int().positive();

// RFC 6749 §3.3: a scope token (no spaces, quotes or backslashes).
export const scopeToken = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'a scope token (RFC 6749 §3.3)');

export const jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1).describe('The JWKs, each with its private part.') });

export const hostPort = z.strictObject({ host: z.string().describe('Host name or address.'), port: z.number().int().describe('Port.') });
