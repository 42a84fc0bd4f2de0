import path from 'node:path';
import { z } from 'zod';
import { msToNumber } from '@temporalio/common/lib/time';
import { ConfigError } from './errors';

const durationString = z.string().refine((value) => durationMs(value) > 0, {
  message: 'must be a positive duration such as "30 minutes", "90s" or "2h"',
});

const commaList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

const PORT_MESSAGE = 'must be a TCP port number from 0 to 65535';
const port = z.coerce
  .number({ message: PORT_MESSAGE })
  .int({ message: PORT_MESSAGE })
  .min(0, { message: PORT_MESSAGE })
  .max(65_535, { message: PORT_MESSAGE });

const optionalUrl = z.url().optional();

/**
 * Comma-separated Elasticsearch index patterns, or undefined when unset. Each pattern must be a
 * valid index name or wildcard, so it cannot contain a space, a backslash or any of / ? " < > |.
 */
const indexPatternList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  )
  .refine((patterns) => patterns.length > 0 && patterns.every((item) => !/[\\/?"<>| ]/.test(item)), {
    message: 'must be comma-separated index patterns such as logs-endpoint.events.*,winlogbeat-*',
  })
  .optional();

const ConfigSchema = z
  .object({
    /** Folder for the embedded server's SQLite file, the generated intake token and logs. */
    SOAR_DATA_DIR: z.string().default('.data'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    /** An existing Temporal cluster; when unset, `npm start` runs a local dev server. */
    TEMPORAL_ADDRESS: z.string().optional(),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_CLI_PATH: z.string().optional(),
    TEMPORAL_DEV_PORT: port.default(7233),
    TEMPORAL_UI_PORT: port.default(8233),
    /** Base URL of the Temporal Web UI, for links in Slack and the audit timeline. */
    TEMPORAL_UI_URL: optionalUrl,

    INTAKE_HOST: z.string().default('127.0.0.1'),
    INTAKE_PORT: port.default(8787),
    /** Bearer token for `POST /alerts`; generated and kept in the data folder when unset. */
    INTAKE_TOKEN: z.string().min(16).optional(),
    INTAKE_MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),

    SLACK_BOT_TOKEN: z.string().startsWith('xoxb-').optional(),
    SLACK_SIGNING_SECRET: z.string().min(8).optional(),
    SLACK_APP_TOKEN: z.string().startsWith('xapp-').optional(),
    SLACK_CHANNEL_ID: z
      .string()
      .regex(/^[CGD][A-Z0-9]{6,}$/, 'must be a Slack channel id such as C0123456789 (not a channel name)')
      .optional(),
    /** Slack user-group id (`S…`) of the on-call responders, mentioned in reminders and escalations. */
    SLACK_ONCALL_GROUP: z
      .string()
      .regex(/^S[A-Z0-9]{2,}$/, 'must be a Slack user-group id such as S0123ABCD')
      .optional(),
    /** Slack Web API base URL; only changed for tests against a local stand-in. */
    SLACK_API_URL: optionalUrl,
    SLACK_PORT: port.default(3000),

    /** Approver identities: Slack user ids, Slack user-group ids and CLI names, comma-separated. */
    SOAR_APPROVERS: commaList,
    /** How long the workflow waits for a decision before applying preserve-and-escalate. */
    SOAR_DECISION_TIMEOUT: durationString.default('30 minutes'),
    /** When an undecided run posts a reminder, measured from the start of the decision window. */
    SOAR_DECISION_REMINDER: durationString.default('10 minutes'),
    /** When an undecided run escalates to the on-call group; must fall between reminder and timeout. */
    SOAR_DECISION_ESCALATION: durationString.default('20 minutes'),
    /**
     * Whether isolation and account containment on a privileged host or account need a second,
     * different approver to confirm the first approver's choice.
     */
    SOAR_TWO_PERSON_RULE: z.stringbool('must be true or false').default(true),

    /** Elasticsearch for telemetry queries; when unset, the questions read the bundled dataset. */
    ELASTICSEARCH_URL: optionalUrl,
    ELASTICSEARCH_API_KEY: z.string().optional(),
    ELASTICSEARCH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    /** Index patterns per kind of data; unset keys keep the source's defaults. */
    ELASTICSEARCH_INDEX_PROCESS: indexPatternList,
    ELASTICSEARCH_INDEX_FILE: indexPatternList,
    ELASTICSEARCH_INDEX_AUTHENTICATION: indexPatternList,
    /** Alert index patterns for related alerts; unset means `.alerts-security.alerts-<KIBANA_SPACE>`. */
    ELASTICSEARCH_INDEX_ALERTS: indexPatternList,
    /** Maximum events one telemetry query reads, over all its pages. */
    ELASTICSEARCH_MAX_HITS: z.coerce.number().int().positive().default(500),
    /** Hits per `_search` request; the source pages with `search_after` up to ELASTICSEARCH_MAX_HITS. */
    ELASTICSEARCH_PAGE_SIZE: z.coerce.number().int().positive().max(10_000).default(500),
    /** Base URL of Kibana, for links to the alert. */
    KIBANA_URL: optionalUrl,
    /** Kibana API key (encoded), for the Kibana response connector. */
    KIBANA_API_KEY: z.string().min(1).optional(),
    /** Kibana space the connector acts in; also names the alert index `.alerts-security.alerts-<space>`. */
    KIBANA_SPACE: z
      .string()
      .regex(/^[a-z0-9_-]+$/, 'must be a Kibana space id: lower-case letters, digits, _ and -')
      .default('default'),
    KIBANA_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    /** Response connector: `embedded` records the steps only, `kibana` carries them out through Kibana. */
    SOAR_RESPONSE_CONNECTOR: z.enum(['embedded', 'kibana']).default('embedded'),
    /**
     * Identity connector for limit-user and contain-account: `none` escalates them in the case,
     * `graph` acts in Microsoft Entra ID through Microsoft Graph (needs the kibana connector).
     */
    SOAR_IDENTITY_CONNECTOR: z.enum(['none', 'graph']).default('none'),
    GRAPH_TENANT_ID: z.string().min(1).optional(),
    GRAPH_CLIENT_ID: z.string().min(1).optional(),
    GRAPH_CLIENT_SECRET: z.string().min(1).optional(),
    /** Microsoft Entra ID authority the token request goes to; changed only for national clouds and tests. */
    GRAPH_AUTHORITY_URL: z.url().default('https://login.microsoftonline.com'),
    /** Microsoft Graph base URL with its version; changed only for national clouds and tests. */
    GRAPH_API_URL: z.url().default('https://graph.microsoft.com/v1.0'),
    GRAPH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    /** How often the alert poller reads the alert index; unset means alerts arrive only by push. */
    SOAR_ALERT_POLL_INTERVAL: durationString.optional(),

    SOAR_TELEMETRY_DIR: z.string().default(path.join('data', 'telemetry')),
    SOAR_ASSET_INVENTORY: z.string().default(path.join('data', 'asset-inventory.json')),
  })
  .superRefine((config, ctx) => {
    checkDecisionStages(config, ctx);
    checkElasticIntegration(config, ctx);
    checkIdentityConnector(config, ctx);
    const hasBot = config.SLACK_BOT_TOKEN !== undefined;
    const hasSecret = config.SLACK_SIGNING_SECRET !== undefined;
    const hasAppToken = config.SLACK_APP_TOKEN !== undefined;
    if (hasAppToken && !hasBot) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_BOT_TOKEN'],
        message: 'is required with SLACK_APP_TOKEN (Socket Mode still posts with the bot token)',
      });
    }
    if (hasBot && !hasSecret && !hasAppToken) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message: 'is required with SLACK_BOT_TOKEN in HTTP mode; or set SLACK_APP_TOKEN for Socket Mode',
      });
    }
    if (hasBot && config.SLACK_CHANNEL_ID === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_CHANNEL_ID'],
        message: 'is required with SLACK_BOT_TOKEN: the channel id that approval requests go to',
      });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;

/**
 * Adds an issue unless reminder < escalation < timeout, because a stage that fired out of order
 * would remind after the escalation or notify after the safe default already applied.
 */
function checkDecisionStages(
  config: Pick<
    Config,
    'SOAR_DECISION_REMINDER' | 'SOAR_DECISION_ESCALATION' | 'SOAR_DECISION_TIMEOUT'
  >,
  ctx: z.RefinementCtx,
): void {
  const reminderMs = durationMs(config.SOAR_DECISION_REMINDER);
  const escalationMs = durationMs(config.SOAR_DECISION_ESCALATION);
  const timeoutMs = durationMs(config.SOAR_DECISION_TIMEOUT);
  const order = 'a run reminds first, escalates next and applies the safe default last';
  if (reminderMs >= escalationMs) {
    ctx.addIssue({
      code: 'custom',
      path: ['SOAR_DECISION_ESCALATION'],
      message: `must be longer than SOAR_DECISION_REMINDER, because ${order}`,
    });
  }
  if (escalationMs >= timeoutMs) {
    ctx.addIssue({
      code: 'custom',
      path: ['SOAR_DECISION_TIMEOUT'],
      message: `must be longer than SOAR_DECISION_ESCALATION, because ${order}`,
    });
  }
}

/** Adds an issue for each key the Kibana connector or the alert poller needs and lacks. */
function checkElasticIntegration(
  config: Pick<
    Config,
    'SOAR_RESPONSE_CONNECTOR' | 'KIBANA_URL' | 'KIBANA_API_KEY' | 'SOAR_ALERT_POLL_INTERVAL' | 'ELASTICSEARCH_URL'
  >,
  ctx: z.RefinementCtx,
): void {
  if (config.SOAR_RESPONSE_CONNECTOR === 'kibana') {
    for (const key of ['KIBANA_URL', 'KIBANA_API_KEY'] as const) {
      if (config[key] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'is required with SOAR_RESPONSE_CONNECTOR=kibana',
        });
      }
    }
  }
  if (config.SOAR_ALERT_POLL_INTERVAL !== undefined && config.ELASTICSEARCH_URL === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['ELASTICSEARCH_URL'],
      message: 'is required with SOAR_ALERT_POLL_INTERVAL: the poller reads the alert index there',
    });
  }
}

/** Adds an issue for each key the Graph identity connector needs and lacks. */
function checkIdentityConnector(
  config: Pick<
    Config,
    | 'SOAR_IDENTITY_CONNECTOR'
    | 'SOAR_RESPONSE_CONNECTOR'
    | 'GRAPH_TENANT_ID'
    | 'GRAPH_CLIENT_ID'
    | 'GRAPH_CLIENT_SECRET'
  >,
  ctx: z.RefinementCtx,
): void {
  if (config.SOAR_IDENTITY_CONNECTOR !== 'graph') return;
  for (const key of ['GRAPH_TENANT_ID', 'GRAPH_CLIENT_ID', 'GRAPH_CLIENT_SECRET'] as const) {
    if (config[key] === undefined) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'is required with SOAR_IDENTITY_CONNECTOR=graph' });
    }
  }
  if (config.SOAR_RESPONSE_CONNECTOR !== 'kibana') {
    ctx.addIssue({
      code: 'custom',
      path: ['SOAR_RESPONSE_CONNECTOR'],
      message:
        'must be kibana with SOAR_IDENTITY_CONNECTOR=graph: the case comments record which account an alert disabled',
    });
  }
}

/** Milliseconds of a Temporal duration string, or NaN (which fails every comparison) if invalid. */
function durationMs(value: string): number {
  try {
    return msToNumber(value as Parameters<typeof msToNumber>[0]);
  } catch {
    return Number.NaN;
  }
}

/** True when Slack credentials are configured, in either HTTP or Socket Mode. */
export function isSlackEnabled(config: Config): boolean {
  return config.SLACK_BOT_TOKEN !== undefined;
}

/**
 * Parses the environment once. Throws `ConfigError` naming every bad key and what to do, never
 * the value, because values may be secrets.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.fromEntries(
    Object.keys(ConfigSchema.shape).map((key) => [key, emptyToUndefined(env[key])]),
  );
  const result = ConfigSchema.safeParse(known);
  if (result.success) return result.data;

  const lines = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '(config)');
    return `${key} ${issue.message.replace(/^Invalid input: /, '')}`;
  });
  const keys = [...new Set(result.error.issues.map((issue) => String(issue.path[0])))];
  throw new ConfigError(
    `invalid configuration:\n  ${lines.join('\n  ')}\nFix these keys in the environment or .env (see .env.example).`,
    keys,
  );
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
