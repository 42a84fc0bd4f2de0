import { z } from 'zod';
import { KibanaApiError } from '../errors';
import type { KibanaClient } from './client';

/** Reply of the alert status API: Elasticsearch's update-by-query response. */
const UpdateByQuerySchema = z.looseObject({ updated: z.number().optional() });

const RuleSchema = z.looseObject({ id: z.string(), name: z.string() });

const ExceptionItemSchema = z.looseObject({
  id: z.string(),
  item_id: z.string(),
  list_id: z.string(),
  entries: z.array(z.looseObject({ field: z.string() })),
});
export type ExceptionItem = z.infer<typeof ExceptionItemSchema>;

/** One `match` entry of an exception item: the field must equal the value exactly. */
export interface MatchEntry {
  field: string;
  operator: 'included';
  type: 'match';
  value: string;
}

export interface NewExceptionItem {
  itemId: string;
  name: string;
  description: string;
  entries: MatchEntry[];
  comment: string;
}

/** The alert status API and the rule exception APIs of Elastic Security. */
export class KibanaDetections {
  constructor(private readonly client: KibanaClient) {}

  /** Sets the workflow status of one alert. Setting the same status again changes nothing. */
  async setAlertStatus(alertId: string, status: 'acknowledged' | 'closed'): Promise<number> {
    const reply = await this.client.request({
      method: 'POST',
      path: '/api/detection_engine/signals/status',
      body: { signal_ids: [alertId], status },
      schema: UpdateByQuerySchema,
      what: `setting alert ${alertId} to ${status}`,
    });
    return reply.updated ?? 0;
  }

  /** Returns the detection rule with this `id` (the alert's `kibana.alert.rule.uuid`). */
  async getRule(ruleUuid: string): Promise<z.infer<typeof RuleSchema>> {
    return this.client.request({
      method: 'GET',
      path: '/api/detection_engine/rules',
      params: { id: ruleUuid },
      schema: RuleSchema,
      what: `detection rule ${ruleUuid}`,
    });
  }

  /** Returns the exception item with this `item_id` in the space, or undefined on 404. */
  async findExceptionItem(itemId: string): Promise<ExceptionItem | undefined> {
    try {
      return await this.client.request({
        method: 'GET',
        path: '/api/exception_lists/items',
        params: { item_id: itemId, namespace_type: 'single' },
        schema: ExceptionItemSchema,
        what: `exception item ${itemId}`,
      });
    } catch (error) {
      if (error instanceof KibanaApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /**
   * Adds one item to the rule's default exception list; Kibana creates the list when the rule
   * has none. Not idempotent on its own: call `findExceptionItem` first.
   */
  async addRuleException(ruleUuid: string, item: NewExceptionItem): Promise<ExceptionItem> {
    const created = await this.client.request({
      method: 'POST',
      path: `/api/detection_engine/rules/${encodeURIComponent(ruleUuid)}/exceptions`,
      body: {
        items: [
          {
            item_id: item.itemId,
            name: item.name,
            description: item.description,
            type: 'simple',
            namespace_type: 'single',
            os_types: ['windows'],
            tags: ['malseclogon'],
            entries: item.entries,
            comments: [{ comment: item.comment }],
          },
        ],
      },
      schema: z.array(ExceptionItemSchema).min(1),
      what: `an exception item on rule ${ruleUuid}`,
    });
    return created[0] as ExceptionItem;
  }
}
