# Builds the single provider-equinix-metal binary with `deno task compile` (the same flags, including the
# permission set and V8 flags in deno.json, as local builds) and ships it on distroless. `deno compile` downloads
# its runtime (denort) from dl.deno.land, so this build needs network access.
FROM denoland/deno:2.9.3 AS build
WORKDIR /src
COPY deno.json deno.lock ./
RUN deno install --frozen
COPY src/ src/
# The playground reads the example shoot and the vendored CRDs at run time; the compile task embeds them
# (--include example/ --include crds/).
COPY example/ example/
COPY crds/ crds/
RUN deno task compile

# The compiled binary links glibc and libgcc_s: distroless "cc", running as nonroot.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/dist/provider-equinix-metal /provider-equinix-metal
USER nonroot:nonroot
ENTRYPOINT ["/provider-equinix-metal"]
