// EP-9: the "authentication device" of CIBA behind a small interface. An agency plugs in
// its push notification or app; the built-in approval page (approval-page.ts) is one.
//
//   /bc-authorize accepted → device.notify(request) → the person answers on the device
//   → the device calls decisions.approve(...) or decisions.deny(...) → the client polls
//   (or is pinged) and gets tokens or access_denied.

/** One pending backchannel authentication request, as a device sees it. */
export interface CibaRequest {
  /**
   * The handle to answer with (the auth_req_id). It is a credential of the client:
   * never log it, never show it to the person or put it in a URL.
   */
  readonly id: string;
  readonly accountId: string;
  readonly clientId: string;
  /** what the person is shown as the requester */
  readonly clientName: string;
  readonly scopes: readonly string[];
  /** the resource indicators (APIs) asked for, if any */
  readonly resources: readonly string[];
  /** shown to the person on both devices so they can tell the request is theirs */
  readonly bindingMessage: string | undefined;
  /** epoch seconds */
  readonly expiresAt: number;
}

/** How the person signed in on the device, recorded in the tokens (amr, acr). */
export interface DeviceAuthentication {
  accountId: string;
  amr: string[];
  acr?: string;
}

/** `not-recorded`: the consent ledger refused the record, so the answer had no effect (OIDC-8). */
export type DecisionOutcome = 'approved' | 'denied' | 'expired' | 'already-decided' | 'not-found' | 'not-recorded';

/** What a device calls when the person has answered. */
export interface CibaDecisions {
  /** OIDC-7: the person agreed; a grant for the requested scopes is made. */
  approve(requestId: string, authentication: DeviceAuthentication): Promise<DecisionOutcome>;
  /** OIDC-7: the person said no; the client gets access_denied. */
  deny(requestId: string, accountId: string): Promise<DecisionOutcome>;
  /** The request as a device shows it (undefined when unknown, decided or not this account's). */
  describe(requestId: string, accountId: string): Promise<CibaRequest | undefined>;
}

export interface AuthenticationDevice {
  /**
   * A request passed /bc-authorize: reach the person (push, app, SMS…). Return promptly,
   * without waiting for the answer. Throwing refuses the request.
   */
  notify(request: CibaRequest): Promise<void>;
}

/** An agency's device, given the decisions it reports back through. */
export type AuthenticationDeviceFactory = (decisions: CibaDecisions) => AuthenticationDevice;
