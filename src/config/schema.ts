// The deployment file's shape, composed from one module per section (src/config/schema/).
// Validation here is about form (types, ranges, names); whether a value follows the
// guideline is the policy's call (src/policy/).
// Each field's description lives here, once: `npm run schema` turns this schema into
// config/schema.json (for editors) and the field reference in config/README.md.
// `defaultText` says in words what a default is when it is not a plain value.
import { z } from 'zod';
import { cibaSettings } from '../ciba/settings.js';
import { assuranceSettings } from '../factors/settings.js';
import { identitySources } from '../accounts/sources/schema.js';
import { account, accounts } from './schema/accounts.js';
import { resourceServer, resourceServers, scopeDoc, scopes } from './schema/apis.js';
import { clients } from './schema/clients.js';
import { consent } from './schema/consent.js';
import { deviation, deviations } from './schema/deviations.js';
import { features } from './schema/features.js';
import { keys, secrets } from './schema/keys.js';
import { login } from './schema/login.js';
import { mtls, proxy, tls } from './schema/network.js';
import { audit, limits, management, shutdown } from './schema/operations.js';
import { plugins } from './schema/plugins.js';
import { smart, smartPatient } from './schema/smart.js';
import { store } from './schema/store.js';
import { algorithms, lifetimes } from './schema/tokens.js';
export type { SecretRef } from './secret.js';
export { CLASSIFICATIONS, type Classification } from './schema/common.js';
/** a JWKS as read from keys.signing.path */
export { jwks as jwksSchema } from './schema/common.js';

export const configSchema = z.strictObject({
  $schema: z.string().optional().describe('The JSON schema for editors: `./schema.json` next to the shipped examples. Ignored by the IdP.'),
  mode: z
    .enum(['development', 'production'])
    .default('production')
    .describe('`development` allows an http issuer, makes up signing keys and secrets at start-up (with a loud warning), and enables the demo. Never use it in front of real people.'),
  issuer: z.url().describe('The issuer URL. Must be `https://` in production (EP-11).'),
  port: z.number().int().min(0).max(65535).default(3000).describe('The port to listen on.'),
  host: z.string().min(1).optional().meta({
    description: 'The address to listen on, e.g. `0.0.0.0` for every IPv4 interface. `HOST` overrides it. A laptop trial is not a network service: development mode stays on loopback unless told.',
    defaultText: '`127.0.0.1` in development mode; every interface in production',
  }),
  proxy,
  keys,
  secrets,
  tls,
  mtls,
  store: store.default({ type: 'memory' }),
  lifetimes,
  algorithms,
  features,
  scopes,
  resourceServers,
  clients,
  accounts,
  sources: identitySources,
  deviations,
  ciba: cibaSettings,
  smart: smart.prefault({}).describe('SMART App Launch: EHR launch and the patient picker (OIDC-9); FHIR servers are marked in `resourceServers[].fhir`. See config/guides/smart.md.'),
  demo: z
    .strictObject({ enabled: z.boolean().default(false).describe('The demo relying party at `/demo` (development mode only).') })
    .default({ enabled: false })
    .describe('The development-mode demo relying party.'),
  consent: consent.prefault({}).describe('The consent ledger and the person\'s consents page (OIDC-7, OIDC-8).'),
  login: login.prefault({}).describe('Sign-in.'),
  assurance: assuranceSettings,
  limits,
  management: management.optional().meta({ description: 'A second listener for `/metrics` (Prometheus), `/healthz` and `/readyz`; see config/guides/operations.md.', defaultText: 'no management listener' }),
  audit: audit.prefault({}).describe('The audit trail (config/guides/operations.md).'),
  plugins: plugins.prefault({}).describe('An agency\'s own modules for the account source, the CIBA device, the logger and the store backend, loaded at start-up (the audit sink\'s module is `audit.sink`). See config/guides/plugins.md.'),
  shutdown,
});

export type RawConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type ResourceServerConfig = z.output<typeof resourceServer>;
export type AccountConfig = z.output<typeof account>;
export type ScopeDoc = z.output<typeof scopeDoc>;
export type StoreConfig = z.output<typeof store>;
export type Deviation = z.output<typeof deviation>;
export type LoginConfig = z.output<typeof login>;
export type SmartConfig = z.output<typeof smart>;
export type SmartPatient = z.output<typeof smartPatient>;
export type ManagementConfig = z.output<typeof management>;
export type PluginModuleConfig = NonNullable<z.output<typeof plugins>['accounts']>;
