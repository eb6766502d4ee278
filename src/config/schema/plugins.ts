// An agency's module (src/plugins/): where it is and what it is given.
import { z } from 'zod';

const pluginModule = (what: string, call: string) =>
  z
    .strictObject({
      path: z
        .string()
        .min(1)
        .describe('An ES module (`.js` or `.mjs`), relative to the deployment file or absolute, e.g. `/etc/idp/plugins/accounts.js` mounted into the Docker image.'),
      options: z.record(z.string(), z.unknown()).default({}).describe(`Given to \`${call}\` as \`options\`. Not a place for secrets: the module reads those from the environment or a file.`),
    })
    .optional()
    .describe(what);

// Modules loaded at start-up by the stock entry point and the image (config/guides/plugins.md).
export const plugins = z.strictObject({
  accounts: pluginModule(
    'The account source: a module exporting `createAccountStore(options, context)` that returns an `AccountStore` (`authenticate`, `find`). Replaces the file\'s `accounts`; sign-in throttling still applies.',
    'createAccountStore',
  ),
  cibaDevice: pluginModule(
    'The CIBA authentication device (EP-9): a module exporting `createAuthenticationDevice(decisions, options, context)` that returns `{ notify(request) }`, and optionally `resolveLoginHint(hint)`. Needs `features.ciba`.',
    'createAuthenticationDevice',
  ),
  logger: pluginModule(
    'The logger: a module exporting `createLogger(options, context)` that returns `{ log(level, event, fields) }` or a pino-compatible logger. Secret fields are redacted before it sees them.',
    'createLogger',
  ),
  store: pluginModule(
    'The store backend: a module exporting `createRecordBackend(options, context)` that returns a `RecordBackend` (config/guides/storage-backends.md). The IdP seals every record before the backend sees it (TOK-2). Replaces the memory store: leave `store.type` at `memory`, without `maxEntries`; in production declare `store.singleInstance` (the consent ledger and sign-in counts stay in the process).',
    'createRecordBackend',
  ),
});
