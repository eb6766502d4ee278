// EP-2, OIDC-9: the library fetches a client's jwks_uri again whenever its keys are not
// fresh, and a failed fetch leaves them not fresh: a client with a broken key server would
// cost every one of its token requests an outgoing request (up to 2.5 s). A failed GET —
// unreachable, or not 200 OK — is remembered for a short time and answered from memory, so
// the client reads the same refusal at once, and a client that fixes its keys recovers
// within that time. A failure while reading the body (too large, too slow) is not seen
// here and is not remembered. POSTs (CIBA pings) are never remembered.
import type { Configuration } from 'oidc-provider';

type Fetch = NonNullable<Configuration['fetch']>;

/** Short enough that a client that fixed its keys is not kept waiting. */
export const FAILED_FETCH_TTL_MS = 30_000;
/** Distinct failing addresses kept at once (registered clients name their own). */
const MAX_REMEMBERED = 1000;

interface Failure {
  until: number;
  status?: number;
  statusText?: string;
  headers?: Headers;
  error?: unknown;
}

export interface FailedFetchOptions {
  ttlMs?: number;
  now?: () => number;
}

export function rememberFailedFetches(fetch: Fetch, { ttlMs = FAILED_FETCH_TTL_MS, now = Date.now }: FailedFetchOptions = {}): Fetch {
  const failures = new Map<string, Failure>();
  const remember = (key: string, failure: Omit<Failure, 'until'>) => {
    failures.delete(key);
    // The oldest goes first: a Map iterates in insertion order.
    if (failures.size >= MAX_REMEMBERED) failures.delete(failures.keys().next().value ?? '');
    failures.set(key, { ...failure, until: now() + ttlMs });
  };

  return async (url, options) => {
    const method = (options?.method ?? (url instanceof Request ? url.method : 'GET')).toUpperCase();
    if (method !== 'GET') return fetch(url, options);
    const key = url instanceof Request ? url.url : String(url);
    const known = failures.get(key);
    if (known && known.until > now()) {
      if (known.status === undefined) throw known.error;
      return new Response(null, { status: known.status, statusText: known.statusText ?? '', headers: known.headers ?? new Headers() });
    }
    failures.delete(key);
    let response: Response;
    try {
      response = await fetch(url, options);
    } catch (error) {
      remember(key, { error });
      throw error;
    }
    if (!response.ok) remember(key, { status: response.status, statusText: response.statusText, headers: new Headers(response.headers) });
    return response;
  };
}
