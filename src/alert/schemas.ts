/**
 * zod schemas for Elastic Security alert documents, checked after dotted keys are expanded.
 * An alert document is the `kibana.alert.*` block plus the source event's ECS fields, so it is
 * validated against both this schema and `EcsEventSchema`.
 */
import { z } from 'zod';
import { isZonedTime } from '../ecs/time';

const text = z.string();
const numberOrText = z.union([z.string(), z.number()]);
const zonedTime = z
  .string()
  .refine(isZonedTime, 'must be an ISO 8601 time with a zone, such as 2021-12-07T17:36:02.000Z');

/** The `kibana.alert.*` fields the responder reads. */
export const KibanaAlertSchema = z.looseObject({
  kibana: z.looseObject({
    alert: z.looseObject({
      uuid: text.min(1).optional(),
      original_time: zonedTime.optional(),
      severity: text.optional(),
      risk_score: z.number().optional(),
      rule: z
        .looseObject({ uuid: text.optional(), rule_id: text.optional(), name: text.optional() })
        .optional(),
      original_event: z.looseObject({ code: numberOrText.optional() }).optional(),
    }),
  }),
});

export type KibanaAlert = z.infer<typeof KibanaAlertSchema>;

export { EcsEventSchema } from '../ecs/raw-schemas';
