# One image for every role; docker-compose.yml starts it as gateway and as worker.
FROM node:22-bookworm-slim AS build
WORKDIR /app
# .puppeteerrc.cjs: puppeteer (whatsapp-web.js) downloads no browser; Debian's chromium is installed below.
COPY package.json package-lock.json tsconfig.json tsconfig.base.json .puppeteerrc.cjs ./
COPY packages/core/package.json packages/core/
COPY packages/crm-connectors/package.json packages/crm-connectors/
COPY packages/channels/package.json packages/channels/
COPY packages/dialog/package.json packages/dialog/
COPY apps/gateway/package.json apps/gateway/
RUN npm ci
COPY packages packages
COPY apps apps
RUN npx tsc -b && npm prune --omit=dev

FROM node:22-bookworm-slim
# Debian's Chromium for the WhatsApp session (whatsapp-web.js); nothing is downloaded by puppeteer.
RUN apt-get update && apt-get install -y --no-install-recommends chromium && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production CHROMIUM_PATH=/usr/bin/chromium
COPY --from=build /app /app
COPY bots bots
# Owned by the runtime user, so named volumes mounted here are writable.
RUN mkdir -p /app/data/whatsapp && chown -R node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "apps/gateway/dist/cli.js"]
CMD ["start"]
