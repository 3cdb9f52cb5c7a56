import { describe, expect, it } from 'vitest';
import { VerifyConfigSchema, verifySchedule } from '#core/verify/config.js';

describe('verify schedule', () => {
  const defaults = VerifyConfigSchema.parse({});

  it('is daily at 06:00 UTC by default; opsroom.yml and OPSROOM_VERIFY_CRON change it; "off" turns it off', () => {
    expect(verifySchedule(defaults, {})).toEqual({ cron: '0 6 * * *', timezone: 'UTC' });
    const file = VerifyConfigSchema.parse({ cron: '30 7 * * 1-5', timezone: 'America/Argentina/Buenos_Aires' });
    expect(verifySchedule(file, {})).toEqual({ cron: '30 7 * * 1-5', timezone: 'America/Argentina/Buenos_Aires' });
    expect(verifySchedule(file, { OPSROOM_VERIFY_CRON: '0 3 * * *' })).toEqual({ cron: '0 3 * * *', timezone: 'America/Argentina/Buenos_Aires' });
    expect(verifySchedule(defaults, { OPSROOM_VERIFY_CRON: 'off' })).toBeNull();
    expect(verifySchedule(VerifyConfigSchema.parse({ cron: 'off' }), {})).toBeNull();
  });

  it('refuses a cron that is not one, naming the setting', () => {
    const r = VerifyConfigSchema.safeParse({ cron: '61 * * * *' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path).toEqual(['cron']);
    expect(VerifyConfigSchema.safeParse({ timezone: 'Mars/Olympus' }).error?.issues[0].message).toMatch(/unknown time zone/);
    expect(() => verifySchedule(defaults, { OPSROOM_VERIFY_CRON: 'every day' })).toThrow(/OPSROOM_VERIFY_CRON: expected five fields/);
  });
});
