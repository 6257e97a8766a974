-- Tamper evidence for signed supervision records (issue 8): one entry per
-- signing and per amendment, chained per supervisor by SHA-256. The hashes
-- are computed in Rust (`src/store/seal.rs`, which documents the bytes).
-- Local to this laptop: not synchronised (each laptop keeps its own chain
-- of what it saw signed), so it is not in `sync::spec::TABLES`.
CREATE TABLE record_seal (
    id             INTEGER PRIMARY KEY,
    supervisor_id  INTEGER NOT NULL REFERENCES staff(id),
    -- 1, 2, 3, … within the supervisor's chain
    seq            INTEGER NOT NULL CHECK (seq > 0),
    record_id      INTEGER NOT NULL REFERENCES supervision_record(id),
    -- What happened: a signature (ref = the signer's staff id) or an
    -- amendment (ref = record_amendment.id).
    event          TEXT NOT NULL CHECK (event IN ('sign', 'amend')),
    ref            INTEGER NOT NULL,
    sealed_at      TEXT NOT NULL,
    -- SHA-256 (hex) of the record's locked content at sealing time.
    content_hash   TEXT NOT NULL CHECK (length(content_hash) = 64),
    -- The previous entry's hash in this supervisor's chain (64 zeros first).
    prev_hash      TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash           TEXT NOT NULL CHECK (length(hash) = 64),
    UNIQUE (supervisor_id, seq),
    UNIQUE (record_id, event, ref)
) STRICT;

-- Append-only, whatever path writes.
CREATE TRIGGER record_seal_no_update BEFORE UPDATE ON record_seal
BEGIN SELECT RAISE(ABORT, 'record seals are append-only'); END;

CREATE TRIGGER record_seal_no_delete BEFORE DELETE ON record_seal
BEGIN SELECT RAISE(ABORT, 'record seals are append-only'); END;

-- The signatures and amendments made before this migration: sealed by the
-- program at its next open (in the order they happened), then removed from
-- here. Only this migration writes it; afterwards every signature and
-- amendment is sealed in the transaction that writes it.
CREATE TABLE seal_backlog (
    event      TEXT NOT NULL CHECK (event IN ('sign', 'amend')),
    record_id  INTEGER NOT NULL,
    ref        INTEGER NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (record_id, event, ref)
) STRICT;

INSERT INTO seal_backlog (event, record_id, ref, at)
SELECT 'sign', record_id, staff_id, signed_at FROM record_signature;

INSERT INTO seal_backlog (event, record_id, ref, at)
SELECT 'amend', record_id, id, at FROM record_amendment;
