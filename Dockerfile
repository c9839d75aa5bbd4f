# The Updraft adapter image: Node 20, production dependencies only, running as a non-root user.
#
# NOT BUILT HERE: no base image can be pulled on the machines this repository is developed on, so this
# recipe has never been run; build it where a registry is reachable:
#   docker build -t ghcr.io/updraft/adapter:0.1.0 .
# The image keeps the repository's layout (adapter/, core/, scalers/, deploy/crds); `updraft install`
# makes the CRDs itself, the same as deploy/crds holds.

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund && npx tsc -b
# Then only the production dependencies of the adapter and the workspaces it uses (core, the built-in
# scalers): no TypeScript, vitest, lerna, or the test workspace's servers.
RUN rm -rf node_modules */node_modules scalers/*/node_modules \
 && npm ci --omit=dev --no-audit --no-fund --workspace=@updraft/adapter --include-workspace-root=false

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# The repository's layout, so the workspace links in node_modules resolve: manifests and built output only.
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/core/package.json core/
COPY --from=build /src/core/dist core/dist
COPY --from=build /src/scalers scalers
COPY --from=build /src/adapter/package.json adapter/
COPY --from=build /src/adapter/bin adapter/bin
COPY --from=build /src/adapter/dist adapter/dist
COPY --from=build /src/deploy/crds deploy/crds
# The node image's unprivileged user (uid 1000), as the Deployment's runAsUser expects.
USER 1000:1000
EXPOSE 6443 8080
ENTRYPOINT ["node", "/app/adapter/bin/updraft.js"]
CMD ["serve", "--source=kubernetes"]
