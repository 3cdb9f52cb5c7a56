/** What the issue asks for (issue 5): the runbooks per seed, and values for their required parameters. */
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RUNBOOKS = `${ROOT}runbooks`;
export const INVENTORY = `${ROOT}examples/inventory.yml`;
export const CONFIG = `${ROOT}examples/opsroom.yml`;

export const SEED_OF: Record<string, string> = {
  blatam: '000_0119dd0deea808d6.txt',
  denis: '001_c4a03e75bd5b2114.txt',
  minimarket: '002_1e5c6c9e6ab02e82.txt',
  'ai-multimodel': '003_ff1bb2c6caef21a8.txt',
  bff: '004_28b3eedda338a2f2.txt',
};

export const EXPECTED_IDS: Record<string, string[]> = {
  blatam: ['system-down', 'high-latency', 'high-memory', 'low-cache-hit-rate', 'morning-routine', 'evening-routine', 'metric-checks-hourly', 'metric-checks-4h', 'daily-maintenance', 'weekly-maintenance', 'monthly-maintenance'],
  denis: ['redis-down', 'workers-stuck', 'graph-slow', 'queue-growing', 'mutations-blocked-by-policy', 'telemetry-inconsistent', 'chat-api-timeout', 'websocket-disconnects'],
  minimarket: ['dashboard-down', 'database-down', 'observability-down', 'high-error-rate', 'high-latency', 'high-memory', 'tls-certificates-expired', 'encrypted-data-inaccessible', 'daily-health-check', 'backup', 'restore', 'on-call-handoff', 'pre-deployment'],
  'ai-multimodel': ['p0-p1-response', 'pre-deployment', 'deploy', 'post-deployment-validation', 'rollback', 'high-error-rate', 'high-response-time', 'service-down', 'postgres-maintenance', 'postgres-backup', 'postgres-restore', 'redis-maintenance', 'unauthorized-access', 'api-key-compromise', 'suspicious-usage', 'load-imbalance', 'circuit-breaker', 'model-unavailable', 'provider-high-latency', 'cost-optimization', 'high-memory', 'database-performance', 'daily-backup', 'disaster-recovery', 'weekly-maintenance', 'certificate-renewal'],
  bff: ['health-check', 'cache-invalidate', 'incident-response', 'slow-database', 'celery-queue-saturated', 'memory-leak', 'daily-health-check', 'log-cleanup', 'weekly-db-maintenance', 'weekly-backup', 'api-slow', 'redis-down', 'postgres-down', 'celery-workers-stuck', 'celery-beat-stuck', 'monthly-performance-report', 'dependency-updates'],
};

/** Values for parameters without a default (secrets from the bot's environment given as fakes). */
export const REQUIRED_PARAMS: Record<string, Record<string, string>> = {
  'denis/graph-slow': { neo4j_password: 'neo4j-pass-4711' },
  'denis/mutations-blocked-by-policy': { neo4j_password: 'neo4j-pass-4711' },
  'denis/telemetry-inconsistent': { neo4j_password: 'neo4j-pass-4711' },
  'denis/queue-growing': { queue: 'default' },
  'blatam/metric-checks-4h': { throughput_target: '50' },
  'minimarket/encrypted-data-inaccessible': { encryption_key: 'ab'.repeat(32) },
  'minimarket/backup': { timestamp: '20231016_120000' },
  'blatam/weekly-maintenance': { keep_days: '14' },
  'minimarket/restore': { backup_file: './backups/inventario_retail_20231016_120000.sql' },
  'ai-multimodel/p0-p1-response': { admin_token: 'admin-token-4711' },
  'ai-multimodel/deploy': { image_tag: '3f2a9c1' },
  'ai-multimodel/rollback': { revision: '41' },
  'ai-multimodel/postgres-backup': { timestamp: '20240115-030000' },
  'ai-multimodel/postgres-restore': { backup: 'backup-20240115-030000' },
  'ai-multimodel/unauthorized-access': { admin_token: 'admin-token-4711', ip: '203.0.113.7' },
  'ai-multimodel/api-key-compromise': { admin_token: 'admin-token-4711', api_key_id: 'key_42', user_id: 'u_7' },
  'ai-multimodel/suspicious-usage': { user_id: 'u_7' },
  'ai-multimodel/load-imbalance': { admin_token: 'admin-token-4711' },
  'ai-multimodel/circuit-breaker': { admin_token: 'admin-token-4711', model: 'gpt-4' },
  'ai-multimodel/provider-high-latency': { model: 'gpt-4' },
  'ai-multimodel/daily-backup': { date: '20240115-030000' },
  'ai-multimodel/disaster-recovery': { backup_date: '20240115-030000' },
  'bff/incident-response': { previous_commit: 'abc1234' },
};

/**
 * One representative resolved SSH command per runbook with SSH steps, exactly as `opsroom run
 * --dry-run` prints it (`command: ssh <host> <command>`), with the parameters above and defaults.
 */
export const SSH_COMMANDS: Record<string, string> = {
  'blatam/system-down': `ssh blatam-host cd '/srv/blatam' && grep -oE '^(export +)?[A-Za-z_][A-Za-z0-9_]*=' .env`,
  'blatam/high-latency': `ssh blatam-host cd '/srv/blatam' && python3 bulk/core/ultra_adaptive_kv_cache_cli.py stats`,
  'blatam/high-memory': 'ssh blatam-host free -h',
  'blatam/morning-routine': `ssh blatam-host cd '/srv/blatam' && ./scripts/health_check.sh`,
  'blatam/evening-routine': `ssh blatam-host ls -lh '/backup' | tail -5`,
  'blatam/daily-maintenance': `ssh blatam-host ls -lh '/backup' | tail -5`,
  'blatam/weekly-maintenance': `ssh blatam-host find '/backup' -maxdepth 1 -type f -mtime +'14' -print -delete`,
  'denis/graph-slow': `ssh denis-bastion cypher-shell -u neo4j -p '[REDACTED]' "RETURN 1"`,
  'denis/mutations-blocked-by-policy': `ssh denis-bastion cypher-shell -u neo4j -p '[REDACTED]' "MATCH (p:Policy) RETURN p LIMIT 10"`,
  'denis/telemetry-inconsistent': `ssh denis-bastion cypher-shell -u neo4j -p '[REDACTED]' "MATCH (d:Decision) RETURN count(d) LIMIT 1"`,
  'minimarket/dashboard-down': 'ssh minimarket-host df -h /',
  'minimarket/database-down': `ssh minimarket-host ss -Htln 'sport = :5432' | grep .`,
  'minimarket/high-latency': 'ssh minimarket-host docker network inspect inventario-retail_default',
  'minimarket/high-memory': 'ssh minimarket-host docker inspect dashboard | grep -A5 Memory',
  'minimarket/tls-certificates-expired': `ssh minimarket-host cd '/srv/minimarket/inventario-retail'/observability/prometheus/tls && ./generate_certs.sh`,
  'minimarket/encrypted-data-inaccessible': `ssh minimarket-host cd '/srv/minimarket/inventario-retail' && echo DATABASE_ENCRYPTION_KEY='[REDACTED]' >> .env.production`,
  'minimarket/daily-health-check': 'ssh minimarket-host df -h / | tail -1',
  'minimarket/pre-deployment': `ssh minimarket-host df -h '/'`,
  'minimarket/backup': `ssh minimarket-host cd '/srv/minimarket/inventario-retail' && aws s3 cp ./backups/ s3://minimarket-backups/'20231016_120000'/ --recursive`,
  'minimarket/restore': `ssh minimarket-host cd '/srv/minimarket/inventario-retail' && docker exec -i inventario_retail_db psql -v ON_ERROR_STOP=1 -U postgres inventario_retail < './backups/inventario_retail_20231016_120000.sql'`,
  'ai-multimodel/p0-p1-response': `ssh ai-multimodel-bastion kubectl get events -n production --sort-by='.firstTimestamp' | tail -20`,
  'ai-multimodel/pre-deployment': 'ssh ai-multimodel-bastion ts=$(date +%Y%m%d-%H%M%S) && kubectl exec deployment/postgresql -n production -- pg_dump -U postgres ai_multimodel > "pre-deploy-backup-$ts.sql" && kubectl get all,configmaps -n production -o yaml > "pre-deploy-backup-$ts.yaml" && ls -l "pre-deploy-backup-$ts.sql" "pre-deploy-backup-$ts.yaml"',
  'ai-multimodel/deploy': `ssh ai-multimodel-bastion cd '/srv/ai-multimodel'`,
  'ai-multimodel/post-deployment-validation': `ssh ai-multimodel-bastion artillery quick --duration 120 --rate 20 https://'api.ai-multimodel.genspark.ai'/health`,
  'ai-multimodel/rollback': `ssh ai-multimodel-bastion cd '/srv/ai-multimodel' && ./tests/smoke-tests.sh production`,
  'ai-multimodel/high-error-rate': `ssh ai-multimodel-bastion kubectl scale deployment ai-multimodel-api -n production --replicas='8'`,
  'ai-multimodel/high-response-time': 'ssh ai-multimodel-bastion kubectl exec deployment/postgresql -n production -- psql -U postgres -c "',
  'ai-multimodel/service-down': `ssh ai-multimodel-bastion pods=$(kubectl get pods -n production --no-headers) || exit; printf '%s\\n' "$pods" | awk '/ai-multimodel/ { print; n++; i = index($2, "/"); if ($3 != "Running" || substr($2, 1, i - 1) != substr($2, i + 1)) bad++ } END { if (n == 0) print "no ai-multimodel pods"; exit (n == 0 || bad) }'`,
  'ai-multimodel/postgres-maintenance': 'ssh ai-multimodel-bastion kubectl exec deployment/postgresql -n production -- psql -U postgres ai_multimodel -c "',
  'ai-multimodel/postgres-backup': `ssh ai-multimodel-bastion gzip backup-'20240115-030000'.sql`,
  'ai-multimodel/postgres-restore': `ssh ai-multimodel-bastion kubectl exec -i deployment/postgresql -n production -- psql -v ON_ERROR_STOP=1 -U postgres ai_multimodel < 'backup-20240115-030000'.sql`,
  'ai-multimodel/suspicious-usage': `ssh ai-multimodel-bastion logs=$(kubectl logs deployment/ai-multimodel-api -n production) || exit; found=$(printf '%s\\n' "$logs" | grep -i "malware\\|hack\\|exploit\\|vulnerability"); printf '%s\\n' "$found" | tail -20; [ -z "$found" ]`,
  'ai-multimodel/model-unavailable': `ssh ai-multimodel-bastion kubectl logs deployment/ai-multimodel-api -n production | grep 'gpt-4' | tail -20`,
  'ai-multimodel/high-memory': `ssh ai-multimodel-bastion kubectl delete pod '' -n production`,
  'ai-multimodel/database-performance': `ssh ai-multimodel-bastion echo "SELECT pg_cancel_backend(:pid);" | kubectl exec -i deployment/postgresql -n production -- psql -v ON_ERROR_STOP=1 -U postgres ai_multimodel -v pid=''`,
  'ai-multimodel/daily-backup': `ssh ai-multimodel-bastion kubectl get secrets -n production -o yaml > /backups/'20240115-030000'/secrets.yaml`,
  'ai-multimodel/disaster-recovery': `ssh ai-multimodel-bastion kubectl exec -i deployment/postgresql -n production-recovery -- psql -v ON_ERROR_STOP=1 -U postgres ai_multimodel < '20240115-030000'/database.sql`,
  'ai-multimodel/weekly-maintenance': 'ssh ai-multimodel-bastion trivy image ghcr.io/genspark/ai-multimodel:latest',
  'ai-multimodel/certificate-renewal': 'ssh ai-multimodel-bastion kubectl get secret ai-multimodel-tls -n production -o yaml',
  'bff/health-check': 'ssh bff-host systemctl status bff-beat',
  'bff/cache-invalidate': `ssh bff-host cd '/srv/bff' && python manage.py shell -c "from django.core.cache import cache; cache.clear(); print('Cache cleared successfully')"`,
  'bff/incident-response': 'ssh bff-host redis-cli -n 1 FLUSHDB',
  'bff/slow-database': `ssh bff-host psql bff_production -c "SELECT * FROM pg_locks WHERE NOT granted;"`,
  'bff/celery-queue-saturated': `ssh bff-host cd '/srv/bff' && celery -A config purge -f`,
  'bff/memory-leak': 'ssh bff-host ps aux --sort=-%mem | head -10',
  'bff/daily-health-check': 'ssh bff-host systemctl is-active bff-web bff-celery bff-beat postgresql redis',
  'bff/log-cleanup': 'ssh bff-host find /var/log/bff/ -name "*.log" -mtime +7 -exec gzip {} \\;',
  'bff/weekly-db-maintenance': `ssh bff-host psql bff_production -c "REINDEX DATABASE bff_production;"`,
  'bff/weekly-backup': 'ssh bff-host pg_dump bff_production > /backups/bff_$(date +%Y%m%d).sql',
  'bff/api-slow': `ssh bff-host stats=$(redis-cli INFO stats | tr -d '\\r')`,
  'bff/redis-down': 'ssh bff-host sudo -n systemctl restart redis',
  'bff/postgres-down': 'ssh bff-host pg_isready -h localhost -p 5432',
  'bff/celery-workers-stuck': 'ssh bff-host sudo -n systemctl restart bff-celery',
  'bff/celery-beat-stuck': `ssh bff-host cd '/srv/bff' && celery -A config inspect scheduled`,
  'bff/monthly-performance-report': `ssh bff-host cd '/srv/bff' && python manage.py shell -c "from apps.core.metrics import MetricsService; metrics = MetricsService(); report = metrics.generate_monthly_report(); print(report)"`,
  'bff/dependency-updates': `ssh bff-host cd '/srv/bff' && pip list --outdated`,
};

/**
 * One representative kubectl command per runbook with kubernetes steps, as the dry run prints it:
 * on the system's bastion, with the context and namespace of the example inventory.
 */
const DK = 'ssh denis-bastion kubectl --context=denis-prod --namespace=denis';
const AK = 'ssh ai-multimodel-bastion kubectl --context=ai-multimodel-production --namespace=production';
const REST = "--timeout=<rest of the step's timeout>";
export const KUBERNETES_COMMANDS: Record<string, string> = {
  'denis/redis-down': `${DK} exec statefulset/redis -- redis-cli ping`,
  'denis/workers-stuck': `${DK} exec deployment/denis-workers -- celery -A denis_unified_v1.async_min.celery_main:app purge -f`,
  'denis/queue-growing': `${DK} exec deployment/denis-workers -- sh -c 'celery -A denis_unified_v1.async_min.celery_main:app inspect active_queues | grep -A5 '\\''default'\\'''`,
  'denis/mutations-blocked-by-policy': `${DK} logs --selector=app=denis --tail=50 | grep -E -i policy`,
  'denis/chat-api-timeout': `${DK} get pods --selector=app=denis`,
  'denis/websocket-disconnects': `${DK} logs --selector=app=denis --tail=100 | grep -E -i 'ws|websocket'`,
  'denis/graph-slow': `${DK} exec deployment/denis -- curl -sf http://localhost:8084/metrics`,
  'denis/telemetry-inconsistent': `${DK} rollout restart deployment/denis && ${DK} rollout status deployment/denis ${REST}`,
  'ai-multimodel/p0-p1-response': `${AK} rollout undo deployment/ai-multimodel-api`,
  'ai-multimodel/deploy': `${AK} rollout status deployment/ai-multimodel-frontend ${REST}`,
  'ai-multimodel/rollback': `${AK} rollout undo deployment/ai-multimodel-api --to-revision=41`,
  'ai-multimodel/high-response-time': `${AK} top pods`,
  'ai-multimodel/high-memory': `${AK} top pods --sort-by=memory`,
  'ai-multimodel/service-down': `${AK} rollout restart deployment/ai-multimodel-api && ${AK} rollout status deployment/ai-multimodel-api ${REST}`,
  'ai-multimodel/postgres-maintenance': `${AK} exec deployment/postgresql -- psql -U postgres ai_multimodel -c 'SELECT count(*), state FROM pg_stat_activity GROUP BY state;'`,
  'ai-multimodel/postgres-restore': `${AK} scale deployment/ai-multimodel-api --replicas=0`,
  'ai-multimodel/redis-maintenance': `${AK} exec deployment/redis -- redis-cli FLUSHALL`,
  'ai-multimodel/unauthorized-access': `${AK} logs deployment/ai-multimodel-api | grep -E 'UNAUTHORIZED|BLOCKED|THREAT'`,
  'ai-multimodel/certificate-renewal': `${AK} get certificate/ai-multimodel-tls`,
  'ai-multimodel/daily-backup': `${AK} exec deployment/redis -- sh -c 'redis-cli BGSAVE && until redis-cli INFO persistence | grep -q '\\''^rdb_bgsave_in_progress:0'\\''; do sleep 1; done && redis-cli INFO persistence | grep '\\''^rdb_last_bgsave_status:ok'\\'''`,
  'ai-multimodel/database-performance': `${AK} exec deployment/postgresql -- psql -U postgres ai_multimodel -c 'REINDEX DATABASE ai_multimodel;'`,
  'ai-multimodel/pre-deployment': `${AK} top nodes`,
  'ai-multimodel/weekly-maintenance': `${AK} top pods --sort-by=cpu`,
};
