import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Alert, HostRef } from '../alert/alert';
import { ConfigError, errorMessage } from '../errors';
import { isSameHost } from '../telemetry/ecs-event';
import { isSameHostId } from '../telemetry/ecs-fields';

export const HOST_ROLES = [
  'domain-controller',
  'jump-host',
  'credential-vault',
  'tier-0',
  'server',
  'workstation',
] as const;

/** Roles whose credentials an LSASS dump would expose at the highest tier. */
export const PRIVILEGED_ROLES: ReadonlySet<string> = new Set([
  'domain-controller',
  'jump-host',
  'credential-vault',
  'tier-0',
]);

const HostEntrySchema = z.object({
  /** Computer name; a short name also matches its FQDN. */
  name: z.string().min(1),
  id: z.string().optional(),
  roles: z.array(z.enum(HOST_ROLES)).default([]),
  /** SIDs expected to work on this host; a process user outside the list does not fit its role. */
  expectedUserIds: z.array(z.string()).optional(),
});

const AccountEntrySchema = z.object({
  sid: z.string().min(1),
  name: z.string().optional(),
  /** Group names the account belongs to, compared with `privilegedGroups`. */
  groups: z.array(z.string()).default([]),
  isPrivileged: z.boolean().default(false),
});

const RecognisedToolingSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(['security-product', 'authorised-test']),
  description: z.string().min(1),
  /**
   * The exact alert tuple. `grantedAccess` compares as text, exactly as the rule's `==` does, so
   * `0x14C0` or `0x000014c0` never match `0x14c0`. The two paths compare whole and without
   * wildcards, ignoring only letter case, because Windows paths are case-insensitive.
   */
  tuple: z.object({
    sourceImage: z.string().min(1),
    callTrace: z.string().min(1),
    grantedAccess: z.string().min(1),
  }),
  /** The recovered workflow identity: the executable that asked the Secondary Logon service. */
  processExecutable: z.string().min(1),
  host: z.object({ name: z.string().min(1), id: z.string().min(1) }),
  userId: z.string().min(1),
  validFrom: z.iso.datetime({ offset: true }).optional(),
  validUntil: z.iso.datetime({ offset: true }).optional(),
  /** Test plan, change ticket or product owner confirmation that authorises the activity. */
  reference: z.string().optional(),
});

export const AssetInventorySchema = z.object({
  hosts: z.array(HostEntrySchema).default([]),
  accounts: z.array(AccountEntrySchema).default([]),
  privilegedGroups: z.array(z.string()).default([]),
  recognisedTooling: z.array(RecognisedToolingSchema).default([]),
});

export type AssetInventory = z.infer<typeof AssetInventorySchema>;
export type HostEntry = z.infer<typeof HostEntrySchema>;
export type RecognisedTooling = z.infer<typeof RecognisedToolingSchema>;

/** An inventory with no hosts, accounts or recognised tooling. */
export const EMPTY_INVENTORY: AssetInventory = AssetInventorySchema.parse({});

/**
 * Reads and validates the asset inventory JSON file. Throws `ConfigError` naming
 * `SOAR_ASSET_INVENTORY` when the file is missing, is not JSON or does not match the schema.
 */
export async function loadAssetInventory(file: string): Promise<AssetInventory> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read asset inventory ${file}: ${errorMessage(error)}`, [
      'SOAR_ASSET_INVENTORY',
    ]);
  }
  const parsed = AssetInventorySchema.safeParse(doc);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid asset inventory ${file}: ${issues.join('; ')}`, [
      'SOAR_ASSET_INVENTORY',
    ]);
  }
  return parsed.data;
}

export function findHost(inventory: AssetInventory, host: HostRef): HostEntry | undefined {
  return inventory.hosts.find((entry) => isSameHost({ id: entry.id, name: entry.name }, host));
}

/** Why an account is privileged, or undefined when the inventory does not mark it so. */
export function privilegedAccountReason(
  inventory: AssetInventory,
  userId: string | undefined,
): string | undefined {
  if (userId === undefined) return undefined;
  const account = inventory.accounts.find((entry) => sameText(entry.sid, userId));
  if (account?.isPrivileged === true) return 'listed as privileged';
  const group = account?.groups.find((name) =>
    inventory.privilegedGroups.some((privileged) => sameText(privileged, name)),
  );
  if (group !== undefined) return `member of ${group}`;
  // RID 500 is the built-in Administrator of a domain or machine, whatever it is renamed to.
  if (/^S-1-5-21-\d+-\d+-\d+-500$/i.test(userId)) return 'built-in Administrator (RID 500)';
  return undefined;
}

/**
 * Returns the recognised tooling entries whose exact tuple, host (name and id) and user match
 * the alert and whose validity window contains the alert time. Entries are compared on every
 * field, so no entry can match on process name, seclogon or the access mask alone.
 */
export function matchRecognisedTooling(
  inventory: AssetInventory,
  alert: Alert,
): RecognisedTooling[] {
  const time = Date.parse(alert.timestamp);
  return inventory.recognisedTooling.filter((entry) => {
    const isTupleMatch =
      sameText(entry.tuple.sourceImage, alert.access.sourceImage) &&
      sameText(entry.tuple.callTrace, alert.access.callTrace ?? alert.rule.callTrace) &&
      entry.tuple.grantedAccess === (alert.access.grantedAccess ?? alert.rule.grantedAccess);
    const isHostMatch =
      alert.host.id !== undefined &&
      isSameHostId(entry.host.id, alert.host.id) &&
      isSameHost({ name: entry.host.name }, { name: alert.host.name });
    const isUserMatch = sameText(entry.userId, alert.user.id);
    const isInWindow =
      (entry.validFrom === undefined || Date.parse(entry.validFrom) <= time) &&
      (entry.validUntil === undefined || time <= Date.parse(entry.validUntil));
    return isTupleMatch && isHostMatch && isUserMatch && isInWindow;
  });
}

export function sameText(left: string | undefined, right: string | undefined): boolean {
  return left !== undefined && right !== undefined && left.toLowerCase() === right.toLowerCase();
}
