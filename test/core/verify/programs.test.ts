import { describe, expect, it } from 'vitest';
import { programsOf } from '#core/verify/programs.js';

describe('programsOf', () => {
  it.each([
    ['df -h /', ['df']],
    ['df -h / | grep -q / && redis-cli ping', ['df', 'grep', 'redis-cli']],
    ['sudo -n systemctl status nginx || journalctl -u nginx; echo listo', ['sudo', 'systemctl', 'journalctl']],
    ['FOO=1 BAR=2 env TZ=UTC date > /tmp/out 2>&1', ['env', 'date']],
    ['echo "a | b && c" | wc -l', ['wc']],
    ['cd /srv/app && ./scripts/health.sh && python bulk/cli.py stats', ['python']],
    ['for f in /var/log/*.log; do gzip "$f"; done', ['gzip']],
    ['echo $(hostname) $(uptime)', ['hostname', 'uptime']],
    ['timeout 10 /usr/bin/curl -s http://x | head -1', ['timeout', '/usr/bin/curl', 'head']],
    ['$HOME/bin/tool run; "$TOOL" x', []],
    ['ls /backup # and a comment | grep x', ['ls']],
    ['df -h; df -i', ['df']],
  ])('%s', (command, programs) => {
    expect(programsOf(command)).toEqual(programs);
  });
});
