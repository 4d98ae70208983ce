# Rollcall service image.
#   docker compose up --build        (see docker-compose.yml; models come from ./models, mounted read-only)
# The .onnx model files are NOT baked into the image: run `npm run setup` (or `rollcall models`) on the
# host first so ./models holds them, or mount another directory at MODELS_DIR.

# ---- build: full dependencies, TypeScript -> dist/ --------------------------------------------
FROM node:20-bookworm-slim AS build
# npm 10 runs dependency install scripts: this stops onnxruntime-node's from fetching CUDA binaries.
ENV ONNXRUNTIME_NODE_INSTALL=skip
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY . .
RUN npm run build

# ---- runtime: production dependencies only, non-root -----------------------------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    MODELS_DIR=/app/models \
    DATA_DIR=/app/data \
    ONNXRUNTIME_NODE_INSTALL=skip
WORKDIR /app
# ffmpeg decodes uploaded videos (without it a clip gets 415 video_unsupported; photos still work).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
# onnxruntime-node bundles binaries for every OS (~220 MB for darwin/win32): keep only Linux.
RUN npm ci --omit=dev \
 && rm -rf node_modules/onnxruntime-node/bin/napi-v*/darwin node_modules/onnxruntime-node/bin/napi-v*/win32 \
 && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
COPY models/manifest.json ./models/manifest.json
COPY src/web/index.html src/web/styles.css ./src/web/
# DATA_DIR must be writable by `node` (a named volume mounted here starts with this ownership).
RUN mkdir -p /app/data && chown -R node:node /app/data /app/models
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# `serve` applies pending database migrations (migrations/) before it starts listening.
CMD ["node", "dist/src/cli/main.js", "serve"]
