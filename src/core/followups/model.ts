/** Follow-ups: action items that come out of an incident, open until someone marks them done. */
import type { NewEffect } from '../effects.js';
import type { NewEvent } from '../incidents/timeline.js';

export interface FollowUp {
  id: number;
  incidentId: number;
  text: string;
  /** Slack user ID of who should do it, or null. */
  owner: string | null;
  createdBy: string;
  createdAt: Date;
  doneBy: string | null;
  doneAt: Date | null;
  /** The tracker issue it became (GitHub), when there is one. */
  issueUrl: string | null;
}

export type NewFollowUp = Pick<FollowUp, 'incidentId' | 'text' | 'owner' | 'createdBy' | 'createdAt'>;

export const FOLLOW_UP_MAX = 500;

export interface FollowUpStore {
  /** Stores the follow-up with its timeline events and effects, atomically. */
  add(input: NewFollowUp, events: NewEvent[], effects: NewEffect[]): Promise<FollowUp>;
  get(id: number): Promise<FollowUp | undefined>;
  /** Every follow-up of an incident, oldest first. */
  forIncident(incidentId: number): Promise<FollowUp[]>;
  /** Open follow-ups of these incidents, oldest first. */
  openFor(incidentIds: readonly number[]): Promise<FollowUp[]>;
  /**
   * Marks it done if it is still open, with its events and effects, atomically; returns the
   * follow-up as stored, or null when it was already done.
   */
  markDone(id: number, by: string, at: Date, events: NewEvent[], effects: NewEffect[]): Promise<FollowUp | null>;
  setIssueUrl(id: number, url: string): Promise<void>;
}
