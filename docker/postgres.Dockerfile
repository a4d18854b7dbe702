# The PostgreSQL nodes of docker-compose.yaml (primary, replica1, replica2): PostgreSQL 15 from
# Debian 12's own packages — the major every mode of the project runs — with every detail that
# docker/pg-node.sh (the entrypoint, mounted from the repository) relies on stated here rather than
# inherited from an image the project does not build. Build context: the repository's root.
# Offline, debian:bookworm-slim comes from bin/docker-engine base; elsewhere it is pulled.
FROM debian:bookworm-slim

# The 'postgres' user and group with the official postgres image's ids (999), made before the
# package would make them with whatever ids are free: a volume written by either image stays its
# owner's. No default cluster: each node makes its own (initdb, or pg_basebackup from the primary).
RUN groupadd --system --gid 999 postgres \
 && useradd --system --uid 999 --gid postgres --home-dir /var/lib/postgresql --shell /bin/bash postgres \
 && mkdir -p /etc/postgresql-common \
 && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/*

# The server binaries (initdb, pg_ctl, pg_basebackup, pg_rewind, pg_isready for the healthcheck) on
# PATH, where cluster/pg-functions.sh looks first.
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data

# The node's directory, the volume: owned by postgres (the containers run as it: compose's
# 'user: postgres'), mode 1777 as in the official image. A new named volume takes this owner and mode.
RUN mkdir -p "$PGDATA" \
 && chown postgres:postgres "$PGDATA" \
 && chmod 1777 "$PGDATA"
VOLUME /var/lib/postgresql/data

# SIGINT: PostgreSQL's fast shutdown, on docker stop.
STOPSIGNAL SIGINT
EXPOSE 5432
USER postgres
