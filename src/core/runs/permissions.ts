/**
 * Who may do what with a run, from opsroom.yml `permissions`. Always asked about the user in the
 * signed Slack payload, never about anything a button carries.
 *
 * - runners: who may run ordinary steps (and start runbooks, skip, escalate). Empty: anyone who can
 *   click in the incident channel. Responders may always run ordinary steps too.
 * - responders: who may run and approve dangerous steps, and reassign any incident's commander.
 *   Empty: nobody may run or approve a dangerous step from Slack. Nothing a person can do in Slack
 *   (opening, acknowledging, becoming commander) makes them a responder: the list is configuration.
 * - a system's responders (opsroom.yml systems.<name>.people.responders) are responders too, for
 *   that system's incidents only, and for dangerous steps only of that system's runbooks (the
 *   first folder of the runbook id), so naming or moving an incident's system grants no other right.
 * Entries are Slack user IDs (U…/W…) or user group IDs (S…), resolved through a Directory.
 */
import { z } from 'zod';
import { systemOfRunbook } from '../systems/names.js';

const PermissionsSchema = z.object({
  runners: z.array(z.string()).default([]),
  responders: z.array(z.string()).default([]),
  approvalMinutes: z.number().positive().default(10),
});
export type Permissions = z.infer<typeof PermissionsSchema>;

/** Resolves user groups to their members (Slack: usergroups.users.list). */
export interface Directory {
  membersOf(groupId: string): Promise<readonly string[]>;
}

/** What the policy needs to know about the incident a run belongs to (roles grant no rights). */
export interface IncidentRoles {
  commander: string;
  acknowledgedBy: string | null;
  /** The incident's system: its own responders count for it. */
  system?: string | null;
  /** The runbook a step belongs to, when asked about a step: a system's responders only for its own runbooks. */
  runbookId?: string;
}

/** Each system's own responders (src/core/systems SystemRouting). */
export interface SystemResponders {
  responders(system: string | null | undefined): readonly string[];
}

export type Capability = 'run' | 'run_dangerous' | 'approve' | 'assign';

const NO_RESPONDERS =
  'No responders are configured (permissions.responders in opsroom.yml), so nobody may run or approve dangerous steps or take over incidents from Slack.';

const isGroup = (id: string) => /^S[A-Z0-9]+$/.test(id);

export class RunPolicy {
  constructor(
    readonly permissions: Permissions,
    private readonly directory: Directory,
    private readonly systems?: SystemResponders,
  ) {}

  /** The system responders that count for this incident (and runbook), if any. */
  private systemList(incident: IncidentRoles | null | undefined): readonly string[] {
    if (!incident?.system || !this.systems) return [];
    if (incident.runbookId !== undefined && systemOfRunbook(incident.runbookId) !== incident.system) return [];
    return this.systems.responders(incident.system);
  }

  /** True when `user` is listed, directly or through a user group. */
  async listed(user: string, list: readonly string[]): Promise<boolean> {
    if (list.includes(user)) return true;
    for (const id of list.filter(isGroup)) {
      const members = await this.directory.membersOf(id).catch(() => [] as readonly string[]);
      if (members.includes(user)) return true;
    }
    return false;
  }

  /** True when `user` is a configured responder (for `incident`, its system's responders count too). */
  async responder(user: string, incident?: IncidentRoles | null): Promise<boolean> {
    if (await this.listed(user, this.permissions.responders)) return true;
    const own = this.systemList(incident);
    return own.length > 0 && this.listed(user, own);
  }

  /** Null when allowed, else the reason (shown to the person, recorded as a denial). */
  async check(user: string, what: Capability, incident: IncidentRoles | null, requestedBy?: string): Promise<string | null> {
    const who = 'the responders configured in opsroom.yml';
    if (what === 'assign') {
      if (incident?.commander === user || (await this.responder(user, incident))) return null;
      return `Only the incident's commander or ${who} may change its commander.`;
    }
    if (!this.permissions.responders.length && !this.systemList(incident).length && what !== 'run') return NO_RESPONDERS;
    if (what === 'approve') {
      if (requestedBy === user) return 'You asked for this step; a second responder must approve it.';
      return (await this.responder(user, incident)) ? null : `Only ${who} may approve dangerous steps.`;
    }
    if (what === 'run_dangerous') return (await this.responder(user, incident)) ? null : `Only ${who} may run dangerous steps.`;
    const { runners } = this.permissions;
    if (runners.length === 0 || (await this.listed(user, runners)) || (await this.responder(user, incident))) return null;
    return 'You are not among the runners configured in opsroom.yml.';
  }
}
