// EP-2 (RFC 9449 §8): a DPoP proof without a server nonce can be made in advance (the
// library accepts an iat up to ±300 s away). SENSITIVE clients always prove with a
// nonce the IdP handed out; a deployment may ask the same of other classifications.
import type { Classification } from '../config/schema.js';

export function dpopNonceRequired(classification: unknown, configured: readonly Classification[]): boolean {
  return classification === 'SENSITIVE' || (configured as readonly unknown[]).includes(classification);
}
