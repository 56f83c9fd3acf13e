# syntax=docker/dockerfile:1
# Lojal's server as one small image, the widget compiled in:
#
#   docker build -t lojal .
#   docker run -d --name lojal -p 8080:8080 -v lojal-data:/data lojal
#   docker exec lojal lojal-server shop add --id demo --name Demo --origin https://shop.example
#
# The data (SQLite) lives in the volume /data; for PostgreSQL, pass
# `-e DATABASE_URL=postgres://...`. README, "For operators".

# Node.js for wasm-opt (npm's binaryen), which Debian's Node is too old for.
FROM node:22-bookworm-slim AS node

# Builds the widget, then the server that compiles it in.
FROM rust:1-slim-bookworm AS builder
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && rustup target add wasm32-unknown-unknown
WORKDIR /src
# The tools first, each in a layer of its own that only a change to its lock
# file rebuilds: wasm-bindgen-cli at the wasm-bindgen version in Cargo.lock
# (the two must match exactly), and the npm tools in package-lock.json.
COPY Cargo.lock ./
RUN cargo install wasm-bindgen-cli --version \
    "$(awk -F'"' '$1 == "name = " && $2 == "wasm-bindgen" { getline; print $2; exit }' Cargo.lock)"
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# `cargo xtask build-server`: the widget into pkg/, then the release server.
RUN cargo xtask build-server

# What runs: Debian's slim image, the binary, and an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 lojal \
 && useradd --system --uid 10001 --gid lojal --home-dir /data --no-create-home --shell /usr/sbin/nologin lojal \
 && mkdir /data \
 && chown lojal:lojal /data \
 && chmod 0700 /data
COPY --from=builder /src/target/release/lojal-server /usr/local/bin/lojal-server
USER 10001:10001
WORKDIR /data
VOLUME /data
ENV DATABASE_URL=sqlite:///data/lojal.db
EXPOSE 8080
# On `docker stop` the server takes no new requests and finishes those in flight.
STOPSIGNAL SIGTERM
# The image has no curl: bash asks /healthz itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
CMD ["lojal-server", "serve", "--addr", "0.0.0.0:8080"]
