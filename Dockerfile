# Image of the responder (worker + intake + Slack app) for a cluster that runs its own Temporal.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=dev
COPY tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY data ./data
COPY bin ./bin
ENV NODE_ENV=production \
    INTAKE_HOST=0.0.0.0 \
    SOAR_DATA_DIR=/var/lib/soar
USER node
EXPOSE 8787 3000
CMD ["npx", "tsx", "src/main.ts"]
