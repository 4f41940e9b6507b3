# Build stage: compile the release binary.
FROM rust:1-bookworm AS builder
WORKDIR /build
# The SQL macros read the committed query data in .sqlx/: the build needs no database.
ENV SQLX_OFFLINE=true
COPY Cargo.toml Cargo.lock ./
COPY .cargo ./.cargo
COPY .sqlx ./.sqlx
COPY src ./src
COPY migrations ./migrations
RUN cargo build --release --locked --bin warroom

# Runtime stage: a slim image with CA certificates, running as an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin warroom
COPY --from=builder /build/target/release/warroom /usr/local/bin/warroom
USER warroom
ENV WARROOM_LISTEN=0.0.0.0:3000
EXPOSE 3000
ENTRYPOINT ["warroom"]
CMD ["serve"]
