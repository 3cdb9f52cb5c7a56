# opsroom: multi-stage image. No build step (tsx runs the TypeScript); the build stage installs
# production dependencies (better-sqlite3 compiles when no prebuilt binary can be fetched) and
# checks the shipped runbooks. scripts/check-container.sh runs these same steps in CI, outside
# Docker: keep RUN paths relative to WORKDIR.

FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json manifest.yml ./
COPY bin ./bin
COPY commands ./commands
COPY src ./src
COPY runbooks ./runbooks
COPY examples ./examples
RUN node --import tsx src/cli.ts lint runbooks --inventory examples/inventory.yml --config examples/opsroom.yml

FROM node:20-bookworm-slim AS runtime
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
CMD ["node", "--import", "tsx", "src/main.ts"]
