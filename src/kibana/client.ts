import axios, { type AxiosInstance, type Method } from 'axios';
import { z } from 'zod';
import { KibanaApiError, errorMessage } from '../errors';

export interface KibanaClientOptions {
  /** Base URL of Kibana, e.g. `https://kibana.example:5601`. */
  url: string;
  /** Encoded API key, sent as `Authorization: ApiKey <key>`. */
  apiKey: string;
  /**
   * Kibana space the requests act in. Paths become `/s/<space>/api/...` for any space but the
   * default one.
   * @default 'default'
   */
  space?: string;
  /** @default 10_000 */
  timeoutMs?: number;
}

export interface KibanaRequest<T> {
  method: Method;
  /** API path below the space prefix, starting with `/api/`. */
  path: string;
  /** Schema of the reply body; a reply that does not parse fails without retry. */
  schema: z.ZodType<T>;
  body?: unknown;
  params?: Record<string, string | number | string[] | undefined>;
  /** Subject of the request, named in error messages, e.g. `case for alert abc`. */
  what: string;
}

/** Error bodies Kibana sends: `{statusCode, error, message}`, or `{status_code, message}` from the Security APIs. */
const ErrorBodySchema = z.object({
  message: z.string().optional(),
  error: z.string().optional(),
});

/**
 * One HTTP client for the Kibana APIs. Every request carries the API key and `kbn-xsrf`, every
 * reply is parsed with zod, and every failure becomes one `KibanaApiError` whose `retryable` flag
 * is decided in `translateError`.
 */
export class KibanaClient {
  private readonly http: AxiosInstance;
  private readonly prefix: string;

  constructor(options: KibanaClientOptions) {
    const space = options.space ?? 'default';
    this.prefix = space === 'default' ? '' : `/s/${encodeURIComponent(space)}`;
    this.http = axios.create({
      baseURL: options.url.replace(/\/+$/, ''),
      timeout: options.timeoutMs ?? 10_000,
      headers: {
        'Content-Type': 'application/json',
        'kbn-xsrf': 'true',
        Authorization: `ApiKey ${options.apiKey}`,
      },
      // The API key must not travel through a proxy taken from HTTP_PROXY.
      proxy: false,
      // Kibana's array parameters repeat the key (`tags=a&tags=b`), without brackets.
      paramsSerializer: { indexes: null },
    });
  }

  /**
   * Sends one request and returns the parsed reply. Throws `KibanaApiError`: retryable for
   * timeouts, connection failures, 408, 429 and 5xx, non-retryable for other statuses and for a
   * reply that does not match `schema`.
   */
  async request<T>(request: KibanaRequest<T>): Promise<T> {
    const path = `${this.prefix}${request.path}`;
    let data: unknown;
    try {
      const response = await this.http.request({
        method: request.method,
        url: path,
        data: request.body,
        params: request.params,
      });
      data = response.data;
    } catch (error) {
      throw translateError(error, `${request.method.toUpperCase()} ${path}`, request.what);
    }

    const parsed = request.schema.safeParse(data);
    if (!parsed.success) {
      throw new KibanaApiError(
        `Kibana returned an unexpected reply to ${request.method.toUpperCase()} ${path} ` +
          `(${request.what}): ${parsed.error.issues[0]?.message ?? 'invalid shape'}`,
        false,
        { cause: parsed.error },
      );
    }
    return parsed.data;
  }
}

/** Translates every axios failure into one `KibanaApiError`, deciding retryability once. */
function translateError(error: unknown, route: string, what: string): KibanaApiError {
  if (!axios.isAxiosError(error)) {
    return new KibanaApiError(`${route} (${what}) failed: ${errorMessage(error)}`, false, {
      cause: error,
    });
  }

  const status = error.response?.status;
  if (status === undefined) {
    const isTimeout = error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT';
    const how = isTimeout ? 'timed out' : `failed (${error.code ?? error.message})`;
    return new KibanaApiError(`${route} (${what}) ${how}`, true, { cause: error });
  }

  const reply = ErrorBodySchema.safeParse(error.response?.data);
  const detail = reply.success ? (reply.data.message ?? reply.data.error) : undefined;
  const suffix = detail === undefined ? '' : `: ${detail}`;
  const options = { cause: error, status };
  if (status === 401) {
    return new KibanaApiError(
      `Kibana rejected the API key (HTTP 401) on ${route}${suffix}. Check KIBANA_API_KEY.`,
      false,
      options,
    );
  }
  if (status === 403) {
    return new KibanaApiError(
      `The Kibana API key lacks the privilege for ${what} (HTTP 403 on ${route}): ` +
        `${missingPrivilege(detail)}. Grant it to the key's role.`,
      false,
      options,
    );
  }
  if (status === 404) {
    return new KibanaApiError(`Not found in Kibana: ${what} (HTTP 404 on ${route})${suffix}`, false, options);
  }
  const retryable = status >= 500 || status === 408 || status === 429;
  return new KibanaApiError(`${route} (${what}) failed with HTTP ${status}${suffix}`, retryable, options);
}

/**
 * Returns the privilege a 403 names. Kibana 8.16 and later write "this action is granted by the
 * Kibana privileges [name]"; older releases and the Cases API write a sentence such as
 * "Unauthorized to create case with owners: 'securitySolution'", which is returned whole.
 */
function missingPrivilege(message: string | undefined): string {
  if (message === undefined) return 'Kibana did not name the privilege';
  const granted = /granted by the Kibana privileges \[([^\]]+)\]/.exec(message);
  return granted ? `missing Kibana privilege ${granted[1]}` : message;
}
