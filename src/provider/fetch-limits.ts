// EP-2, OIDC-9: limits on what the IdP fetches from addresses clients give it. The library
// already limits time (2.5 s for connection and body, lib/helpers/fetch_request.js) and
// refuses private and loopback addresses; it sets no size limit for jwks_uri or
// sector_identifier_uri, so a client's key server could stream megabytes into memory.
import type { Configuration } from 'oidc-provider';

/** A JWKS of a few keys is a few kilobytes; 64 KiB leaves room for certificate chains (x5c). */
export const JWKS_URI_MAX_BYTES = 64 * 1024;
/** A list of redirect URIs (OpenID Connect Core 8.1). */
export const SECTOR_IDENTIFIER_MAX_BYTES = 64 * 1024;

export const fetchResponseBodyLimits: Configuration['fetchResponseBodyLimits'] = {
  jwks_uri: JWKS_URI_MAX_BYTES,
  sector_identifier_uri: SECTOR_IDENTIFIER_MAX_BYTES,
  // The library's own limit for client ID metadata documents (not used here), kept.
  'client_id metadata document': 5 * 1024,
};

const TOO_LARGE = 'response too large'; // the library's words (lib/helpers/fetch_body_check.js)

function causes(err: unknown): unknown[] {
  const seen: unknown[] = [];
  for (let e = err; e && typeof e === 'object' && seen.length < 6; e = (e as { cause?: unknown }).cause) seen.push(e);
  return seen;
}

/**
 * EP-2, OIDC-9: why a client's keys at its jwks_uri could not be used, for the
 * invalid_client answer, or undefined when the failure was not fetching them. The library
 * hides it behind "client authentication failed"; the developer of the service needs it.
 */
export function jwksUriRefusal(err: unknown): string | undefined {
  const chain = causes(err);
  // The library's error: its code in `message`, its words in `error_description`.
  const refreshing = chain.some((e) => (e as { error_description?: unknown }).error_description === 'client JSON Web Key Set failed to be refreshed');
  if (!refreshing) return undefined;
  const names = chain.map((e) => (e as { name?: unknown }).name);
  const messages = chain.map((e) => (e as { message?: unknown }).message);
  let why = 'its answer is not a usable JSON Web Key Set';
  // Past the limit while streaming, the library cancels a stream its own loop still holds,
  // so its refusal surfaces as "ReadableStream is locked" (the read has stopped all the same).
  const tooLarge = messages.some((m) => m === TOO_LARGE || (typeof m === 'string' && m.includes('ReadableStream is locked')));
  if (tooLarge) why = `its answer is larger than ${JWKS_URI_MAX_BYTES / 1024} KiB`;
  else if (names.includes('TimeoutError') || names.includes('AbortError')) why = 'it did not answer in full within 2.5 s';
  else if (messages.some((m) => typeof m === 'string' && m.startsWith('unexpected jwks_uri response status code'))) why = 'it did not answer 200 OK';
  else if (messages.includes('fetch failed')) why = 'it could not be reached';
  return `the client's keys at its jwks_uri could not be read: ${why} (EP-2)`;
}
