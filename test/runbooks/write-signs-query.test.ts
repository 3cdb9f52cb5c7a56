/** A URL's `?service=` query parameter is not the `service` command (denis/telemetry-inconsistent#jaeger). */
import { describe, expect, it } from 'vitest';
import { writeSign } from '#core/runbooks/write-signs.js';

describe('writeSign: service in a URL query', () => {
  it('a query parameter named service is read-only', () => {
    expect(writeSign(`curl -sf 'http://jaeger:16686/api/traces?service=denis&lookback=1h'`)).toBeUndefined();
    expect(writeSign(`curl -sf 'http://jaeger:16686/api/traces?limit=5&service=denis'`)).toBeUndefined();
  });
  it('the service and systemctl commands still control services', () => {
    expect(writeSign('service redis restart')).toBeDefined();
    expect(writeSign('sudo -n systemctl restart bff-web')).toBeDefined();
    expect(writeSign('cd /srv && service nginx reload')).toBeDefined();
    for (const c of ['uptime&&systemctl start nginx', 'uptime&&systemctl mask nginx', 'true&&systemctl daemon-reload', 'uptime&&service nginx reload', 'a;systemctl poweroff'])
      expect(writeSign(c), c).toBeDefined();
  });
});
