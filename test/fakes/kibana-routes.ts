/**
 * Route handlers and state of the Kibana stand-in. Replies contain the fields of the documented
 * responses that the connector reads, and validation failures return 400 as Kibana does.
 */
import type { KibanaCall } from './kibana';

export interface FakeCase {
  id: string;
  version: string;
  title: string;
  description: string;
  tags: string[];
  owner: string;
  status: 'open';
  comments: Record<string, unknown>[];
}

export interface FakeEndpoint {
  agentId: string;
  hostId: string;
  hostname: string;
}

export interface FakeAction {
  id: string;
  agents: string[];
  command: string;
  comment?: string;
  parameters?: Record<string, unknown>;
  case_ids?: string[];
  isCompleted: boolean;
  wasSuccessful: boolean;
  isExpired: boolean;
  errors?: string[];
  /** What the endpoint returned, per agent id, once the action completed successfully. */
  outputs?: Record<string, { type: 'json'; content: unknown }>;
  /** Status reads so far; the action finishes after `readsUntilDone`. */
  reads: number;
}

export interface FakeRule {
  id: string;
  rule_id: string;
  name: string;
}

export interface KibanaState {
  cases: FakeCase[];
  endpoints: FakeEndpoint[];
  actions: FakeAction[];
  alertStatuses: { ids: string[]; status: string }[];
  rules: FakeRule[];
  exceptionItems: Record<string, unknown>[];
  /** How new actions end, and after how many `GET /api/endpoint/action/{id}` reads. */
  actionBehaviour: { outcome: ActionOutcome; readsUntilDone: number };
  /** Outcome per file path of `get-file`, overriding `actionBehaviour.outcome`. */
  getFileOutcomes: Record<string, ActionOutcome>;
  /** Processes a `running-processes` action reports. */
  runningProcesses: { pid: string; entity_id: string; user: string; command: string }[];
  nextId: number;
}

type Reply = [number, unknown];
type ActionOutcome = 'successful' | 'failed' | 'expired';

const ACTION_COMMANDS: Record<string, string> = {
  '/api/endpoint/action/isolate': 'isolate',
  '/api/endpoint/action/unisolate': 'unisolate',
  '/api/endpoint/action/suspend_process': 'suspend-process',
  '/api/endpoint/action/running_procs': 'running-processes',
  '/api/endpoint/action/get_file': 'get-file',
};

/** Returns the status and body for one authenticated call. */
export function handleKibanaRoute(state: KibanaState, call: KibanaCall): Reply {
  const route = `${call.method} ${call.path}`;
  const body = (call.body ?? {}) as Record<string, unknown>;
  const caseComments = /^\/api\/cases\/([^/]+)\/comments(\/_find)?$/.exec(call.path);
  const actionRead = /^\/api\/endpoint\/action\/([^/]+)$/.exec(call.path);
  const ruleExceptions = /^\/api\/detection_engine\/rules\/([^/]+)\/exceptions$/.exec(call.path);

  if (route === 'GET /api/cases/_find') return findCases(state, call.query);
  if (route === 'POST /api/cases') return createCase(state, body);
  if (caseComments) return caseCommentRoute(state, call, decodeURIComponent(caseComments[1] as string), body);
  if (route === 'POST /api/detection_engine/signals/status') return setStatus(state, body);
  if (route === 'GET /api/endpoint/metadata') return listEndpoints(state, call.query);
  if (route === 'GET /api/endpoint/action') return listActions(state, call.query);
  if (call.method === 'POST' && ACTION_COMMANDS[call.path]) {
    return createAction(state, ACTION_COMMANDS[call.path] as string, body);
  }
  if (call.method === 'GET' && actionRead) return readAction(state, decodeURIComponent(actionRead[1] as string));
  if (route === 'GET /api/detection_engine/rules') return getRule(state, call.query.get('id') ?? '');
  if (route === 'GET /api/exception_lists/items') return getExceptionItem(state, call.query);
  if (call.method === 'POST' && ruleExceptions) {
    return addExceptions(state, decodeURIComponent(ruleExceptions[1] as string), body);
  }
  return [404, { statusCode: 404, error: 'Not Found', message: 'Not Found' }];
}

function badRequest(message: string): Reply {
  return [400, { statusCode: 400, error: 'Bad Request', message }];
}

function nextId(state: KibanaState, prefix: string): string {
  const id = `${prefix}-${String(state.nextId).padStart(4, '0')}`;
  state.nextId += 1;
  return id;
}

function findCases(state: KibanaState, query: URLSearchParams): Reply {
  const tags = query.getAll('tags');
  const owners = query.getAll('owner');
  const cases = state.cases.filter(
    (item) =>
      (tags.length === 0 || tags.some((tag) => item.tags.includes(tag))) &&
      (owners.length === 0 || owners.includes(item.owner)),
  );
  const perPage = Number(query.get('perPage') ?? 20);
  return [
    200,
    {
      cases: cases.slice(0, perPage).map(caseView),
      page: 1,
      per_page: perPage,
      total: cases.length,
      count_open_cases: cases.length,
      count_in_progress_cases: 0,
      count_closed_cases: 0,
    },
  ];
}

function createCase(state: KibanaState, body: Record<string, unknown>): Reply {
  for (const field of ['title', 'description', 'tags', 'connector', 'settings', 'owner']) {
    if (body[field] === undefined) return badRequest(`Invalid value "undefined" supplied to "${field}"`);
  }
  const created: FakeCase = {
    id: nextId(state, 'case'),
    version: 'WzEsMV0=',
    title: String(body.title),
    description: String(body.description),
    tags: body.tags as string[],
    owner: String(body.owner),
    status: 'open',
    comments: [],
  };
  state.cases.push(created);
  return [200, caseView(created)];
}

function caseCommentRoute(
  state: KibanaState,
  call: KibanaCall,
  caseId: string,
  body: Record<string, unknown>,
): Reply {
  const found = state.cases.find((item) => item.id === caseId);
  if (!found) {
    return [404, { statusCode: 404, error: 'Not Found', message: `Saved object [cases/${caseId}] not found` }];
  }
  if (call.method === 'GET' && call.path.endsWith('/_find')) {
    const perPage = Number(call.query.get('perPage') ?? 20);
    const page = Number(call.query.get('page') ?? 1);
    const comments = found.comments.slice((page - 1) * perPage, page * perPage);
    return [200, { comments, page, per_page: perPage, total: found.comments.length }];
  }
  if (call.method !== 'POST') return [404, { statusCode: 404, error: 'Not Found', message: 'Not Found' }];
  if (body.type === 'user' && typeof body.comment !== 'string') return badRequest('comment is required');
  if (body.type === 'alert' && (body.alertId === undefined || body.index === undefined || body.rule === undefined)) {
    return badRequest('alertId, index and rule are required for alert comments');
  }
  if (body.type !== 'user' && body.type !== 'alert') return badRequest(`unknown comment type ${String(body.type)}`);
  found.comments.push({ id: nextId(state, 'comment'), version: 'WzIsMV0=', ...body });
  return [200, caseView(found)];
}

function caseView(item: FakeCase): Record<string, unknown> {
  return { ...item, totalComment: item.comments.length, connector: { id: 'none', type: '.none' } };
}

function setStatus(state: KibanaState, body: Record<string, unknown>): Reply {
  const ids = body.signal_ids;
  const status = body.status;
  if (!Array.isArray(ids) || typeof status !== 'string') return badRequest('signal_ids and status are required');
  state.alertStatuses.push({ ids: ids as string[], status });
  return [
    200,
    { took: 3, timed_out: false, total: ids.length, updated: ids.length, deleted: 0, batches: 1, version_conflicts: 0, noops: 0, failures: [] },
  ];
}

function listEndpoints(state: KibanaState, query: URLSearchParams): Reply {
  const hostId = /united\.endpoint\.host\.id\s*:\s*"([^"]*)"/.exec(query.get('kuery') ?? '')?.[1];
  const matches = state.endpoints.filter((item) => hostId === undefined || item.hostId === hostId);
  const data = matches.map((item) => ({
    metadata: {
      agent: { id: item.agentId, type: 'endpoint', version: '8.15.0' },
      elastic: { agent: { id: item.agentId } },
      host: { id: item.hostId, hostname: item.hostname, os: { name: 'Windows' } },
      Endpoint: { status: 'enrolled', state: { isolation: false } },
    },
    host_status: 'healthy',
    last_checkin: '2024-05-02T10:00:00.000Z',
  }));
  return [200, { data, page: 0, pageSize: Number(query.get('pageSize') ?? 10), total: data.length }];
}

function listActions(state: KibanaState, query: URLSearchParams): Reply {
  const agentIds = query.getAll('agentIds');
  const commands = query.getAll('commands');
  const data = state.actions
    .filter((action) => agentIds.length === 0 || action.agents.some((agent) => agentIds.includes(agent)))
    .filter((action) => commands.length === 0 || commands.includes(action.command))
    .reverse()
    .map(actionView);
  return [200, { page: 1, pageSize: Number(query.get('pageSize') ?? 10), total: data.length, data }];
}

function createAction(state: KibanaState, command: string, body: Record<string, unknown>): Reply {
  const endpointIds = body.endpoint_ids;
  if (!Array.isArray(endpointIds) || endpointIds.length === 0) {
    return badRequest('[request body.endpoint_ids]: array size is [0], but at least 1 is required');
  }
  const parameters = body.parameters as Record<string, unknown> | undefined;
  // The documented contract: exactly one of pid and entity_id.
  if (command === 'suspend-process' && (parameters?.entity_id === undefined) === (parameters?.pid === undefined)) {
    return badRequest('[request body.parameters]: provide either pid or entity_id, but not both');
  }
  if (command === 'get-file' && typeof parameters?.path !== 'string') {
    return badRequest('[request body.parameters.path]: expected value of type [string]');
  }
  const action: FakeAction = {
    id: nextId(state, 'action'),
    agents: endpointIds as string[],
    command,
    comment: body.comment as string | undefined,
    parameters,
    case_ids: body.case_ids as string[] | undefined,
    isCompleted: false,
    wasSuccessful: false,
    isExpired: false,
    reads: 0,
  };
  state.actions.push(action);
  return [200, { action: action.id, data: actionView(action) }];
}

function readAction(state: KibanaState, actionId: string): Reply {
  const action = state.actions.find((item) => item.id === actionId);
  if (!action) return [404, { statusCode: 404, error: 'Not Found', message: `Action with id '${actionId}' not found.` }];
  action.reads += 1;
  const { readsUntilDone } = state.actionBehaviour;
  const path = typeof action.parameters?.path === 'string' ? action.parameters.path : undefined;
  const outcome = (path === undefined ? undefined : state.getFileOutcomes[path]) ?? state.actionBehaviour.outcome;
  if (!action.isCompleted && !action.isExpired && action.reads >= readsUntilDone) {
    if (outcome === 'expired') action.isExpired = true;
    else {
      action.isCompleted = true;
      action.wasSuccessful = outcome === 'successful';
      if (outcome === 'failed') action.errors = ['The host did not apply the action'];
      if (outcome === 'successful') action.outputs = actionOutputs(state, action, path);
    }
  }
  return [200, { data: actionView(action) }];
}

/** Builds the `outputs` Kibana reports for a finished action: the process list, or the fetched file. */
function actionOutputs(state: KibanaState, action: FakeAction, path: string | undefined): FakeAction['outputs'] {
  let content: unknown;
  if (action.command === 'running-processes') content = { entries: state.runningProcesses };
  else if (action.command === 'get-file' && path !== undefined) {
    const fileName = path.split(/[\\/]/).pop() ?? path;
    content = {
      code: 'ra_get-file_success_done',
      zip_size: 1024,
      contents: [{ path, sha256: `sha256-of-${fileName}`, size: 4096, file_name: fileName, type: 'file' }],
    };
  } else return undefined;
  return Object.fromEntries(action.agents.map((agent) => [agent, { type: 'json' as const, content }]));
}

function actionView(action: FakeAction): Record<string, unknown> {
  const { reads: _reads, ...view } = action;
  let status = 'pending';
  if (action.isCompleted) status = action.wasSuccessful ? 'successful' : 'failed';
  return { ...view, agentType: 'endpoint', createdBy: 'soar', startedAt: '2024-05-02T10:20:00.000Z', status };
}

function getRule(state: KibanaState, id: string): Reply {
  const rule = state.rules.find((item) => item.id === id);
  if (!rule) return [404, { message: `id: "${id}" not found`, status_code: 404 }];
  return [200, { ...rule, enabled: true, type: 'eql', exceptions_list: [] }];
}

function getExceptionItem(state: KibanaState, query: URLSearchParams): Reply {
  const itemId = query.get('item_id') ?? '';
  const item = state.exceptionItems.find((entry) => entry.item_id === itemId);
  if (!item) return [404, { message: `exception list item item_id: "${itemId}" does not exist`, status_code: 404 }];
  return [200, item];
}

function addExceptions(state: KibanaState, ruleId: string, body: Record<string, unknown>): Reply {
  const rule = state.rules.find((item) => item.id === ruleId);
  if (!rule) return [404, { message: `rule with id: "${ruleId}" not found`, status_code: 404 }];
  const items = body.items;
  if (!Array.isArray(items) || items.length === 0) return badRequest('items is required');
  const created = [];
  for (const raw of items as Record<string, unknown>[]) {
    const itemId = typeof raw.item_id === 'string' ? raw.item_id : nextId(state, 'item');
    if (state.exceptionItems.some((entry) => entry.item_id === itemId)) {
      return [409, { message: `exception list item id: "${itemId}" already exists`, status_code: 409 }];
    }
    const item = { ...raw, id: nextId(state, 'exception'), item_id: itemId, list_id: `${rule.rule_id}-default` };
    state.exceptionItems.push(item);
    created.push(item);
  }
  return [200, created];
}
