# Remote mode (Streamable HTTP at /mcp) in a container; docs/remote.md, "Container", explains the settings.
# test/e2e/docker.test.ts replays these steps without a container daemon: keep to COPY, RUN, ENV, USER, HEALTHCHECK
# and a JSON-form CMD, one instruction per line.
# The base image by digest, not by tag alone: a tag moves with every rebuild upstream, a digest names exactly one image,
# so two builds of one commit start from the same bytes. To update or change Node.js, take the digest that
# `docker buildx imagetools inspect node:22-slim` (or node:24-slim) prints for the whole index and pass it, e.g.
# `--build-arg NODE_IMAGE=node:24-slim@sha256:<digest>`.
ARG NODE_IMAGE=node:22-slim@sha256:83f487e0a63425e5b4d146fb5e5be574bcbe1b7b843d3ebafdd95eaf7767a7e5

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Exactly the locked versions. No install scripts: the only one that matters, the desktop keychain module, has no use here.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
# The build bundles the server into dist/; what is left in node_modules afterwards is what the bundle loads at run time.
RUN npm run build && npm prune --omit=dev --omit=optional --no-audit --no-fund

FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production CLOUDPC_MCP_HOST=0.0.0.0 CLOUDPC_MCP_PORT=8080 CLOUDPC_MCP_HTTP_AUTH=entra
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.CLOUDPC_MCP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/cloudpc-mcp.cjs", "--transport", "http"]
