-- Progress of the test-data seeder (bin/seed): how many rows of each chunk of each seed are
-- loaded. A chunk's COPY and its row here commit in one transaction, so re-running the seeder
-- adds exactly what is missing: no duplicates, and an interrupted run resumes.
CREATE TABLE seed_progress (
    seed        bigint      NOT NULL,
    chunk       bigint      NOT NULL CHECK (chunk >= 0),
    rows_loaded integer     NOT NULL CHECK (rows_loaded >= 0),
    loaded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (seed, chunk)
);

-- Secondary indexes of users the seeder dropped for a bulk load (building an index once after
-- the load is much faster than updating it row by row), with the statement that recreates each.
-- Recorded in the transaction that drops them, so an interrupted seeder still knows what to
-- put back; every run recreates whatever is listed here before it exits.
CREATE TABLE seed_parked_indexes (
    name       text PRIMARY KEY,
    definition text NOT NULL
);
