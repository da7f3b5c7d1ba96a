# syntax=docker/dockerfile:1
# IAC Dharma API image.  Build:  docker build -t iac-dharma .
# Runs `node dist/server.js` as the unprivileged "node" user; migrations (./migrations)
# are applied at start-up over MIGRATIONS_DATABASE_URL unless MIGRATE=false.

# ---- build: full dependency tree, compile TypeScript, then drop dev dependencies ----
FROM node:20-slim AS build
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
# npm ci runs the prepare script; it skips the build while the sources are not copied yet.
COPY scripts/prepare.mjs ./scripts/
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# ---- runtime ------------------------------------------------------------------------
FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    PGLITE_DIR=/app/data/pglite
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node migrations ./migrations
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 and handles SIGTERM itself (graceful drain); compose adds an init.
CMD ["node", "dist/server.js"]
