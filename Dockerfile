# casegraph gateway: runs only on the configuration it is given (README, "Container").
#
# The base is pinned to an exact Python release on an exact Debian release, by tag only: no
# registry could be reached where this was written to verify a digest. To pin the digest:
#   docker buildx imagetools inspect python:3.11.16-slim-trixie
# and write FROM python:3.11.16-slim-trixie@sha256:<that index digest> in both stages.

# Build the project's wheel with the base image's own setuptools (79, pinned by the tag).
FROM python:3.11.16-slim-trixie AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY resolvers ./resolvers
COPY providers ./providers
COPY policies ./policies
RUN pip wheel --no-cache-dir --no-deps --no-build-isolation --wheel-dir /wheels .

FROM python:3.11.16-slim-trixie
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Exactly the locked dependencies, checked against their hashes, then the project alone.
COPY requirements/runtime.txt /tmp/runtime.txt
RUN pip install --no-cache-dir --require-hashes --no-deps -r /tmp/runtime.txt \
    && rm /tmp/runtime.txt
COPY --from=build /wheels /tmp/wheels
RUN pip install --no-cache-dir --no-deps --no-index /tmp/wheels/casegraph-*.whl \
    && rm -rf /tmp/wheels \
    && pip check

# The only writable state (the audit file by default) lives on the volume, owned by the
# user the gateway runs as; relative paths in the configuration start from /app.
RUN groupadd --system --gid 10001 casegraph \
    && useradd --system --no-log-init --uid 10001 --gid 10001 --home-dir /app casegraph \
    && install -d -o 10001 -g 10001 -m 0750 /app /app/var /app/var/audit
WORKDIR /app
VOLUME ["/app/var"]
USER 10001:10001

EXPOSE 8000
# Healthy only when /readyz says ready: unhealthy while a provider's circuit is open or the
# audit sink fails.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-m", "gateway.probe"]
CMD ["python", "-m", "gateway.container"]
