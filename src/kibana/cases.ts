import { z } from 'zod';
import { RULE_NAME } from '../constants';
import type { KibanaClient } from './client';

/** Cases created here belong to Elastic Security, so its case list and alert sync see them. */
const CASE_OWNER = 'securitySolution';

/** Kibana rejects case comments longer than 30,000 characters; this leaves room for the marker. */
const MAX_COMMENT_CHARS = 25_000;

/** Comments read per page when looking for an earlier marker; Kibana allows up to 100. */
const COMMENTS_PER_PAGE = 100;

/** Pages of comments searched for a marker. A case of one alert stays far below this. */
const MAX_COMMENT_PAGES = 10;

const CaseSchema = z.looseObject({ id: z.string(), title: z.string(), tags: z.array(z.string()) });
const FindCasesSchema = z.looseObject({ cases: z.array(CaseSchema), total: z.number() });

const CommentSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  comment: z.string().optional(),
  alertId: z.union([z.string(), z.array(z.string())]).optional(),
});
const FindCommentsSchema = z.looseObject({ comments: z.array(CommentSchema), total: z.number() });

type CaseComment = z.infer<typeof CommentSchema>;

/** The alert a case is about. */
export interface CaseSubject {
  alertId: string;
  hostName?: string;
}

/** Returns the tag that finds the case of one alert, which makes case creation idempotent. */
export function caseTag(alertId: string): string {
  return `soar-alert:${alertId}`;
}

/** Returns the prefix of the comment a step writes; finding it means the step already commented. */
export function commentMarker(idempotencyKey: string): string {
  return `[soar ${idempotencyKey}]`;
}

/**
 * Kibana Cases for the responder: one case per alert, found by its tag before one is created,
 * and comments that start with the step's marker, looked up before one is added. Every method
 * is therefore safe to repeat. Errors are the client's `KibanaApiError`.
 */
export class KibanaCases {
  private readonly caseIds = new Map<string, string>();

  constructor(
    private readonly client: KibanaClient,
    private readonly alertIndex: string,
  ) {}

  /** Returns the id of the alert's case, creating the case when no case has its tag. */
  async ensureCase(subject: CaseSubject): Promise<string> {
    const known = this.caseIds.get(subject.alertId);
    if (known !== undefined) return known;

    const tag = caseTag(subject.alertId);
    const found = await this.client.request({
      method: 'GET',
      path: '/api/cases/_find',
      params: { tags: tag, owner: CASE_OWNER, perPage: 1 },
      schema: FindCasesSchema,
      what: `the case of alert ${subject.alertId}`,
    });
    const existing = found.cases.find((item) => item.tags.includes(tag));
    const caseId = existing?.id ?? (await this.createCase(subject, tag));
    this.caseIds.set(subject.alertId, caseId);
    return caseId;
  }

  /** Attaches the Elastic Security alert to the case unless an alert comment already names it. */
  async ensureAlertAttached(caseId: string, alertId: string, ruleUuid: string): Promise<void> {
    const comments = await this.comments(caseId);
    const isAttached = comments.some(
      (item) => item.type === 'alert' && [item.alertId ?? []].flat().includes(alertId),
    );
    if (isAttached) return;
    await this.client.request({
      method: 'POST',
      path: `/api/cases/${encodeURIComponent(caseId)}/comments`,
      body: {
        type: 'alert',
        alertId,
        index: this.alertIndex,
        rule: { id: ruleUuid, name: RULE_NAME },
        owner: CASE_OWNER,
      },
      schema: CaseSchema,
      what: `attaching alert ${alertId} to case ${caseId}`,
    });
  }

  /** Returns the comment that carries the step's marker, if the step already commented. */
  async findStepComment(caseId: string, idempotencyKey: string): Promise<CaseComment | undefined> {
    const marker = commentMarker(idempotencyKey);
    const comments = await this.comments(caseId);
    return comments.find((item) => item.type === 'user' && item.comment?.startsWith(marker));
  }

  /** Adds a user comment that starts with the step's marker, unless one exists already. */
  async ensureStepComment(caseId: string, idempotencyKey: string, text: string): Promise<void> {
    if (await this.findStepComment(caseId, idempotencyKey)) return;
    const body = `${commentMarker(idempotencyKey)} ${text}`;
    const comment =
      body.length > MAX_COMMENT_CHARS ? `${body.slice(0, MAX_COMMENT_CHARS)} [truncated]` : body;
    await this.client.request({
      method: 'POST',
      path: `/api/cases/${encodeURIComponent(caseId)}/comments`,
      body: { type: 'user', comment, owner: CASE_OWNER },
      schema: CaseSchema,
      what: `a comment on case ${caseId}`,
    });
  }

  private async createCase(subject: CaseSubject, tag: string): Promise<string> {
    const where = subject.hostName ? ` on ${subject.hostName}` : '';
    const created = await this.client.request({
      method: 'POST',
      path: '/api/cases',
      body: {
        title: `${RULE_NAME}${where} (alert ${subject.alertId})`,
        description:
          `Opened by the MalSecLogon responder for alert ${subject.alertId}. Each response ` +
          'step adds a comment that starts with its idempotency key.',
        tags: ['malseclogon', tag],
        owner: CASE_OWNER,
        connector: { id: 'none', name: 'none', type: '.none', fields: null },
        settings: { syncAlerts: true },
      },
      schema: CaseSchema,
      what: `a case for alert ${subject.alertId}`,
    });
    return created.id;
  }

  private async comments(caseId: string): Promise<CaseComment[]> {
    const all: CaseComment[] = [];
    for (let page = 1; page <= MAX_COMMENT_PAGES; page += 1) {
      const reply = await this.client.request({
        method: 'GET',
        path: `/api/cases/${encodeURIComponent(caseId)}/comments/_find`,
        params: { page, perPage: COMMENTS_PER_PAGE, sortOrder: 'asc' },
        schema: FindCommentsSchema,
        what: `the comments of case ${caseId}`,
      });
      all.push(...reply.comments);
      if (reply.comments.length < COMMENTS_PER_PAGE || all.length >= reply.total) break;
    }
    return all;
  }
}
