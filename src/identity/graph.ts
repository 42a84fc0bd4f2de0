/**
 * Microsoft Graph client for account containment: an app-only token from the client
 * credentials grant, the user found by on-premises SID, session revocation and sign-in blocking.
 */
import axios, { type AxiosInstance, type Method } from 'axios';
import { z } from 'zod';
import { IdentityApiError, errorMessage } from '../errors';

/** Application permissions the app registration needs, named in every 403 message. */
export const GRAPH_PERMISSIONS = 'User.ReadWrite.All and User.RevokeSessions.All';

/** App-only tokens for Graph ask for the permissions granted to the app registration. */
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/** A token is renewed this long before the expiry the token reply gives in `expires_in`. */
const TOKEN_RENEWAL_MARGIN_MS = 60_000;

export interface GraphOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** @default 'https://login.microsoftonline.com' */
  authorityUrl?: string;
  /** @default 'https://graph.microsoft.com/v1.0' */
  apiUrl?: string;
  /** @default 10_000 */
  timeoutMs?: number;
}

const TokenReplySchema = z.looseObject({ access_token: z.string(), expires_in: z.coerce.number() });
const TokenErrorSchema = z.looseObject({
  error: z.string(),
  error_description: z.string().optional(),
});
const GraphErrorSchema = z.looseObject({
  error: z.looseObject({ code: z.string().optional(), message: z.string().optional() }),
});

const GraphUserSchema = z.looseObject({
  id: z.string(),
  userPrincipalName: z.string().optional(),
  accountEnabled: z.boolean().optional(),
  onPremisesSecurityIdentifier: z.string().nullable().optional(),
});
export type GraphUser = z.infer<typeof GraphUserSchema>;

const UserListSchema = z.looseObject({ value: z.array(GraphUserSchema) });
const RevokeReplySchema = z.looseObject({ value: z.boolean() });

/**
 * One client for Microsoft Graph with an app-only token. Every failure becomes one
 * `IdentityApiError`, retryable for timeouts, connection failures, 429 and 5xx. A 403 names
 * the permissions in `GRAPH_PERMISSIONS`.
 */
export class GraphClient {
  private readonly http: AxiosInstance;
  private readonly tokenUrl: string;
  private token: { value: string; renewAtMs: number } | undefined;

  constructor(private readonly options: GraphOptions) {
    const authority = (options.authorityUrl ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
    this.tokenUrl = `${authority}/${encodeURIComponent(options.tenantId)}/oauth2/v2.0/token`;
    this.http = axios.create({
      baseURL: (options.apiUrl ?? 'https://graph.microsoft.com/v1.0').replace(/\/+$/, ''),
      timeout: options.timeoutMs ?? 10_000,
      // The bearer token must not travel through a proxy taken from HTTP_PROXY.
      proxy: false,
    });
  }

  /**
   * Returns the user whose `onPremisesSecurityIdentifier` is `sid`, or undefined when no user
   * synchronised from Active Directory has it. Filtering on that property is an advanced query,
   * so the request sends `ConsistencyLevel: eventual` and `$count`.
   */
  async findUserBySid(sid: string): Promise<GraphUser | undefined> {
    const reply = await this.request({
      method: 'GET',
      path: '/users',
      params: {
        $filter: `onPremisesSecurityIdentifier eq '${sid.replace(/'/g, "''")}'`,
        $select: 'id,userPrincipalName,accountEnabled,onPremisesSecurityIdentifier',
        $count: 'true',
      },
      headers: { ConsistencyLevel: 'eventual' },
      schema: UserListSchema,
      what: `the user with on-premises SID ${sid}`,
    });
    return reply.value[0];
  }

  /** Invalidates the user's refresh tokens and session cookies. Repeating it only resets them again. */
  async revokeSignInSessions(userId: string): Promise<boolean> {
    const reply = await this.request({
      method: 'POST',
      path: `/users/${encodeURIComponent(userId)}/revokeSignInSessions`,
      schema: RevokeReplySchema,
      what: `revoking the sign-in sessions of user ${userId}`,
    });
    return reply.value;
  }

  /** Sets `accountEnabled`. Setting the value the account already has changes nothing. */
  async setAccountEnabled(userId: string, isEnabled: boolean): Promise<void> {
    await this.request({
      method: 'PATCH',
      path: `/users/${encodeURIComponent(userId)}`,
      body: { accountEnabled: isEnabled },
      schema: z.unknown(),
      what: `${isEnabled ? 'enabling' : 'disabling'} user ${userId}`,
    });
  }

  private async request<T>(request: {
    method: Method;
    path: string;
    schema: z.ZodType<T>;
    what: string;
    body?: unknown;
    params?: Record<string, string>;
    headers?: Record<string, string>;
  }): Promise<T> {
    const route = `${request.method} ${request.path}`;
    const token = await this.accessToken();
    let data: unknown;
    try {
      const response = await this.http.request({
        method: request.method,
        url: request.path,
        data: request.body,
        params: request.params,
        headers: { Authorization: `Bearer ${token}`, ...request.headers },
      });
      data = response.data;
    } catch (error) {
      if (axios.isAxiosError(error) && error.response?.status === 401) this.token = undefined;
      throw translateGraphError(error, route, request.what);
    }
    const parsed = request.schema.safeParse(data);
    if (!parsed.success) {
      throw new IdentityApiError(
        `Microsoft Graph returned an unexpected reply to ${route} (${request.what})`,
        false,
        { cause: parsed.error },
      );
    }
    return parsed.data;
  }

  /** Returns a cached app-only token, requesting a new one shortly before it expires. */
  private async accessToken(): Promise<string> {
    if (this.token !== undefined && Date.now() < this.token.renewAtMs) return this.token.value;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.options.clientId,
      client_secret: this.options.clientSecret,
      scope: GRAPH_SCOPE,
    });
    let data: unknown;
    try {
      const response = await this.http.post(this.tokenUrl, form.toString(), {
        baseURL: '',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      data = response.data;
    } catch (error) {
      throw translateTokenError(error);
    }
    const parsed = TokenReplySchema.safeParse(data);
    if (!parsed.success) {
      throw new IdentityApiError('Microsoft Entra ID returned an unexpected token reply', false, {
        cause: parsed.error,
      });
    }
    const renewAtMs = Date.now() + parsed.data.expires_in * 1000 - TOKEN_RENEWAL_MARGIN_MS;
    this.token = { value: parsed.data.access_token, renewAtMs };
    return this.token.value;
  }
}

/** Translates a failed token request; only timeouts, connection failures, 429 and 5xx are retried. */
function translateTokenError(error: unknown): IdentityApiError {
  const transport = transportFailure(error, 'the Microsoft Entra ID token request');
  if (transport !== undefined) return transport;
  const response = axios.isAxiosError(error) ? error.response : undefined;
  const status = response?.status ?? 0;
  const reply = TokenErrorSchema.safeParse(response?.data);
  const detail = reply.success ? `: ${reply.data.error_description ?? reply.data.error}` : '';
  const options = { cause: error, status };
  if (status === 429 || status >= 500) {
    const message = `the Microsoft Entra ID token request failed with HTTP ${status}${detail}`;
    return new IdentityApiError(message, true, options);
  }
  return new IdentityApiError(
    `Microsoft Entra ID rejected the client credentials (HTTP ${status})${detail}. ` +
      'Check GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET.',
    false,
    options,
  );
}

/** Translates a failed Graph call, naming the permissions on 403. */
function translateGraphError(error: unknown, route: string, what: string): IdentityApiError {
  const transport = transportFailure(error, `${route} (${what})`);
  if (transport !== undefined) return transport;
  const response = axios.isAxiosError(error) ? error.response : undefined;
  const status = response?.status ?? 0;
  const reply = GraphErrorSchema.safeParse(response?.data);
  const detail = reply.success ? `: ${reply.data.error.code ?? ''} ${reply.data.error.message ?? ''}`.trimEnd() : '';
  const options = { cause: error, status };
  if (status === 403) {
    return new IdentityApiError(
      `Microsoft Graph denied ${what} (HTTP 403 on ${route})${detail}. Grant the app registration ` +
        `the application permissions ${GRAPH_PERMISSIONS}, with admin consent.`,
      false,
      options,
    );
  }
  if (status === 401) {
    return new IdentityApiError(
      `Microsoft Graph rejected the access token (HTTP 401 on ${route})${detail}. Check the app registration.`,
      false,
      options,
    );
  }
  const retryable = status === 429 || status >= 500;
  return new IdentityApiError(`${route} (${what}) failed with HTTP ${status}${detail}`, retryable, options);
}

/** Returns a retryable error for a request that got no reply, else undefined. */
function transportFailure(error: unknown, what: string): IdentityApiError | undefined {
  if (!axios.isAxiosError(error)) {
    return new IdentityApiError(`${what} failed: ${errorMessage(error)}`, false, { cause: error });
  }
  if (error.response !== undefined) return undefined;
  const isTimeout = error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT';
  const how = isTimeout ? 'timed out' : `failed (${error.code ?? error.message})`;
  return new IdentityApiError(`${what} ${how}`, true, { cause: error });
}
