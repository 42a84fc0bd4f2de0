/**
 * Decides whether a Slack user may approve. `SOAR_APPROVERS` lists Slack user ids (`U…`, `W…`),
 * Slack user-group ids (`S…`) and CLI names; only the first two matter for clicks in Slack.
 */
import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import { errorMessage } from '../errors';
import type { Logger } from '../logging';
import { isSlackUserId } from './mrkdwn';

/** The result of an approver check. */
export type ApproverCheck =
  | {
      isAllowed: true;
      /** User-group id that granted access; unset when the user id is listed directly. */
      viaGroup?: string;
    }
  | { isAllowed: false; reason: string };

/** Checks one Slack user id against the approver list. */
export type ApproverChecker = (userId: string) => Promise<ApproverCheck>;

export interface ApproverCheckerOptions {
  approvers: readonly string[];
  /** Client with a bot token that has the `usergroups:read` scope. */
  client: webApi.WebClient;
  logger: Logger;
  /** Lifetime of cached group members, so repeated clicks skip Slack. @default 60_000 */
  cacheTtlMs?: number;
  /** @default Date.now */
  now?: () => number;
}

const USER_GROUP_ID = /^S[A-Z0-9]{2,}$/;

const UsergroupUsersSchema = z.object({ users: z.array(z.string()) });

/**
 * Creates an approver check. A listed user id passes at once; otherwise each listed group's
 * members are read with `usergroups.users.list` and cached for `cacheTtlMs`. When a group cannot
 * be read, the check fails closed: the user is rejected and the reason names the group.
 */
export function createApproverChecker(options: ApproverCheckerOptions): ApproverChecker {
  const userIds = new Set(options.approvers.filter(isSlackUserId));
  const groupIds = options.approvers.filter((entry) => USER_GROUP_ID.test(entry));
  const ttlMs = options.cacheTtlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { members: Set<string>; expiresAtMs: number }>();

  const membersOf = async (groupId: string): Promise<Set<string>> => {
    const cached = cache.get(groupId);
    if (cached !== undefined && cached.expiresAtMs > now()) return cached.members;

    const reply = await options.client.usergroups.users.list({ usergroup: groupId });
    const members = new Set(UsergroupUsersSchema.parse(reply).users);
    cache.set(groupId, { members, expiresAtMs: now() + ttlMs });
    return members;
  };

  return async (userId) => {
    if (userIds.has(userId)) return { isAllowed: true };

    const unreadable: string[] = [];
    for (const groupId of groupIds) {
      try {
        if ((await membersOf(groupId)).has(userId)) return { isAllowed: true, viaGroup: groupId };
      } catch (error) {
        // An unreadable group admits no member, so the check fails closed and names the group.
        options.logger.warn(
          { groupId, error: errorMessage(error) },
          'slack user group could not be read',
        );
        unreadable.push(groupId);
      }
    }
    if (unreadable.length > 0) {
      return {
        isAllowed: false,
        reason:
          `membership of user group ${unreadable.join(', ')} could not be checked; ` +
          'try again, or ask a Slack admin to check the usergroups:read scope',
      };
    }
    return {
      isAllowed: false,
      reason: 'not listed in SOAR_APPROVERS, directly or through a listed user group',
    };
  };
}
