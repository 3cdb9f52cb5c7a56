#!/bin/sh
# Starts PostgreSQL 15 (copied from the Debian package), creating the cluster on first start.
set -e
data=/var/lib/postgresql/data
if [ ! -s "$data/PG_VERSION" ]; then
  initdb -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C >/dev/null
  echo "host all all 127.0.0.0/8 trust" >> "$data/pg_hba.conf"
fi
exec postgres -D "$data" -p "$PGPORT" -c listen_addresses="$DEMO_ADDR" \
  -c unix_socket_directories=/var/run/postgresql -c shared_buffers=16MB -c max_connections=20 -c jit=off
