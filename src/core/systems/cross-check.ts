/** One notion of system: runbook folders, opsroom.yml `systems:` and the inventory's `systems:` name the same ones. */

/** Where a source names a system. */
export interface NamedAt {
  name: string;
  file: string;
  line: number;
  column: number;
}

/** A source of system names; `names` undefined means the source is not there (not checked). */
export interface SystemSource {
  /** How a message calls it: "runbook folders", "opsroom.yml systems:", "the inventory's systems:". */
  label: string;
  /** What is missing, said of a name absent here: "has no runbook folder runbooks/x/". */
  missing: (name: string) => string;
  names?: NamedAt[];
}

/** Every system named in one source and missing in another, at the place that names it. */
export function crossCheckSystems(sources: readonly SystemSource[]): { file: string; line: number; column: number; message: string }[] {
  const present = sources.filter((s) => s.names);
  const out: { file: string; line: number; column: number; message: string }[] = [];
  for (const s of present) {
    for (const at of s.names!) {
      const absent = present.filter((o) => o !== s && !o.names!.some((n) => n.name === at.name));
      if (!absent.length) continue;
      const nearCase = present.flatMap((o) => o.names!).find((n) => n.name !== at.name && n.name.toLowerCase() === at.name.toLowerCase());
      const hint = nearCase ? ` (names differ only in case: "${nearCase.name}" in ${nearCase.file})` : '';
      out.push({ ...at, message: `system "${at.name}" (${s.label}) ${absent.map((o) => o.missing(at.name)).join(' and ')}${hint}` });
    }
  }
  return out;
}
