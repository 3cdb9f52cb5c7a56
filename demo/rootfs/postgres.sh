#!/bin/sh
# Starts PostgreSQL 15 (copied from the Debian package), creating the cluster on first start.
set -e
data=/var/lib/postgresql/data
if [ ! -s "$data/PG_VERSION" ]; then
  initdb -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C >/dev/null
  echo "host all all 127.0.0.0/8 trust" >> "$data/pg_hba.conf"
  if [ -n "$DEMO_DATABASE" ]; then
    # The seed's database, with a table its runbooks query.
    postgres --single -D "$data" -c jit=off postgres >/dev/null <<SQL
CREATE DATABASE $DEMO_DATABASE;
SQL
    postgres --single -D "$data" -c jit=off "$DEMO_DATABASE" >/dev/null <<'SQL'
CREATE TABLE productos (id serial PRIMARY KEY, sku text UNIQUE NOT NULL, nombre text NOT NULL, stock integer NOT NULL);
INSERT INTO productos (sku, nombre, stock) VALUES ('A-100', 'Arroz 1kg', 42), ('B-200', 'Leche 1L', 17), ('C-300', 'Aceite 900ml', 8);
SQL
  fi
fi
exec postgres -D "$data" -p "$PGPORT" -c listen_addresses="$DEMO_ADDR" \
  -c unix_socket_directories=/var/run/postgresql -c shared_buffers=16MB -c max_connections=20 -c jit=off
