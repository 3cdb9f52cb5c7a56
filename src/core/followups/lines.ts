/** Facts about follow-ups for the incident's thread (rendered by the chat adapter). */
export type FollowUpLine =
  | { kind: 'followup-added'; actor: string; owner: string | null; text: string }
  | { kind: 'followup-done'; actor: string; text: string };
