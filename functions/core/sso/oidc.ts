import * as oauth from 'oauth4webapi';
import { OutboundRefused, OutboundTimeout } from '../../lib/network';
import { ApiError } from '../../lib/errors';
import type { Services } from '../../ports';

/**
 * The OpenID Connect relying party, on oauth4webapi (web-standard, Workers-friendly). Every
 * request to the identity provider (discovery, token, JWKS) goes through the outbound port, so
 * an issuer URL cannot aim the server at internal addresses; http and loopback issuers work only
 * where ALLOW_PRIVATE_URLS opens them (development and tests).
 */
type OidcDeps = Pick<Services, 'outbound'>;

const IDP_TIMEOUT_MS = 10_000;
const IDP_MAX_BYTES = 512 * 1024;

/** Why a sign-in was refused, as `details.reason` of an `sso_failed` error. */
export type SsoFailure =
  | 'state_invalid'
  | 'replayed'
  | 'provider_error'
  | 'code_rejected'
  | 'wrong_audience'
  | 'wrong_issuer'
  | 'nonce_mismatch'
  | 'token_expired'
  | 'invalid_signature'
  | 'invalid_response'
  | 'email_unverified'
  | 'domain_not_allowed'
  | 'issuer_unreachable'
  | 'not_configured';

export function ssoFailure(reason: SsoFailure, message: string): ApiError {
  return new ApiError('sso_failed', message, { details: { reason } });
}

function requestOptions(deps: OidcDeps) {
  return {
    [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<string, unknown>) =>
      deps.outbound.fetch(url, {
        method: init.method,
        headers: init.headers,
        body: init.body as BodyInit | undefined,
        signal: init.signal,
        timeoutMs: IDP_TIMEOUT_MS,
        maxBytes: IDP_MAX_BYTES,
      }),
    [oauth.allowInsecureRequests]: deps.outbound.policy.allowPrivate,
  };
}

/** The provider's metadata from `<issuer>/.well-known/openid-configuration`; its `issuer` must match. */
export async function discover(deps: OidcDeps, issuer: string): Promise<oauth.AuthorizationServer> {
  const issuerUrl = new URL(issuer);
  try {
    const response = await oauth.discoveryRequest(issuerUrl, { algorithm: 'oidc', ...requestOptions(deps) });
    return await oauth.processDiscoveryResponse(issuerUrl, response);
  } catch (error) {
    if (error instanceof OutboundRefused) throw ssoFailure('issuer_unreachable', `The issuer may not be reached: ${error.message}`);
    if (error instanceof OutboundTimeout) throw ssoFailure('issuer_unreachable', `The issuer did not answer: ${error.message}`);
    if (error instanceof oauth.OperationProcessingError && error.code === oauth.JSON_ATTRIBUTE_COMPARISON) {
      throw ssoFailure('wrong_issuer', 'The provider\u2019s discovery document names another issuer; check the issuer URL');
    }
    const message = error instanceof Error ? error.message : 'unknown error';
    throw ssoFailure('issuer_unreachable', `The issuer\u2019s discovery document could not be read (${message})`);
  }
}

export interface AuthorizationStart {
  url: string;
  codeVerifier: string;
  nonce: string;
  state: string;
}

/** The provider's authorization URL for the code flow with PKCE (S256), state and nonce. */
export async function authorizationUrl(as: oauth.AuthorizationServer, clientId: string, redirectUri: string, loginHint: string): Promise<AuthorizationStart> {
  if (!as.authorization_endpoint) throw ssoFailure('invalid_response', 'The provider has no authorization endpoint');
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid email profile',
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    login_hint: loginHint,
  }).toString();
  return { url: url.toString(), codeVerifier, nonce, state };
}

export interface IdTokenClaims {
  sub: string;
  email?: string;
  emailVerified: boolean;
  name?: string;
}

/** Translates the library's refusals into reasons a person (and a test) can tell apart. */
function explain(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof OutboundRefused || error instanceof OutboundTimeout) return ssoFailure('issuer_unreachable', error.message);
  if (error instanceof oauth.AuthorizationResponseError) {
    return ssoFailure('provider_error', `The identity provider refused the sign-in: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`);
  }
  if (error instanceof oauth.ResponseBodyError) {
    return error.error === 'invalid_grant'
      ? ssoFailure('code_rejected', 'The identity provider refused the authorization code (already used or expired); sign in again')
      : ssoFailure('provider_error', `The identity provider answered ${error.error}`);
  }
  if (error instanceof oauth.OperationProcessingError) {
    const claim = (error.cause as { claim?: string } | undefined)?.claim;
    if (error.code === oauth.JWT_CLAIM_COMPARISON && claim === 'aud') return ssoFailure('wrong_audience', 'The ID token was issued for another application (wrong audience)');
    if (error.code === oauth.JWT_CLAIM_COMPARISON && claim === 'azp') return ssoFailure('wrong_audience', 'The ID token was issued for another application (authorized party)');
    if (error.code === oauth.JWT_CLAIM_COMPARISON && claim === 'iss') return ssoFailure('wrong_issuer', 'The ID token comes from another issuer');
    if (error.code === oauth.JWT_CLAIM_COMPARISON && claim === 'nonce') return ssoFailure('nonce_mismatch', 'The ID token does not belong to this sign-in (nonce mismatch)');
    if (error.code === oauth.JWT_TIMESTAMP_CHECK) return ssoFailure('token_expired', 'The ID token has expired; sign in again');
    if (error.message === 'JWT signature verification failed' || error.code === oauth.KEY_SELECTION) {
      return ssoFailure('invalid_signature', 'The ID token\u2019s signature does not verify against the provider\u2019s keys');
    }
    return ssoFailure('invalid_response', `The identity provider\u2019s answer is not valid: ${error.message}`);
  }
  const message = error instanceof Error ? error.message : 'unknown error';
  return ssoFailure('invalid_response', `The sign-in could not be completed: ${message}`);
}

export interface CodeExchange {
  as: oauth.AuthorizationServer;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** The query string the provider sent back to the redirect URI. */
  callbackParams: URLSearchParams;
  state: string;
  codeVerifier: string;
  nonce: string;
}

/**
 * Exchanges the code (with the PKCE verifier) and checks the ID token: issuer, audience, expiry,
 * nonce, and its signature against the provider's JWKS.
 */
export async function exchangeCode(deps: OidcDeps, input: CodeExchange): Promise<IdTokenClaims> {
  const client: oauth.Client = { client_id: input.clientId };
  const options = requestOptions(deps);
  try {
    const params = oauth.validateAuthResponse(input.as, client, input.callbackParams, input.state);
    const response = await oauth.authorizationCodeGrantRequest(
      input.as,
      client,
      oauth.ClientSecretPost(input.clientSecret),
      params,
      input.redirectUri,
      input.codeVerifier,
      options,
    );
    const result = await oauth.processAuthorizationCodeResponse(input.as, client, response, { expectedNonce: input.nonce, requireIdToken: true });
    // The token endpoint is reached over TLS, but the token still has to be signed by the issuer's keys.
    await oauth.validateApplicationLevelSignature(input.as, response, options);
    const claims = oauth.getValidatedIdTokenClaims(result)!;
    return {
      sub: claims.sub,
      email: typeof claims.email === 'string' ? claims.email : undefined,
      emailVerified: claims.email_verified === true || claims.email_verified === 'true',
      name: typeof claims.name === 'string' ? claims.name : undefined,
    };
  } catch (error) {
    throw explain(error);
  }
}
