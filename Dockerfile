# syntax=docker/dockerfile:1
# The IdP as agencies run it: compiled TypeScript, production dependencies only, a
# non-root user, configuration and secrets mounted at run time (nothing secret inside).
# oidc-provider 9 targets Node.js 22 LTS, so the image uses it.
# test/integration/production-path.test.ts runs the same steps (build; npm ci --omit=dev
# --ignore-scripts; node dist/src/main.js) behind nginx: keep the two in step.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    IDP_CONFIG=/config/idp.json
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root views ./views
# The application files stay root-owned and read-only for the process. An agency's modules
# (config/guides/plugins.md) are mounted read-only, e.g. at /etc/idp/plugins, and named by
# absolute path in the deployment file; tsconfig.build.json also emits the public API's types.
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
