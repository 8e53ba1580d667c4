# The engine's image: `docker compose build` (see docker-compose.yml); one image, one process
# per container: `rtm worker`, `rtm web`, `rtm inbound`, `rtm db upgrade`.
# Runtime dependencies only (`pip install .`, never the dev extras); runs as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RTM_VAR_DIR=/var/lib/rtm

RUN groupadd --system --gid 10001 rtm \
 && useradd --system --uid 10001 --gid rtm --home-dir /var/lib/rtm --no-create-home \
        --shell /usr/sbin/nologin rtm \
 && install -d -o rtm -g rtm -m 0700 /var/lib/rtm

WORKDIR /app

# Dependencies first, read from pyproject.toml, so code changes reuse this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# The engine itself (the packages pyproject.toml ships, and worker.py).
COPY worker.py ./
COPY domain ./domain
COPY activities ./activities
COPY workflows ./workflows
COPY starter ./starter
RUN pip install . \
 && rm -rf build ./*.egg-info

USER rtm:rtm
# Every service stops gracefully on SIGTERM (docker stop); files it writes are 0600.
CMD ["rtm", "worker"]
