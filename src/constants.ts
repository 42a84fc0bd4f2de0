/** The one task queue that the worker polls and every starter uses. */
export const TASK_QUEUE = 'malseclogon-response';

/** Workflow type name, as registered by the worker. */
export const WORKFLOW_TYPE = 'malSecLogonResponse';

/** Prefix of every workflow id; the rest is the alert's stable identity. */
export const WORKFLOW_ID_PREFIX = 'malseclogon-';

/** Elastic's rule id (`kibana.alert.rule.rule_id`) of "Suspicious LSASS Access via MalSecLogon". */
export const RULE_ID = '7ba58110-ae13-439b-8192-357b0fcfa9d7';

export const RULE_NAME = 'Suspicious LSASS Access via MalSecLogon';

/** Workflow type of the alert poller, as registered by the worker. */
export const ALERT_POLLER_WORKFLOW_TYPE = 'alertPoller';

/** The one alert poller's workflow id; a restart attaches to the running poller and its cursor. */
export const ALERT_POLLER_WORKFLOW_ID = 'malseclogon-alert-poller';
