/**
 * Authentication: a managed-identity token endpoint speaking the App Service protocol (the one
 * msal-node's AppService source uses when IDENTITY_ENDPOINT and IDENTITY_HEADER are set), and the
 * bearer-token check in front of every ARM request.
 *
 * The App Service protocol, as msal-node 6 calls it: GET {IDENTITY_ENDPOINT}?api-version=2019-08-01
 * &resource=<resource> (optionally client_id / mi_res_id / object_id for a user-assigned identity)
 * with the header X-IDENTITY-HEADER: {IDENTITY_HEADER}. The answer is JSON with access_token,
 * expires_on (Unix seconds, as a string), resource, token_type and client_id.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ArmError } from './arm/errors.js';
import { IDENTITY_API_VERSION, IDENTITY_HEADER_NAME, MANAGED_IDENTITY_CLIENT_ID, TOKEN_LIFETIME_SECONDS } from './constants.js';
import { secret } from './util.js';

export interface IssuedToken {
  resource: string;
  clientId: string;
  expiresAtMs: number;
}

export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `https://host/` and `https://host` name the same audience. */
const normalizeAudience = (resource: string): string => resource.trim().toLowerCase().replace(/\/+$/, '');

export class TokenService {
  private readonly tokens = new Map<string, IssuedToken>();
  readonly identityHeader = secret(24);
  private readonly audiences: Set<string>;

  constructor(baseUrl: string) {
    this.audiences = new Set(
      [baseUrl, 'https://management.azure.com', 'https://management.core.windows.net', `https://localhost:${new URL(baseUrl).port}`].map(normalizeAudience),
    );
  }

  get issuedCount(): number {
    return this.tokens.size;
  }

  /** The identity endpoint: GET with api-version, resource and the X-IDENTITY-HEADER secret. */
  handleTokenRequest(method: string, query: URLSearchParams, headers: IncomingHttpHeaders): TokenResponse {
    if (method !== 'GET') {
      return { status: 405, body: { error: 'invalid_request', error_description: `The token endpoint accepts GET only (got ${method}).` } };
    }
    const header = headers[IDENTITY_HEADER_NAME];
    const given = Array.isArray(header) ? header[0] : header;
    if (given === undefined || !sameSecret(given, this.identityHeader)) {
      return {
        status: 401,
        body: {
          error: 'unauthorized_client',
          error_description: given === undefined ? 'The X-IDENTITY-HEADER header is missing.' : 'The X-IDENTITY-HEADER header does not match the identity secret.',
        },
      };
    }
    const apiVersion = query.get('api-version');
    if (apiVersion !== IDENTITY_API_VERSION) {
      return {
        status: 400,
        body: { error: 'invalid_request', error_description: `api-version '${apiVersion ?? ''}' is not supported; use ${IDENTITY_API_VERSION}.` },
      };
    }
    const resource = query.get('resource');
    if (!resource) {
      return { status: 400, body: { error: 'invalid_request', error_description: "The 'resource' query parameter is required." } };
    }
    const clientId = query.get('client_id') ?? MANAGED_IDENTITY_CLIENT_ID;
    const token = secret(32);
    const expiresAtMs = Date.now() + TOKEN_LIFETIME_SECONDS * 1000;
    this.tokens.set(token, { resource, clientId, expiresAtMs });
    return {
      status: 200,
      body: {
        access_token: token,
        expires_on: String(Math.floor(expiresAtMs / 1000)),
        resource,
        token_type: 'Bearer',
        client_id: clientId,
      },
    };
  }

  /** Checks the Authorization header of an ARM request; throws ARM's 401 when it does not carry a valid token. */
  authenticate(headers: IncomingHttpHeaders): IssuedToken {
    const value = headers.authorization;
    const challenge = (description: string): Record<string, string> => ({
      'WWW-Authenticate': `Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="${description}"`,
    });
    if (!value) {
      throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.", undefined, challenge('The access token is missing'));
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
    if (!m) {
      throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is not a bearer token.", undefined, challenge('The access token is missing'));
    }
    const issued = this.tokens.get(m[1]!);
    if (!issued) {
      throw new ArmError(401, 'AuthenticationFailed', 'Authentication failed. The access token is invalid: it was not issued by this endpoint.', undefined, challenge('The access token is invalid'));
    }
    if (issued.expiresAtMs <= Date.now()) {
      this.tokens.delete(m[1]!);
      throw new ArmError(401, 'ExpiredAuthenticationToken', 'The access token has expired. Get a new token and try again.', undefined, challenge('The access token expired'));
    }
    if (!this.audiences.has(normalizeAudience(issued.resource))) {
      throw new ArmError(
        401,
        'InvalidAuthenticationTokenAudience',
        `The access token has been obtained for the wrong audience or resource '${issued.resource}'. It should exactly match one of the allowed audiences: ${[...this.audiences].join(', ')}.`,
        undefined,
        challenge('The access token has the wrong audience'),
      );
    }
    return issued;
  }
}
