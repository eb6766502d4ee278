// GET /admin/consent-ledger: the ledger as JSON Lines for `npm run consent-export`, for an
// operator holding the export token (TOK-10: at least 40 characters). With the memory
// store the ledger lives in the IdP's process, so the export asks the running IdP.
// Filters: account, client, since, until (ISO 8601; since inclusive, until exclusive).
import { createHash, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import Router from '@koa/router';
import { audit } from '../ops/request-scope.js';
import type { ConsentLedger, LedgerFilter } from './ledger.js';

export const EXPORT_ROUTE = '/admin/consent-ledger';

const digest = (s: string) => createHash('sha256').update(s).digest();

export class FilterError extends Error {}

export function parseFilter(q: Record<string, string | undefined>): LedgerFilter {
  const time = (name: string) => {
    const v = q[name];
    if (v === undefined || v === '') return undefined;
    const t = Date.parse(v);
    if (Number.isNaN(t)) throw new FilterError(`${name} must be an ISO 8601 date or time`);
    return t;
  };
  return { accountId: q.account || undefined, clientId: q.client || undefined, since: time('since'), until: time('until') };
}

export function exportRoutes(ledger: ConsentLedger, token: string): Router {
  const router = new Router();
  const expected = digest(token);
  router.get(EXPORT_ROUTE, (ctx) => {
    ctx.set('cache-control', 'no-store');
    const given = /^Bearer (.+)$/.exec(ctx.get('authorization'))?.[1] ?? '';
    if (!timingSafeEqual(digest(given), expected)) {
      ctx.status = 401;
      ctx.set('www-authenticate', 'Bearer');
      ctx.body = { error: 'invalid_token' };
      return;
    }
    const one = (v: unknown) => (typeof v === 'string' ? v : undefined);
    let filter: LedgerFilter;
    try {
      filter = parseFilter({ account: one(ctx.query.account), client: one(ctx.query.client), since: one(ctx.query.since), until: one(ctx.query.until) });
    } catch (err) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: (err as Error).message };
      return;
    }
    audit('consent_ledger.exported', {}, { account: filter.accountId, client: filter.clientId, since: one(ctx.query.since), until: one(ctx.query.until) });
    ctx.type = 'application/x-ndjson';
    ctx.body = Readable.from((async function* () {
      for await (const record of ledger.query(filter)) yield `${JSON.stringify(record)}\n`;
    })());
  });
  return router;
}
