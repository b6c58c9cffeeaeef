# Production image for the Airlock worker and the webhook server: Node 24, the project's
# npm packages, and the pre-built workflow bundle. Built where a registry is reachable.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
RUN node scripts/bundle-workflows.ts dist/workflow-bundle.js
# Named volumes mounted at /app/.data start with this owner, so user node can write there.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
CMD ["node", "workers/main.ts"]
