# opsroom: multi-stage image. The build stage installs every dependency (better-sqlite3 compiles
# when no prebuilt binary can be fetched), compiles the TypeScript to dist/ (type-checked), checks
# the shipped runbooks with the compiled CLI, then drops the dev dependencies.
# scripts/check-container.sh runs these same steps in CI, outside Docker: keep RUN paths relative
# to WORKDIR.

FROM node:22-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# `prepare` builds nothing yet: the sources are copied after, so this layer outlives code changes.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json manifest.yml ./
COPY bin ./bin
COPY scripts ./scripts
COPY commands ./commands
COPY src ./src
COPY runbooks ./runbooks
COPY examples ./examples
RUN npm run build
RUN node dist/src/cli.js lint runbooks --inventory examples/inventory.yml --config examples/opsroom.yml
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    OPSROOM_HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_URL=sqlite:/home/node/data/opsroom.db \
    OPSROOM_CONFIG=/app/opsroom.yml \
    OPSROOM_RUNBOOKS=/app/runbooks \
    OPSROOM_INVENTORY=/app/inventory.yml \
    OPSROOM_SHUTDOWN_GRACE_MS=10000
WORKDIR /app
COPY --from=build --chown=root:root /app /app
# The app's files belong to root and are read-only to the user it runs as.
USER node
EXPOSE 3000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
