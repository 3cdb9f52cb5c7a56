import { describe, expect, it } from 'vitest';
import { routinesOf, unknownScheduled } from '#core/routines/config.js';
import { nextRun, ScheduleSchema, slotsBetween } from '#core/routines/schedule.js';
import { parseRunbook } from '#core/runbooks/loader.js';

const issue = (v: unknown) => {
  const r = ScheduleSchema.safeParse(v);
  return r.success ? null : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
};

describe('schedules', () => {
  it('reads the cron in its time zone, across a daylight-saving change', () => {
    const s = ScheduleSchema.parse({ cron: '0 8 * * *', timezone: 'America/New_York' });
    const slots = slotsBetween(s, new Date('2026-03-06T00:00:00Z'), new Date('2026-03-10T00:00:00Z'));
    // 08:00 EST is 13:00Z; from Sunday 8 March 08:00 EDT is 12:00Z.
    expect(slots.map((d) => d.toISOString())).toEqual(['2026-03-06T13:00:00.000Z', '2026-03-07T13:00:00.000Z', '2026-03-08T12:00:00.000Z', '2026-03-09T12:00:00.000Z']);
  });

  it('weekdays only, next run strictly after the given time', () => {
    const s = ScheduleSchema.parse({ cron: '0 8 * * 1-5', timezone: 'America/Argentina/Buenos_Aires' });
    expect(nextRun(s, new Date('2026-12-04T11:00:00Z'))?.toISOString()).toBe('2026-12-07T11:00:00.000Z'); // Friday 08:00 -> Monday
    expect(s.steps).toBe('diagnostics');
  });

  it('refuses what it cannot read, naming the field', () => {
    expect(issue({ cron: '0 8 * *', timezone: 'UTC' })).toMatch(/^cron: expected five fields/);
    expect(issue({ cron: '0 8 * * * *', timezone: 'UTC' })).toMatch(/^cron: expected five fields/);
    expect(issue({ cron: '0 25 * * *', timezone: 'UTC' })).toMatch(/^cron: not a cron expression/);
    expect(issue({ cron: '0 8 * * *', timezone: 'Mars/Olympus' })).toMatch(/^timezone: unknown time zone "Mars\/Olympus"/);
    expect(issue({ cron: '0 8 * * *', steps: 'all' })).toMatch(/^steps:/);
    expect(issue({ cron: '0 8 * * *', on_failure: { open: 'P3', page: true } })).toMatch(/on_failure/);
  });

  it('a runbook with a bad schedule fails lint at the line of the cron', () => {
    const text = 'title: Rutina\nschedule:\n  cron: "0 8 * *"\nsteps:\n  - { id: a, title: A, manual: hacer }\n';
    const r = parseRunbook('x/rutina.yml', text, 'x/rutina');
    expect(r.errors[0]).toMatchObject({ line: 3 });
    expect(r.errors[0].message).toMatch(/five fields/);
  });

  it('opsroom.yml schedules win over the runbook, channels by system, typos named', () => {
    const catalog = [
      { id: 'bff/daily-health-check', title: 'Health', schedule: ScheduleSchema.parse({ cron: '0 9 * * *' }) },
      { id: 'minimarket/backup', title: 'Backup' },
      { id: 'denis/redis-down', title: 'Redis' },
    ];
    const config = { channels: { bff: 'C0BFFOPS' }, schedules: { 'minimarket/backup': ScheduleSchema.parse({ cron: '0 2 * * *', channel: 'C0MMOPS' }), 'minimarket/bakup': ScheduleSchema.parse({ cron: '0 3 * * *' }) }, tickSeconds: 15, graceMinutes: 10 };
    const r = routinesOf(catalog, config, 'C0INCIDENTS');
    expect(r.map((x) => [x.runbookId, x.schedule.cron, x.channel])).toEqual([['bff/daily-health-check', '0 9 * * *', 'C0BFFOPS'], ['minimarket/backup', '0 2 * * *', 'C0MMOPS']]);
    expect(unknownScheduled(catalog, config)).toEqual(['minimarket/bakup']);
  });
});

describe('schedule lint', () => {
  it('on_failure opens a known severity', async () => {
    const { DEFAULT_SEVERITIES } = await import('#core/incidents/severity.js');
    const text = 'title: Rutina\nschedule: { cron: "0 8 * * *", on_failure: { open: P9 } }\nsteps:\n  - { id: a, title: A, manual: hacer }\n';
    const bad = parseRunbook('x/rutina.yml', text, 'x/rutina', { severities: DEFAULT_SEVERITIES });
    expect(bad.errors.map((e) => [e.line, e.message])).toEqual([[2, expect.stringMatching(/unknown severity "P9"/)]]);
    expect(parseRunbook('x/rutina.yml', text.replace('P9', 'P3'), 'x/rutina', { severities: DEFAULT_SEVERITIES }).errors).toEqual([]);
  });
});
