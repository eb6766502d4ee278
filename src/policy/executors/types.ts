// The executor interface (src/policy/README.md): one guideline concern, owned on every event
// it touches. Every hook is a pure function of (config, client, request): no HTTP, no storage.
import type { Problem } from '../../config/errors.js';
import type { Config } from '../../config/load.js';
import type { ResourceServerConfig } from '../../config/schema.js';
import type { Classification, Profile, ProfileOptions } from '../classification.js';
import type { KnownScopes } from '../scopes.js';

export type ClientMetadata = Record<string, unknown>;

/** What the deployment decides about every client (built once by clientCheckContext). */
export interface ClientCheckContext {
  options: ProfileOptions;
  /** development mode: http redirect URIs allowed on any host */
  development: boolean;
  /** algorithms the deployment signs with (opt-in RSA included) */
  signingAlgs: readonly string[];
  /** what the deployment's mTLS can do (EP-2) */
  mtls: { enabled: boolean; trustedCas: boolean };
  /** EP-9: CIBA is switched on (features.ciba) */
  ciba?: boolean;
  /** the deployment's API identifiers, which `allowed_resources` may name */
  resources?: readonly string[];
  /** the deployment's identity and API scopes, for a registration's `scope` */
  scopes?: KnownScopes;
}

/** A registration read once, so that every executor reads it the same way. */
export interface ClientFacts {
  classification: Classification;
  profile: Profile;
  /** token_endpoint_auth_method, client_secret_basic when absent (RFC 7591) */
  authMethod: string;
  isPublic: boolean;
  responseTypes: string[];
  grantTypes: string[];
  /** a response type that sends the person to /authorize */
  usesAuthorize: boolean;
}

/** An authorization request (/authorize, /par), after the library's own checks. */
export interface AuthorizationFacts {
  responseType: string | undefined;
  scopes: ReadonlySet<string>;
  nonce: string | undefined;
  state: string | undefined;
  codeChallengeMethod: string | undefined;
  /** the request arrived through /par (a request_uri from it) */
  pushed: boolean;
  /** the scopes the client registered (RFC 7591 `scope`); undefined = no limit beyond the provider's */
  registeredScopes: ReadonlySet<string> | undefined;
}

/** A token request, at the point the library resolves the API (resource) it is for. */
export interface TokenRequestFacts {
  grantType: string | undefined;
  scopes: Iterable<string>;
  client: { classification: unknown; allowedResources: unknown };
  /** the resource indicator sent and the API it names (undefined when unknown); absent when none */
  resource?: { indicator: string; api: ResourceServerConfig | undefined };
}

/** The deployment's data a token-request check reads. */
export interface TokenRequestContext {
  /** the deployment's identity (claim) scopes: `scopes` in the deployment file */
  identityScopes: ReadonlySet<string>;
  /** API scopes marked `actsForPerson` */
  personApiScopes: ReadonlySet<string>;
}

/** The OAuth error to answer a request with. */
export interface Refusal {
  error: 'invalid_request' | 'unsupported_response_type' | 'invalid_scope' | 'invalid_target' | 'unauthorized_client';
  description: string;
}

/** What the compliance report says about how a rule is held (its `mechanism`). */
export interface ReportLine {
  rule: string;
  mechanism: string;
}

export interface Executor {
  readonly name: string;
  /** the rules this executor enforces, with the text the compliance report shows for each */
  readonly report: readonly ReportLine[];
  /** start-up: the deployment file's settings this concern reads */
  checkDeployment?(config: Config): Problem[];
  /** start-up, registration and update: fill in what the profile decides, before the checks */
  fillIn?(meta: ClientMetadata, profile: Profile): ClientMetadata;
  /** self-registration only (/register with an initial access token): defaults a client gets set */
  fillInRegistration?(meta: ClientMetadata, profile: Profile): ClientMetadata;
  /** start-up, registration and update: the registration against the profile */
  checkClient?(meta: ClientMetadata, client: ClientFacts, ctx: ClientCheckContext): Problem[];
  /** /authorize and /par */
  authorizationRequest?(profile: Profile, facts: AuthorizationFacts): Refusal | undefined;
  /** /token, when the API a token is for is resolved */
  tokenRequest?(facts: TokenRequestFacts, ctx: TokenRequestContext): Refusal | undefined;
  /** /bc-authorize: the client against the CIBA rules again */
  cibaRequest?(meta: ClientMetadata, profile: Profile | undefined): Problem | undefined;
}
