import * as client from 'openid-client';
import type { OidcConfig } from '../config.js';

/** What the browser carries between leaving for the provider and coming back: binds the answer to this browser. */
export interface PendingLogin {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
}

export interface VerifiedIdentity {
  email: string;
  subject: string;
}

export class OidcError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OidcError';
  }
}

/**
 * Single sign-on with an OpenID Connect provider: authorisation code flow with PKCE, state and
 * nonce (openid-client). The provider is discovered on first use, and again after a failure.
 */
export class OidcSignIn {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(
    private readonly settings: OidcConfig,
    private readonly redirectUri: string,
  ) {}

  get label(): string {
    return this.settings.label;
  }

  private discover(): Promise<client.Configuration> {
    const issuer = new URL(this.settings.issuer);
    // Plain HTTP is allowed only for a provider on this machine (development and tests).
    const local = issuer.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(issuer.hostname);
    this.configuration ??= client
      .discovery(issuer, this.settings.clientId, this.settings.clientSecret, undefined, local ? { execute: [client.allowInsecureRequests] } : undefined)
      .catch((error: unknown) => {
        this.configuration = undefined;
        throw new OidcError(`The sign-in provider ${this.settings.issuer} could not be reached`, { cause: error });
      });
    return this.configuration;
  }

  async start(next: string): Promise<{ url: string; pending: PendingLogin }> {
    const configuration = await this.discover();
    const pending: PendingLogin = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), next };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: 'openid email profile',
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /** Exchanges the code for tokens, checks them, and returns the identity's verified email address. */
  async finish(callbackUrl: URL, pending: PendingLogin): Promise<VerifiedIdentity> {
    const configuration = await this.discover();
    let claims: client.IDToken | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (error) {
      throw new OidcError('The sign-in provider’s answer could not be checked', { cause: error });
    }
    const email = typeof claims?.email === 'string' ? claims.email.toLowerCase() : undefined;
    if (claims === undefined || email === undefined) throw new OidcError('The sign-in provider did not give an email address');
    if (claims.email_verified === false) throw new OidcError('The sign-in provider has not verified this email address');
    return { email, subject: claims.sub };
  }
}

export function encodePending(pending: PendingLogin): string {
  return Buffer.from(JSON.stringify(pending)).toString('base64url');
}

export function decodePending(value: string | undefined): PendingLogin | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<PendingLogin>;
    return typeof parsed.state === 'string' && typeof parsed.nonce === 'string' && typeof parsed.verifier === 'string' && typeof parsed.next === 'string'
      ? (parsed as PendingLogin)
      : undefined;
  } catch {
    return undefined;
  }
}
