/** Shared pieces of the line renderers: one function per kind of fact, and mentions. */

/** One renderer per kind of `L`: a kind without one fails to compile. */
export type Renderers<L extends { kind: string }> = { [K in L['kind']]: (line: Extract<L, { kind: K }>) => string };

/** A person, as a mention. */
export const user = (id: string) => `<@${id}>`;

/** A person or a user group (ids starting with S), as a mention. */
export const userOrGroup = (id: string) => (id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`);

/** Inline code of a name opsroom knows (a step, a check, a runbook). */
export const tick = (s: string) => `\`${s}\``;
