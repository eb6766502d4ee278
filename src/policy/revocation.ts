// EP-4, TOK-6: who may revoke a token. Only the client it was issued to (RFC 7009 §2.1).
// A public client presenting someone else's token is answered as if it had worked and
// nothing is revoked, so /revoke cannot tell it whether a guessed token exists; a
// confidential client, authenticated, is told plainly.
export type RevocationDecision = 'revoke' | 'ignore' | 'refuse';

export interface RevocationRequest {
  callerId: string;
  callerPublic: boolean;
  tokenClientId: string | undefined;
}

export function revocationDecision({ callerId, callerPublic, tokenClientId }: RevocationRequest): RevocationDecision {
  if (tokenClientId === callerId) return 'revoke';
  return callerPublic ? 'ignore' : 'refuse';
}

/** What a refused confidential client reads in `error_description`. */
export const REVOCATION_REFUSED = 'the token was not issued to this client (EP-4)';
