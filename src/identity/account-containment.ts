/**
 * Account containment in Microsoft Entra ID for one alert: limit-user revokes the sign-in
 * sessions, contain-account also blocks sign-in, and reverse-containment re-enables only an
 * account that this alert's contain-account step disabled.
 */
import { ResponseTargetError } from '../errors';
import type { StepRequest } from '../response/types';
import type { GraphClient, GraphUser } from './graph';

/**
 * Notes kept where the connector records its steps (for Kibana, case comments), keyed by a
 * stable string. They record that this alert disabled an account, so that a retry and a later
 * reversal can tell that apart from an account an administrator disabled.
 */
export interface ContainmentLedger {
  has(key: string): Promise<boolean>;
  /** Adds the note unless one with this key exists. */
  add(key: string, text: string): Promise<void>;
}

/** Outcome of an account step, for the case comment and the step record. */
export interface AccountOutcome {
  graphUserId: string;
  userPrincipalName?: string;
  sessionsRevoked: boolean;
  accountDisabled?: boolean;
  /** True when the account was disabled before this alert's step, so it is left for its owner. */
  wasAlreadyDisabled?: boolean;
  accountReenabled?: boolean;
  summary: string;
}

/** Returns the ledger key of the note written just before contain-account disables an account. */
export function disableNoteKey(alertId: string): string {
  return `${alertId}:contain-account/disable`;
}

/**
 * Account containment through Graph, as the module comment describes. Throws `IdentityApiError`
 * and `ResponseTargetError`.
 */
export class AccountContainment {
  constructor(private readonly graph: GraphClient) {}

  /**
   * Revokes the sign-in sessions of the alert's user and, for contain-account, blocks sign-in.
   * The disable note is written before the PATCH, so a retry after a crash between the two
   * can still tell that this alert disabled the account. Safe to repeat per idempotency key.
   */
  async contain(
    request: StepRequest,
    alertId: string,
    ledger: ContainmentLedger,
  ): Promise<AccountOutcome> {
    const user = await this.findUser(request.target.userId, request.step);
    const name = user.userPrincipalName ?? user.id;
    const sessionsRevoked = await this.graph.revokeSignInSessions(user.id);
    if (request.step !== 'contain-account') {
      return {
        graphUserId: user.id,
        userPrincipalName: user.userPrincipalName,
        sessionsRevoked,
        summary: `Sign-in sessions of ${name} revoked in Microsoft Entra ID.`,
      };
    }

    const noteKey = disableNoteKey(alertId);
    if (user.accountEnabled === false && !(await ledger.has(noteKey))) {
      return {
        graphUserId: user.id,
        userPrincipalName: user.userPrincipalName,
        sessionsRevoked,
        wasAlreadyDisabled: true,
        summary:
          `Sign-in sessions of ${name} revoked. The account was already disabled before this ` +
          'alert, so reversal leaves it disabled.',
      };
    }
    const note = `Disabling Microsoft Entra ID account ${name} (id ${user.id}), which was enabled.`;
    await ledger.add(noteKey, note);
    await this.graph.setAccountEnabled(user.id, false);
    return {
      graphUserId: user.id,
      userPrincipalName: user.userPrincipalName,
      sessionsRevoked,
      accountDisabled: true,
      summary: `Sign-in sessions of ${name} revoked and the account disabled in Microsoft Entra ID.`,
    };
  }

  /**
   * Re-enables the account when this alert's contain-account step disabled it, and returns
   * undefined when it did not. Revoked sessions stay revoked: the user signs in again.
   */
  async release(
    request: StepRequest,
    alertId: string,
    ledger: ContainmentLedger,
  ): Promise<AccountOutcome | undefined> {
    if (!(await ledger.has(disableNoteKey(alertId)))) return undefined;
    const userId = typeof request.parameters.userId === 'string' ? request.parameters.userId : undefined;
    const user = await this.findUser(userId, request.step);
    await this.graph.setAccountEnabled(user.id, true);
    const name = user.userPrincipalName ?? user.id;
    return {
      graphUserId: user.id,
      userPrincipalName: user.userPrincipalName,
      sessionsRevoked: false,
      accountReenabled: true,
      summary: `Microsoft Entra ID account ${name}, disabled by this alert's contain-account step, re-enabled.`,
    };
  }

  private async findUser(sid: string | undefined, step: string): Promise<GraphUser> {
    if (sid === undefined || !/^S-1-\d+(-\d+)+$/i.test(sid)) {
      throw new ResponseTargetError(
        `${step} needs the alert's user.id as a Windows SID to find the Microsoft Entra ID user, ` +
          `and got ${sid ?? 'none'}.`,
      );
    }
    const user = await this.graph.findUserBySid(sid);
    if (user === undefined) {
      throw new ResponseTargetError(
        `no Microsoft Entra ID user has onPremisesSecurityIdentifier ${sid}: the account is not ` +
          `synchronised from Active Directory. ${step} must be done in Active Directory instead.`,
      );
    }
    return user;
  }
}
