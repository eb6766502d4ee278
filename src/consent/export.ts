// npm run consent-export -- --config PATH [--account X] [--client Y] [--since ISO] [--until ISO] [--url BASE]
// Prints the consent ledger as JSON Lines (OIDC-8), oldest first.
// - Redis store: reads the ledger stream directly (the IdP need not run).
// - Memory store: the ledger lives inside the running IdP, so this asks that IdP's
//   operator route with the export token from the deployment file (`consent.exportToken`)
//   or CONSENT_EXPORT_TOKEN; --url names the IdP when the issuer is not reachable here.
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { EXPORT_ROUTE, FilterError, parseFilter } from './admin.js';
import { createLedger } from './index.js';
import type { LedgerFilter } from './ledger.js';

function fail(message: string): never {
  process.stderr.write(`consent-export: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      account: { type: 'string' },
      client: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      url: { type: 'string' },
    },
    allowPositionals: false,
  });
  const path = values.config ?? process.env.IDP_CONFIG;
  if (!path) fail('--config PATH is required (the running IdP\'s deployment file)');
  const config = loadConfig(path);
  let filter: LedgerFilter;
  try {
    filter = parseFilter({ account: values.account, client: values.client, since: values.since, until: values.until });
  } catch (err) {
    if (err instanceof FilterError) fail(err.message);
    throw err;
  }
  if (config.store.type === 'redis' && !values.url) {
    const ledger = await createLedger(config);
    try {
      for await (const record of ledger.query(filter)) process.stdout.write(`${JSON.stringify(record)}\n`);
    } finally {
      await ledger.close();
    }
    return;
  }
  const token = process.env.CONSENT_EXPORT_TOKEN || config.secrets.exportToken;
  if (!token) fail('no export token: set consent.exportToken in the deployment file or CONSENT_EXPORT_TOKEN');

  const base = (values.url ?? process.env.IDP_URL ?? config.issuer).replace(/\/$/, '');
  const url = new URL(`${base}${EXPORT_ROUTE}`);
  for (const key of ['account', 'client', 'since', 'until'] as const) {
    const v = values[key];
    if (v) url.searchParams.set(key, v);
  }
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  } catch (err) {
    fail(`cannot reach the IdP at ${base} (${(err as Error).message}); is it running? (--url to name another address)`);
  }
  if (res.status === 401) fail('the IdP refused the export token');
  if (res.status === 404) fail(`the IdP at ${base} has no export route: set consent.exportToken in its deployment file`);
  if (!res.ok || !res.body) fail(`the IdP answered ${res.status}: ${await res.text()}`);
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) process.stdout.write(chunk);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) fail(err.format());
  fail(err instanceof Error ? err.message : String(err));
});
