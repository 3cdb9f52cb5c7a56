// Types for mrkdwn.js (a browser module, also imported by tests).
export const lookup: { users: Map<string, { name: string; real_name?: string; is_bot?: boolean }>; channels: Map<string, { name: string }>; emoji: Map<string, string> };
export function emoji(name: string): string;
export function esc(s: string): string;
export function mrkdwn(text: string): string;
export function plain(text: string, withEmoji?: boolean): string;
export function textObject(t: { type: string; text: string; emoji?: boolean } | undefined): string;
export function formatDate(epoch: string | number, format: string): string | null;
