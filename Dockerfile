# One image with everything Concord runs: `concord serve` (the API and the console, which is
# compiled into the binary), `concord worker` (the job workers) and `concord migrate` (the
# migrations, run before the others start), chosen by the command. helm/concord deploys it.
# Build: docker build -t concord .
# Not built on the development machine, which has no Docker engine: see README, Production.

# Builder: the console bundle first (it is compiled into `concord`), then the binary.
FROM rust:1.95-bookworm AS builder
WORKDIR /src
RUN rustup target add wasm32-unknown-unknown
COPY . .
RUN cargo xtask bundle \
 && cargo build --release --locked --package concord-api --bin concord \
 && install -D -m 0755 target/release/concord /out/concord

# Runtime: the binary, CA certificates for TLS to the database, Redis, SMTP and object
# storage, and a user that is not root. No compiler, no shell tools beyond Debian's base.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/concord --create-home concord
COPY --from=builder /out/concord /usr/local/bin/concord
USER 10001:10001
# The data directory holds generated keys and local files on the embedded default; in
# production mount the keys (CONCORD_JWT_*_KEY_FILE, CONCORD_SSN_KEY_FILE) and keep the root
# filesystem read-only.
ENV CONCORD_LISTEN=0.0.0.0:8080 \
    CONCORD_DATA_DIR=/var/lib/concord
VOLUME /var/lib/concord
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/concord"]
CMD ["serve"]
