/** The system a runbook belongs to: the first folder of its id (`blatam/system-down` → blatam). */
export const systemOfRunbook = (runbookId: string): string | undefined =>
  runbookId.includes('/') ? runbookId.split('/')[0] : undefined;
