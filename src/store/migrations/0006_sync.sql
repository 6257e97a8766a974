-- Sync by files (issue 7). Every synchronised row gets a globally unique
-- id, the device it was made on and a version from a hybrid logical clock;
-- a field edited after the row was made keeps its own version; a deleted
-- row leaves a tombstone. Triggers stamp every local write, whatever code
-- path makes it; an import sets `applying` and writes the versions itself.

-- This device: its origin id, the clock (milliseconds << 16 plus a
-- counter), the local change sequence that exports count from, and
-- whether an import is being applied.
CREATE TABLE sync_state (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    origin    TEXT NOT NULL,
    clock     INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    applying  INTEGER NOT NULL CHECK (applying IN (0, 1))
) STRICT;
INSERT INTO sync_state (id, origin, clock, seq, applying)
VALUES (1, lower(hex(randomblob(8))), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16, 1, 0);

-- A row's identity and version. `rid` is the local rowid (NULL once
-- deleted); `created` with `origin` is the version of every field not in
-- `sync_field`; `vv` is the row's version vector (origin → latest version
-- seen from it), which tells an edit made knowing the other side's from a
-- concurrent one; `seq` orders local changes for export.
CREATE TABLE sync_row (
    uid      TEXT PRIMARY KEY,
    tbl      TEXT NOT NULL,
    rid      INTEGER,
    origin   TEXT NOT NULL,
    created  INTEGER NOT NULL,
    hlc      INTEGER NOT NULL,
    seq      INTEGER NOT NULL,
    deleted  INTEGER NOT NULL CHECK (deleted IN (0, 1)),
    vv       TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX sync_row_local ON sync_row (tbl, rid) WHERE rid IS NOT NULL;
CREATE INDEX sync_row_changed ON sync_row (tbl, seq);

-- The version of a field edited after its row was made.
CREATE TABLE sync_field (
    uid     TEXT NOT NULL,
    field   TEXT NOT NULL,
    hlc     INTEGER NOT NULL,
    origin  TEXT NOT NULL,
    PRIMARY KEY (uid, field)
) STRICT, WITHOUT ROWID;

-- What was last exported to each peer (a name the user gives: a laptop,
-- the county office).
CREATE TABLE sync_peer (
    peer          TEXT PRIMARY KEY CHECK (length(trim(peer)) > 0),
    exported_seq  INTEGER NOT NULL,
    exported_at   TEXT NOT NULL
) STRICT;

-- Every bundle written or applied.
CREATE TABLE sync_log (
    id         INTEGER PRIMARY KEY,
    direction  TEXT NOT NULL CHECK (direction IN ('export', 'import')),
    peer       TEXT NOT NULL,
    file       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    rows       INTEGER NOT NULL,
    summary    TEXT NOT NULL,
    at         TEXT NOT NULL
) STRICT;

-- The review queue: a value that lost a merge, kept until a person keeps
-- it or the value that stands. It travels with the other records, so every
-- laptop sees the same queue; an entry follows from the losing version
-- alone (`lost_version`, `loser_origin`), so two laptops that meet the same
-- loss make the same entry. Values are JSON objects of the field's columns.
CREATE TABLE sync_conflict (
    id             INTEGER PRIMARY KEY,
    tbl            TEXT NOT NULL,
    row_uid        TEXT NOT NULL,
    field          TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('field', 'signed', 'deleted')),
    sensitive      INTEGER NOT NULL CHECK (sensitive IN (0, 1)),
    loser_value    TEXT NOT NULL,
    loser_origin   TEXT NOT NULL,
    lost_version   INTEGER NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'kept_winner', 'kept_loser')),
    resolved_by    TEXT,
    resolved_at    TEXT
) STRICT;
CREATE INDEX sync_conflict_open ON sync_conflict (status, tbl);

INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'station', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM station x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'staff', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM staff x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'supervision_link', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM supervision_link x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'supervision_record', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM supervision_record x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT coalesce((SELECT uid FROM sync_row WHERE tbl = 'supervision_record' AND rid = x.record_id) || '~' || (SELECT uid FROM sync_row WHERE tbl = 'staff' AND rid = x.staff_id), printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10)))), 'record_attendee', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM record_attendee x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'action_item', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM action_item x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT coalesce((SELECT uid FROM sync_row WHERE tbl = 'supervision_record' AND rid = x.record_id) || '~' || (SELECT uid FROM sync_row WHERE tbl = 'staff' AND rid = x.staff_id) || '~sig', printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10)))), 'record_signature', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM record_signature x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'record_amendment', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM record_amendment x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'client_case', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM client_case x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT coalesce((SELECT uid FROM sync_row WHERE tbl = 'client_case' AND rid = x.case_id) || '~identity', printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10)))), 'case_identity', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM case_identity x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'case_consent', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM case_consent x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'case_contact', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM case_contact x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'group_work', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM group_work x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'group_session', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM group_session x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT coalesce((SELECT uid FROM sync_row WHERE tbl = 'supervision_record' AND rid = x.record_id) || '~' || (SELECT uid FROM sync_row WHERE tbl = 'client_case' AND rid = x.case_id) || '~case', printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10)))), 'record_case', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM record_case x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'policy_change', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM policy_change x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'trainer', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM trainer x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'training_plan_item', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM training_plan_item x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'training_plan_change', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM training_plan_change x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'training', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM training x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT coalesce((SELECT uid FROM sync_row WHERE tbl = 'training' AND rid = x.training_id) || '~' || (SELECT uid FROM sync_row WHERE tbl = 'staff' AND rid = x.staff_id) || '~att', printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10)))), 'training_attendance', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM training_attendance x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT coalesce((SELECT uid FROM sync_row WHERE tbl = 'training' AND rid = x.training_id) || '~' || (SELECT uid FROM sync_row WHERE tbl = 'staff' AND rid = x.staff_id) || '~' || x.kind || '~assess', printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10)))), 'assessment', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM assessment x, sync_state s ORDER BY x.rowid;
INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'sync_conflict', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM sync_conflict x, sync_state s ORDER BY x.rowid;

CREATE TRIGGER sync_station_insert AFTER INSERT ON station WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'station', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'station' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_station_update AFTER UPDATE ON station WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.name IS NOT NEW.name OR OLD.township IS NOT NEW.township OR OLD.county IS NOT NEW.county OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'station' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'name' AS field WHERE OLD.name IS NOT NEW.name UNION ALL SELECT 'township' AS field WHERE OLD.township IS NOT NEW.township UNION ALL SELECT 'county' AS field WHERE OLD.county IS NOT NEW.county) f
    WHERE r.tbl = 'station' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_station_delete AFTER DELETE ON station
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'station' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_staff_insert AFTER INSERT ON staff WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'staff', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'staff' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_staff_update AFTER UPDATE ON staff WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.station_id IS NOT NEW.station_id OR OLD.name IS NOT NEW.name OR OLD.role IS NOT NEW.role OR OLD.qualification IS NOT NEW.qualification OR OLD.certificate_no IS NOT NEW.certificate_no OR OLD.registration_date IS NOT NEW.registration_date OR OLD.start_date IS NOT NEW.start_date OR OLD.left_date IS NOT NEW.left_date OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'staff' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'station_id' AS field WHERE OLD.station_id IS NOT NEW.station_id UNION ALL SELECT 'name' AS field WHERE OLD.name IS NOT NEW.name UNION ALL SELECT 'role' AS field WHERE OLD.role IS NOT NEW.role UNION ALL SELECT 'qualification' AS field WHERE OLD.qualification IS NOT NEW.qualification UNION ALL SELECT 'certificate_no' AS field WHERE OLD.certificate_no IS NOT NEW.certificate_no UNION ALL SELECT 'registration_date' AS field WHERE OLD.registration_date IS NOT NEW.registration_date UNION ALL SELECT 'start_date' AS field WHERE OLD.start_date IS NOT NEW.start_date UNION ALL SELECT 'left_date' AS field WHERE OLD.left_date IS NOT NEW.left_date) f
    WHERE r.tbl = 'staff' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_staff_delete AFTER DELETE ON staff
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'staff' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_supervision_link_insert AFTER INSERT ON supervision_link WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'supervision_link', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'supervision_link' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_supervision_link_update AFTER UPDATE ON supervision_link WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.supervisor_id IS NOT NEW.supervisor_id OR OLD.supervisee_id IS NOT NEW.supervisee_id OR OLD.from_date IS NOT NEW.from_date OR OLD.to_date IS NOT NEW.to_date OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'supervision_link' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'supervisor_id' AS field WHERE OLD.supervisor_id IS NOT NEW.supervisor_id OR OLD.supervisee_id IS NOT NEW.supervisee_id UNION ALL SELECT 'from_date' AS field WHERE OLD.from_date IS NOT NEW.from_date OR OLD.to_date IS NOT NEW.to_date) f
    WHERE r.tbl = 'supervision_link' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_supervision_link_delete AFTER DELETE ON supervision_link
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'supervision_link' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_supervision_record_insert AFTER INSERT ON supervision_record WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'supervision_record', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'supervision_record' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_supervision_record_update AFTER UPDATE ON supervision_record WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.supervisor_id IS NOT NEW.supervisor_id OR OLD.year IS NOT NEW.year OR OLD.number IS NOT NEW.number OR OLD.date IS NOT NEW.date OR OLD.start_time IS NOT NEW.start_time OR OLD.end_time IS NOT NEW.end_time OR OLD.place IS NOT NEW.place OR OLD.mode IS NOT NEW.mode OR OLD.functions IS NOT NEW.functions OR OLD.cases IS NOT NEW.cases OR OLD.topic IS NOT NEW.topic OR OLD.previous_review IS NOT NEW.previous_review OR OLD.reported IS NOT NEW.reported OR OLD.findings IS NOT NEW.findings OR OLD.guidance IS NOT NEW.guidance OR OLD.reflection IS NOT NEW.reflection OR OLD.disagreement IS NOT NEW.disagreement OR OLD.created_at IS NOT NEW.created_at OR OLD.updated_at IS NOT NEW.updated_at OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'supervision_record' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'supervisor_id' AS field WHERE OLD.supervisor_id IS NOT NEW.supervisor_id OR OLD.year IS NOT NEW.year OR OLD.number IS NOT NEW.number UNION ALL SELECT 'date' AS field WHERE OLD.date IS NOT NEW.date UNION ALL SELECT 'start_time' AS field WHERE OLD.start_time IS NOT NEW.start_time OR OLD.end_time IS NOT NEW.end_time UNION ALL SELECT 'place' AS field WHERE OLD.place IS NOT NEW.place UNION ALL SELECT 'mode' AS field WHERE OLD.mode IS NOT NEW.mode UNION ALL SELECT 'functions' AS field WHERE OLD.functions IS NOT NEW.functions UNION ALL SELECT 'cases' AS field WHERE OLD.cases IS NOT NEW.cases UNION ALL SELECT 'topic' AS field WHERE OLD.topic IS NOT NEW.topic UNION ALL SELECT 'previous_review' AS field WHERE OLD.previous_review IS NOT NEW.previous_review UNION ALL SELECT 'reported' AS field WHERE OLD.reported IS NOT NEW.reported UNION ALL SELECT 'findings' AS field WHERE OLD.findings IS NOT NEW.findings UNION ALL SELECT 'guidance' AS field WHERE OLD.guidance IS NOT NEW.guidance UNION ALL SELECT 'reflection' AS field WHERE OLD.reflection IS NOT NEW.reflection UNION ALL SELECT 'disagreement' AS field WHERE OLD.disagreement IS NOT NEW.disagreement UNION ALL SELECT 'created_at' AS field WHERE OLD.created_at IS NOT NEW.created_at UNION ALL SELECT 'updated_at' AS field WHERE OLD.updated_at IS NOT NEW.updated_at) f
    WHERE r.tbl = 'supervision_record' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_supervision_record_delete AFTER DELETE ON supervision_record
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'supervision_record' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_record_attendee_insert AFTER INSERT ON record_attendee WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT coalesce((SELECT uid FROM sync_row WHERE tbl = 'supervision_record' AND rid = NEW.record_id) || '~' || (SELECT uid FROM sync_row WHERE tbl = 'staff' AND rid = NEW.staff_id), printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10)))), 'record_attendee', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'record_attendee' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_record_attendee_update AFTER UPDATE ON record_attendee WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.record_id IS NOT NEW.record_id OR OLD.staff_id IS NOT NEW.staff_id OR OLD.attendance IS NOT NEW.attendance OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'record_attendee' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'record_id' AS field WHERE OLD.record_id IS NOT NEW.record_id OR OLD.staff_id IS NOT NEW.staff_id UNION ALL SELECT 'attendance' AS field WHERE OLD.attendance IS NOT NEW.attendance) f
    WHERE r.tbl = 'record_attendee' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_record_attendee_delete AFTER DELETE ON record_attendee
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'record_attendee' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_action_item_insert AFTER INSERT ON action_item WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'action_item', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'action_item' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_action_item_update AFTER UPDATE ON action_item WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.record_id IS NOT NEW.record_id OR OLD.position IS NOT NEW.position OR OLD.what IS NOT NEW.what OR OLD.owner_id IS NOT NEW.owner_id OR OLD.due_date IS NOT NEW.due_date OR OLD.done_date IS NOT NEW.done_date OR OLD.note IS NOT NEW.note OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'action_item' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'record_id' AS field WHERE OLD.record_id IS NOT NEW.record_id UNION ALL SELECT 'position' AS field WHERE OLD.position IS NOT NEW.position UNION ALL SELECT 'what' AS field WHERE OLD.what IS NOT NEW.what UNION ALL SELECT 'owner_id' AS field WHERE OLD.owner_id IS NOT NEW.owner_id UNION ALL SELECT 'due_date' AS field WHERE OLD.due_date IS NOT NEW.due_date UNION ALL SELECT 'done_date' AS field WHERE OLD.done_date IS NOT NEW.done_date UNION ALL SELECT 'note' AS field WHERE OLD.note IS NOT NEW.note) f
    WHERE r.tbl = 'action_item' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_action_item_delete AFTER DELETE ON action_item
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'action_item' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_record_signature_insert AFTER INSERT ON record_signature WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT coalesce((SELECT uid FROM sync_row WHERE tbl = 'supervision_record' AND rid = NEW.record_id) || '~' || (SELECT uid FROM sync_row WHERE tbl = 'staff' AND rid = NEW.staff_id) || '~sig', printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10)))), 'record_signature', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'record_signature' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_record_signature_update AFTER UPDATE ON record_signature WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.record_id IS NOT NEW.record_id OR OLD.staff_id IS NOT NEW.staff_id OR OLD.role IS NOT NEW.role OR OLD.name IS NOT NEW.name OR OLD.signed_at IS NOT NEW.signed_at OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'record_signature' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'record_id' AS field WHERE OLD.record_id IS NOT NEW.record_id OR OLD.staff_id IS NOT NEW.staff_id UNION ALL SELECT 'role' AS field WHERE OLD.role IS NOT NEW.role UNION ALL SELECT 'name' AS field WHERE OLD.name IS NOT NEW.name UNION ALL SELECT 'signed_at' AS field WHERE OLD.signed_at IS NOT NEW.signed_at) f
    WHERE r.tbl = 'record_signature' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_record_signature_delete AFTER DELETE ON record_signature
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'record_signature' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_record_amendment_insert AFTER INSERT ON record_amendment WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'record_amendment', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'record_amendment' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_record_amendment_update AFTER UPDATE ON record_amendment WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.record_id IS NOT NEW.record_id OR OLD.field IS NOT NEW.field OR OLD.original IS NOT NEW.original OR OLD.amended IS NOT NEW.amended OR OLD.reason IS NOT NEW.reason OR OLD.by_name IS NOT NEW.by_name OR OLD.at IS NOT NEW.at OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'record_amendment' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'record_id' AS field WHERE OLD.record_id IS NOT NEW.record_id UNION ALL SELECT 'field' AS field WHERE OLD.field IS NOT NEW.field UNION ALL SELECT 'original' AS field WHERE OLD.original IS NOT NEW.original UNION ALL SELECT 'amended' AS field WHERE OLD.amended IS NOT NEW.amended UNION ALL SELECT 'reason' AS field WHERE OLD.reason IS NOT NEW.reason UNION ALL SELECT 'by_name' AS field WHERE OLD.by_name IS NOT NEW.by_name UNION ALL SELECT 'at' AS field WHERE OLD.at IS NOT NEW.at) f
    WHERE r.tbl = 'record_amendment' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_record_amendment_delete AFTER DELETE ON record_amendment
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'record_amendment' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_client_case_insert AFTER INSERT ON client_case WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'client_case', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'client_case' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_client_case_update AFTER UPDATE ON client_case WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.code IS NOT NEW.code OR OLD.station_id IS NOT NEW.station_id OR OLD.owner_id IS NOT NEW.owner_id OR OLD.category IS NOT NEW.category OR OLD.risk IS NOT NEW.risk OR OLD.risk_since IS NOT NEW.risk_since OR OLD.stage IS NOT NEW.stage OR OLD.difficult IS NOT NEW.difficult OR OLD.opened_on IS NOT NEW.opened_on OR OLD.closed_on IS NOT NEW.closed_on OR OLD.retain_until IS NOT NEW.retain_until OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'client_case' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'code' AS field WHERE OLD.code IS NOT NEW.code UNION ALL SELECT 'station_id' AS field WHERE OLD.station_id IS NOT NEW.station_id UNION ALL SELECT 'owner_id' AS field WHERE OLD.owner_id IS NOT NEW.owner_id UNION ALL SELECT 'category' AS field WHERE OLD.category IS NOT NEW.category UNION ALL SELECT 'risk' AS field WHERE OLD.risk IS NOT NEW.risk OR OLD.risk_since IS NOT NEW.risk_since UNION ALL SELECT 'stage' AS field WHERE OLD.stage IS NOT NEW.stage OR OLD.closed_on IS NOT NEW.closed_on UNION ALL SELECT 'difficult' AS field WHERE OLD.difficult IS NOT NEW.difficult UNION ALL SELECT 'opened_on' AS field WHERE OLD.opened_on IS NOT NEW.opened_on UNION ALL SELECT 'retain_until' AS field WHERE OLD.retain_until IS NOT NEW.retain_until) f
    WHERE r.tbl = 'client_case' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_client_case_delete AFTER DELETE ON client_case
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'client_case' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_case_identity_insert AFTER INSERT ON case_identity WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT coalesce((SELECT uid FROM sync_row WHERE tbl = 'client_case' AND rid = NEW.case_id) || '~identity', printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10)))), 'case_identity', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'case_identity' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_case_identity_update AFTER UPDATE ON case_identity WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.case_id IS NOT NEW.case_id OR OLD.real_name IS NOT NEW.real_name OR OLD.id_number IS NOT NEW.id_number OR OLD.birth_date IS NOT NEW.birth_date OR OLD.phone IS NOT NEW.phone OR OLD.guardian IS NOT NEW.guardian OR OLD.health_notes IS NOT NEW.health_notes OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'case_identity' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'case_id' AS field WHERE OLD.case_id IS NOT NEW.case_id UNION ALL SELECT 'real_name' AS field WHERE OLD.real_name IS NOT NEW.real_name UNION ALL SELECT 'id_number' AS field WHERE OLD.id_number IS NOT NEW.id_number UNION ALL SELECT 'birth_date' AS field WHERE OLD.birth_date IS NOT NEW.birth_date UNION ALL SELECT 'phone' AS field WHERE OLD.phone IS NOT NEW.phone UNION ALL SELECT 'guardian' AS field WHERE OLD.guardian IS NOT NEW.guardian UNION ALL SELECT 'health_notes' AS field WHERE OLD.health_notes IS NOT NEW.health_notes) f
    WHERE r.tbl = 'case_identity' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_case_identity_delete AFTER DELETE ON case_identity
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'case_identity' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_case_consent_insert AFTER INSERT ON case_consent WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'case_consent', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'case_consent' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_case_consent_update AFTER UPDATE ON case_consent WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.case_id IS NOT NEW.case_id OR OLD.kind IS NOT NEW.kind OR OLD.given_on IS NOT NEW.given_on OR OLD.given_by IS NOT NEW.given_by OR OLD.scope IS NOT NEW.scope OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'case_consent' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'case_id' AS field WHERE OLD.case_id IS NOT NEW.case_id UNION ALL SELECT 'kind' AS field WHERE OLD.kind IS NOT NEW.kind UNION ALL SELECT 'given_on' AS field WHERE OLD.given_on IS NOT NEW.given_on UNION ALL SELECT 'given_by' AS field WHERE OLD.given_by IS NOT NEW.given_by UNION ALL SELECT 'scope' AS field WHERE OLD.scope IS NOT NEW.scope) f
    WHERE r.tbl = 'case_consent' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_case_consent_delete AFTER DELETE ON case_consent
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'case_consent' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_case_contact_insert AFTER INSERT ON case_contact WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'case_contact', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'case_contact' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_case_contact_update AFTER UPDATE ON case_contact WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.case_id IS NOT NEW.case_id OR OLD.date IS NOT NEW.date OR OLD.kind IS NOT NEW.kind OR OLD.staff_id IS NOT NEW.staff_id OR OLD.note IS NOT NEW.note OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'case_contact' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'case_id' AS field WHERE OLD.case_id IS NOT NEW.case_id UNION ALL SELECT 'date' AS field WHERE OLD.date IS NOT NEW.date UNION ALL SELECT 'kind' AS field WHERE OLD.kind IS NOT NEW.kind UNION ALL SELECT 'staff_id' AS field WHERE OLD.staff_id IS NOT NEW.staff_id UNION ALL SELECT 'note' AS field WHERE OLD.note IS NOT NEW.note) f
    WHERE r.tbl = 'case_contact' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_case_contact_delete AFTER DELETE ON case_contact
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'case_contact' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_group_work_insert AFTER INSERT ON group_work WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'group_work', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'group_work' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_group_work_update AFTER UPDATE ON group_work WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.station_id IS NOT NEW.station_id OR OLD.kind IS NOT NEW.kind OR OLD.name IS NOT NEW.name OR OLD.therapeutic IS NOT NEW.therapeutic OR OLD.leader_id IS NOT NEW.leader_id OR OLD.started_on IS NOT NEW.started_on OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'group_work' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'station_id' AS field WHERE OLD.station_id IS NOT NEW.station_id UNION ALL SELECT 'kind' AS field WHERE OLD.kind IS NOT NEW.kind UNION ALL SELECT 'name' AS field WHERE OLD.name IS NOT NEW.name UNION ALL SELECT 'therapeutic' AS field WHERE OLD.therapeutic IS NOT NEW.therapeutic UNION ALL SELECT 'leader_id' AS field WHERE OLD.leader_id IS NOT NEW.leader_id UNION ALL SELECT 'started_on' AS field WHERE OLD.started_on IS NOT NEW.started_on) f
    WHERE r.tbl = 'group_work' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_group_work_delete AFTER DELETE ON group_work
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'group_work' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_group_session_insert AFTER INSERT ON group_session WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'group_session', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'group_session' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_group_session_update AFTER UPDATE ON group_session WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.group_id IS NOT NEW.group_id OR OLD.date IS NOT NEW.date OR OLD.participants IS NOT NEW.participants OR OLD.note IS NOT NEW.note OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'group_session' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'group_id' AS field WHERE OLD.group_id IS NOT NEW.group_id UNION ALL SELECT 'date' AS field WHERE OLD.date IS NOT NEW.date UNION ALL SELECT 'participants' AS field WHERE OLD.participants IS NOT NEW.participants UNION ALL SELECT 'note' AS field WHERE OLD.note IS NOT NEW.note) f
    WHERE r.tbl = 'group_session' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_group_session_delete AFTER DELETE ON group_session
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'group_session' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_record_case_insert AFTER INSERT ON record_case WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT coalesce((SELECT uid FROM sync_row WHERE tbl = 'supervision_record' AND rid = NEW.record_id) || '~' || (SELECT uid FROM sync_row WHERE tbl = 'client_case' AND rid = NEW.case_id) || '~case', printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10)))), 'record_case', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'record_case' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_record_case_update AFTER UPDATE ON record_case WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.record_id IS NOT NEW.record_id OR OLD.case_id IS NOT NEW.case_id OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'record_case' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'record_id' AS field WHERE OLD.record_id IS NOT NEW.record_id OR OLD.case_id IS NOT NEW.case_id) f
    WHERE r.tbl = 'record_case' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_record_case_delete AFTER DELETE ON record_case
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'record_case' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_policy_change_insert AFTER INSERT ON policy_change WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'policy_change', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'policy_change' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_policy_change_update AFTER UPDATE ON policy_change WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.key IS NOT NEW.key OR OLD.value IS NOT NEW.value OR OLD.from_month IS NOT NEW.from_month OR OLD.changed_by IS NOT NEW.changed_by OR OLD.changed_at IS NOT NEW.changed_at OR OLD.note IS NOT NEW.note OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'policy_change' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'key' AS field WHERE OLD.key IS NOT NEW.key UNION ALL SELECT 'value' AS field WHERE OLD.value IS NOT NEW.value UNION ALL SELECT 'from_month' AS field WHERE OLD.from_month IS NOT NEW.from_month UNION ALL SELECT 'changed_by' AS field WHERE OLD.changed_by IS NOT NEW.changed_by UNION ALL SELECT 'changed_at' AS field WHERE OLD.changed_at IS NOT NEW.changed_at UNION ALL SELECT 'note' AS field WHERE OLD.note IS NOT NEW.note) f
    WHERE r.tbl = 'policy_change' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_policy_change_delete AFTER DELETE ON policy_change
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'policy_change' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_trainer_insert AFTER INSERT ON trainer WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'trainer', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'trainer' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_trainer_update AFTER UPDATE ON trainer WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.name IS NOT NEW.name OR OLD.unit IS NOT NEW.unit OR OLD.expertise IS NOT NEW.expertise OR OLD.staff_id IS NOT NEW.staff_id OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'trainer' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'name' AS field WHERE OLD.name IS NOT NEW.name UNION ALL SELECT 'unit' AS field WHERE OLD.unit IS NOT NEW.unit UNION ALL SELECT 'expertise' AS field WHERE OLD.expertise IS NOT NEW.expertise UNION ALL SELECT 'staff_id' AS field WHERE OLD.staff_id IS NOT NEW.staff_id) f
    WHERE r.tbl = 'trainer' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_trainer_delete AFTER DELETE ON trainer
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'trainer' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_training_plan_item_insert AFTER INSERT ON training_plan_item WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'training_plan_item', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'training_plan_item' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_training_plan_item_update AFTER UPDATE ON training_plan_item WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.station_id IS NOT NEW.station_id OR OLD.year IS NOT NEW.year OR OLD.title IS NOT NEW.title OR OLD.area IS NOT NEW.area OR OLD.method IS NOT NEW.method OR OLD.month IS NOT NEW.month OR OLD.trainer_id IS NOT NEW.trainer_id OR OLD.planned_hours IS NOT NEW.planned_hours OR OLD.dropped_on IS NOT NEW.dropped_on OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'training_plan_item' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'station_id' AS field WHERE OLD.station_id IS NOT NEW.station_id UNION ALL SELECT 'year' AS field WHERE OLD.year IS NOT NEW.year UNION ALL SELECT 'title' AS field WHERE OLD.title IS NOT NEW.title UNION ALL SELECT 'area' AS field WHERE OLD.area IS NOT NEW.area UNION ALL SELECT 'method' AS field WHERE OLD.method IS NOT NEW.method UNION ALL SELECT 'month' AS field WHERE OLD.month IS NOT NEW.month UNION ALL SELECT 'trainer_id' AS field WHERE OLD.trainer_id IS NOT NEW.trainer_id UNION ALL SELECT 'planned_hours' AS field WHERE OLD.planned_hours IS NOT NEW.planned_hours UNION ALL SELECT 'dropped_on' AS field WHERE OLD.dropped_on IS NOT NEW.dropped_on) f
    WHERE r.tbl = 'training_plan_item' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_training_plan_item_delete AFTER DELETE ON training_plan_item
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'training_plan_item' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_training_plan_change_insert AFTER INSERT ON training_plan_change WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'training_plan_change', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'training_plan_change' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_training_plan_change_update AFTER UPDATE ON training_plan_change WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.item_id IS NOT NEW.item_id OR OLD.what IS NOT NEW.what OR OLD.changed_by IS NOT NEW.changed_by OR OLD.changed_at IS NOT NEW.changed_at OR OLD.reason IS NOT NEW.reason OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'training_plan_change' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'item_id' AS field WHERE OLD.item_id IS NOT NEW.item_id UNION ALL SELECT 'what' AS field WHERE OLD.what IS NOT NEW.what UNION ALL SELECT 'changed_by' AS field WHERE OLD.changed_by IS NOT NEW.changed_by UNION ALL SELECT 'changed_at' AS field WHERE OLD.changed_at IS NOT NEW.changed_at UNION ALL SELECT 'reason' AS field WHERE OLD.reason IS NOT NEW.reason) f
    WHERE r.tbl = 'training_plan_change' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_training_plan_change_delete AFTER DELETE ON training_plan_change
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'training_plan_change' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_training_insert AFTER INSERT ON training WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'training', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'training' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_training_update AFTER UPDATE ON training WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.station_id IS NOT NEW.station_id OR OLD.plan_item_id IS NOT NEW.plan_item_id OR OLD.title IS NOT NEW.title OR OLD.area IS NOT NEW.area OR OLD.method IS NOT NEW.method OR OLD.trainer_id IS NOT NEW.trainer_id OR OLD.date IS NOT NEW.date OR OLD.start_time IS NOT NEW.start_time OR OLD.end_time IS NOT NEW.end_time OR OLD.hours IS NOT NEW.hours OR OLD.place IS NOT NEW.place OR OLD.counts_ce IS NOT NEW.counts_ce OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'training' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'station_id' AS field WHERE OLD.station_id IS NOT NEW.station_id UNION ALL SELECT 'plan_item_id' AS field WHERE OLD.plan_item_id IS NOT NEW.plan_item_id UNION ALL SELECT 'title' AS field WHERE OLD.title IS NOT NEW.title UNION ALL SELECT 'area' AS field WHERE OLD.area IS NOT NEW.area UNION ALL SELECT 'method' AS field WHERE OLD.method IS NOT NEW.method UNION ALL SELECT 'trainer_id' AS field WHERE OLD.trainer_id IS NOT NEW.trainer_id UNION ALL SELECT 'date' AS field WHERE OLD.date IS NOT NEW.date OR OLD.start_time IS NOT NEW.start_time OR OLD.end_time IS NOT NEW.end_time OR OLD.hours IS NOT NEW.hours UNION ALL SELECT 'place' AS field WHERE OLD.place IS NOT NEW.place UNION ALL SELECT 'counts_ce' AS field WHERE OLD.counts_ce IS NOT NEW.counts_ce) f
    WHERE r.tbl = 'training' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_training_delete AFTER DELETE ON training
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'training' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_training_attendance_insert AFTER INSERT ON training_attendance WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT coalesce((SELECT uid FROM sync_row WHERE tbl = 'training' AND rid = NEW.training_id) || '~' || (SELECT uid FROM sync_row WHERE tbl = 'staff' AND rid = NEW.staff_id) || '~att', printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10)))), 'training_attendance', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'training_attendance' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_training_attendance_update AFTER UPDATE ON training_attendance WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.training_id IS NOT NEW.training_id OR OLD.staff_id IS NOT NEW.staff_id OR OLD.guest_name IS NOT NEW.guest_name OR OLD.guest_unit IS NOT NEW.guest_unit OR OLD.status IS NOT NEW.status OR OLD.arrived IS NOT NEW.arrived OR OLD.left_at IS NOT NEW.left_at OR OLD.credited_hours IS NOT NEW.credited_hours OR OLD.session_date IS NOT NEW.session_date OR OLD.counts_ce IS NOT NEW.counts_ce OR OLD.signed_at IS NOT NEW.signed_at OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'training_attendance' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'training_id' AS field WHERE OLD.training_id IS NOT NEW.training_id UNION ALL SELECT 'staff_id' AS field WHERE OLD.staff_id IS NOT NEW.staff_id OR OLD.guest_name IS NOT NEW.guest_name OR OLD.guest_unit IS NOT NEW.guest_unit UNION ALL SELECT 'status' AS field WHERE OLD.status IS NOT NEW.status OR OLD.arrived IS NOT NEW.arrived OR OLD.left_at IS NOT NEW.left_at OR OLD.credited_hours IS NOT NEW.credited_hours UNION ALL SELECT 'session_date' AS field WHERE OLD.session_date IS NOT NEW.session_date UNION ALL SELECT 'counts_ce' AS field WHERE OLD.counts_ce IS NOT NEW.counts_ce UNION ALL SELECT 'signed_at' AS field WHERE OLD.signed_at IS NOT NEW.signed_at) f
    WHERE r.tbl = 'training_attendance' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_training_attendance_delete AFTER DELETE ON training_attendance
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'training_attendance' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_assessment_insert AFTER INSERT ON assessment WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT coalesce((SELECT uid FROM sync_row WHERE tbl = 'training' AND rid = NEW.training_id) || '~' || (SELECT uid FROM sync_row WHERE tbl = 'staff' AND rid = NEW.staff_id) || '~' || NEW.kind || '~assess', printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10)))), 'assessment', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'assessment' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_assessment_update AFTER UPDATE ON assessment WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.training_id IS NOT NEW.training_id OR OLD.staff_id IS NOT NEW.staff_id OR OLD.kind IS NOT NEW.kind OR OLD.score IS NOT NEW.score OR OLD.passed IS NOT NEW.passed OR OLD.assessed_on IS NOT NEW.assessed_on OR OLD.note IS NOT NEW.note OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'assessment' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'training_id' AS field WHERE OLD.training_id IS NOT NEW.training_id UNION ALL SELECT 'staff_id' AS field WHERE OLD.staff_id IS NOT NEW.staff_id UNION ALL SELECT 'kind' AS field WHERE OLD.kind IS NOT NEW.kind UNION ALL SELECT 'score' AS field WHERE OLD.score IS NOT NEW.score OR OLD.passed IS NOT NEW.passed UNION ALL SELECT 'assessed_on' AS field WHERE OLD.assessed_on IS NOT NEW.assessed_on UNION ALL SELECT 'note' AS field WHERE OLD.note IS NOT NEW.note) f
    WHERE r.tbl = 'assessment' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_assessment_delete AFTER DELETE ON assessment
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'assessment' AND sync_row.rid = OLD.rowid;
END;

CREATE TRIGGER sync_sync_conflict_insert AFTER INSERT ON sync_conflict WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || lower(hex(randomblob(10))), 'sync_conflict', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$."' || excluded.origin || '"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = 'sync_conflict' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_sync_conflict_update AFTER UPDATE ON sync_conflict WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.tbl IS NOT NEW.tbl OR OLD.row_uid IS NOT NEW.row_uid OR OLD.field IS NOT NEW.field OR OLD.kind IS NOT NEW.kind OR OLD.sensitive IS NOT NEW.sensitive OR OLD.loser_value IS NOT NEW.loser_value OR OLD.loser_origin IS NOT NEW.loser_origin OR OLD.lost_version IS NOT NEW.lost_version OR OLD.status IS NOT NEW.status OR OLD.resolved_by IS NOT NEW.resolved_by OR OLD.resolved_at IS NOT NEW.resolved_at OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'sync_conflict' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, (SELECT 'tbl' AS field WHERE OLD.tbl IS NOT NEW.tbl UNION ALL SELECT 'row_uid' AS field WHERE OLD.row_uid IS NOT NEW.row_uid UNION ALL SELECT 'field' AS field WHERE OLD.field IS NOT NEW.field UNION ALL SELECT 'kind' AS field WHERE OLD.kind IS NOT NEW.kind UNION ALL SELECT 'sensitive' AS field WHERE OLD.sensitive IS NOT NEW.sensitive UNION ALL SELECT 'loser_value' AS field WHERE OLD.loser_value IS NOT NEW.loser_value UNION ALL SELECT 'loser_origin' AS field WHERE OLD.loser_origin IS NOT NEW.loser_origin UNION ALL SELECT 'lost_version' AS field WHERE OLD.lost_version IS NOT NEW.lost_version UNION ALL SELECT 'status' AS field WHERE OLD.status IS NOT NEW.status OR OLD.resolved_by IS NOT NEW.resolved_by OR OLD.resolved_at IS NOT NEW.resolved_at) f
    WHERE r.tbl = 'sync_conflict' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_sync_conflict_delete AFTER DELETE ON sync_conflict
BEGIN
    UPDATE sync_state SET seq = seq + 1, clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$."' || s.origin || '"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = 'sync_conflict' AND sync_row.rid = OLD.rowid;
END;
