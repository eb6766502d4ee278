// Passkeys and security keys (WebAuthn Level 2) through @simplewebauthn/server. The
// library checks the origin, the RP ID, the challenge and the signature counter; the
// challenge is kept server-side with the sign-in step and used once (AUTH-1).
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Config } from '../config/load.js';
import type { PasskeyFactor } from './store.js';

export interface RelyingParty {
  id: string;
  name: string;
  /** the origin the browser must report: the issuer's */
  origin: string;
}

export function relyingPartyOf(config: Config): RelyingParty {
  const issuer = new URL(config.issuer);
  return { id: config.assurance.passkeys.rpId ?? issuer.hostname, name: config.assurance.passkeys.rpName, origin: issuer.origin };
}

export function registrationOptions(rp: RelyingParty, account: { id: string; name: string }, existing: readonly PasskeyFactor[]): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: account.name,
    userID: new TextEncoder().encode(account.id),
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.id, ...(p.transports ? { transports: p.transports as never } : {}) })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
}

export function authenticationOptions(rp: RelyingParty, passkeys: readonly PasskeyFactor[]): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: passkeys.map((p) => ({ id: p.id, ...(p.transports ? { transports: p.transports as never } : {}) })),
    userVerification: 'preferred',
  });
}

/** Parses what the browser script posted; undefined when it is not a credential at all. */
export function parseCredential<T extends RegistrationResponseJSON | AuthenticationResponseJSON>(text: string | null): T | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

/** The new passkey, or undefined when the browser's answer does not verify. */
export async function verifyRegistration(rp: RelyingParty, response: RegistrationResponseJSON, challenge: string, name: string): Promise<PasskeyFactor | undefined> {
  try {
    const result = await verifyRegistrationResponse({ response, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.id, requireUserVerification: false });
    if (!result.verified) return undefined;
    const { credential, credentialDeviceType } = result.registrationInfo;
    return {
      id: credential.id,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: response.response.transports,
      multiDevice: credentialDeviceType === 'multiDevice',
      created: Math.floor(Date.now() / 1000),
      name,
    };
  } catch {
    return undefined;
  }
}

/** The passkey's new counter when the assertion verifies (a counter that went back fails). */
export async function verifyAuthentication(rp: RelyingParty, response: AuthenticationResponseJSON, challenge: string, passkey: PasskeyFactor): Promise<number | undefined> {
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: { id: passkey.id, publicKey: Buffer.from(passkey.publicKey, 'base64url'), counter: passkey.counter, ...(passkey.transports ? { transports: passkey.transports } : {}) },
      requireUserVerification: false,
    });
    return result.verified ? result.authenticationInfo.newCounter : undefined;
  } catch {
    return undefined;
  }
}
