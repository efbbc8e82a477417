# One image recipe for every Node service of the lab: docker-compose.yml builds each service from it
# with its workspace folder as WORKSPACE (generated from infra/topology.ts). The build context is the
# repository root, for the lockfile and the shared packages:
#   docker build --build-arg WORKSPACE=services/catalog -t lab-catalog .

# Node 24 LTS, the release the native lab runs too (infra/native/bootstrap.sh).
ARG NODE_IMAGE=node:24.21.0-slim

FROM ${NODE_IMAGE} AS build
# pnpm as pinned by the root package.json ("packageManager").
RUN npm install --global --no-audit --no-fund pnpm@10.34.9
WORKDIR /workspace
# Downloads depend on the lockfile only: this layer is shared by every service and reused until the
# lockfile changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN pnpm fetch --prod
COPY . .
# Everything above is the same for every service; only what follows depends on the argument.
ARG WORKSPACE
# A self-contained folder: the service's files and its production dependencies, workspace packages
# copied in rather than linked. --legacy because pnpm 10's default deploy needs
# inject-workspace-packages=true, which would make every install copy packages/* instead of linking
# them. --prefer-offline, not --offline: the legacy deploy resolves again and wants registry metadata
# that `pnpm fetch` does not store (ERR_PNPM_NO_OFFLINE_META), tarballs come from the store.
# @see https://pnpm.io/cli/deploy
RUN test -n "$WORKSPACE" || { echo 'build with --build-arg WORKSPACE=<services/name|gateway>' >&2; exit 1; } \
 && pnpm --filter "./${WORKSPACE}" --prod --prefer-offline deploy --legacy /out

FROM ${NODE_IMAGE}
ARG WORKSPACE
ENV NODE_ENV=production HOST=0.0.0.0
# The repository's layout, so the service's tsconfig.json still finds the base config above it.
WORKDIR /app/${WORKSPACE}
COPY --from=build /workspace/tsconfig.base.json /app/tsconfig.base.json
# Owned by root, run as `node`: the process cannot rewrite its own code.
COPY --from=build /out ./
USER node
# PORT comes from the environment (docker-compose.yml): one image serves catalog-1 and catalog-2.
HEALTHCHECK --interval=5s --timeout=5s --start-period=30s --retries=12 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
# TypeScript runs through tsx (a production dependency), as natively and in the tests: docs/docker.md
# says why. Run with an init process (Compose `init: true`, or `docker run --init`) so signals reach
# Node and the service drains before it stops.
CMD ["node", "--import", "tsx", "src/server.ts"]
