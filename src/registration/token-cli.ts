// `npm run registration-token -- --config PATH --classification CLASS [--scope "a b"] [--api URL]… [--expires-in SECONDS] [--reusable]`:
// prints a new initial access token for /register (EP-10) on stdout, alone, so it can be
// piped; everything else goes to stderr. The token is not logged or shown again.
// The operator, not the client, decides the highest classification it may register with
// (GR-2) and, optionally, the scopes it may list and the APIs it may get tokens for.
// Exit 0: printed; 2: the deployment cannot take one (the reason, never a stack trace).
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/errors.js';
import { DEFAULT_CONFIG, loadConfig } from '../config/load.js';
import { CLASSIFICATIONS, isClassification } from '../policy/classification.js';
import { DEFAULT_TTL, issueInitialAccessToken } from './token.js';

const USAGE = `usage: npm run registration-token -- --config PATH --classification ${CLASSIFICATIONS.join('|')} [--scope "SCOPE ..."] [--api IDENTIFIER]... [--expires-in SECONDS (default ${DEFAULT_TTL})] [--reusable]`;

async function main(): Promise<number> {
  let values: { config?: string | undefined; classification?: string | undefined; scope?: string[] | undefined; api?: string[] | undefined; 'expires-in'?: string | undefined; reusable?: boolean | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      options: { config: { type: 'string' }, classification: { type: 'string' }, scope: { type: 'string', multiple: true }, api: { type: 'string', multiple: true }, 'expires-in': { type: 'string' }, reusable: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { classification } = values;
  if (!isClassification(classification)) {
    process.stderr.write(`--classification is required: the highest class the client may register as, one of ${CLASSIFICATIONS.join(', ')} (GR-2)\n${USAGE}\n`);
    return 2;
  }
  const path = values.config ?? process.env.IDP_CONFIG ?? DEFAULT_CONFIG;
  const expiresIn = values['expires-in'] === undefined ? undefined : Number(values['expires-in']);
  const scopes = (values.scope ?? []).flatMap((s) => s.split(' ')).filter(Boolean);
  const issued = await issueInitialAccessToken(loadConfig(path), { classification, scopes, apis: values.api ?? [], expiresIn, reusable: values.reusable === true });
  const { allowance } = issued;
  process.stderr.write(
    `Initial access token for ${path}: ${issued.singleUse ? 'one registration' : 'any number of registrations'}, until ${issued.expiresAt.toISOString()}, ` +
      `classification up to ${allowance.maxClassification}${allowance.scopes ? `, scopes ${allowance.scopes.join(' ')}` : ''}${allowance.apis ? `, APIs ${allowance.apis.join(' ')}` : ''}.\n` +
      'Give it to the client developer over a secure channel. It is not stored in readable form and will not be shown again.\n',
  );
  process.stdout.write(`${issued.token}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof ConfigError ? err.format() : `No token was made: ${err instanceof Error ? err.message : String(err)}`;
    process.stderr.write(`${message}\n`);
    process.exitCode = 2;
  },
);
