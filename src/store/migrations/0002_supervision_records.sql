-- Supervision records (督导记录), their action items, signatures,
-- amendments, and drafts of forms being typed.
CREATE TABLE supervision_record (
    id               INTEGER PRIMARY KEY,
    supervisor_id    INTEGER NOT NULL REFERENCES staff(id),
    year             INTEGER NOT NULL,
    number           INTEGER NOT NULL CHECK (number > 0),
    date             TEXT NOT NULL CHECK (date IS date(date)),
    start_time       TEXT NOT NULL CHECK (start_time IS strftime('%H:%M', start_time)),
    end_time         TEXT NOT NULL CHECK (end_time IS strftime('%H:%M', end_time) AND end_time > start_time),
    place            TEXT NOT NULL,
    mode             TEXT NOT NULL CHECK (mode IN ('individual', 'group', 'written', 'follow_up', 'live_observation')),
    functions        TEXT NOT NULL,
    cases            TEXT NOT NULL,
    topic            TEXT NOT NULL,
    previous_review  TEXT NOT NULL,
    reported         TEXT NOT NULL,
    findings         TEXT NOT NULL,
    guidance         TEXT NOT NULL,
    reflection       TEXT NOT NULL,
    disagreement     TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (supervisor_id, year, number)
) STRICT;
CREATE INDEX supervision_record_date ON supervision_record(supervisor_id, date);

CREATE TABLE record_attendee (
    record_id   INTEGER NOT NULL REFERENCES supervision_record(id) ON DELETE CASCADE,
    staff_id    INTEGER NOT NULL REFERENCES staff(id),
    attendance  TEXT NOT NULL CHECK (attendance IN ('present', 'late', 'absent')),
    PRIMARY KEY (record_id, staff_id)
) STRICT;
CREATE INDEX record_attendee_staff ON record_attendee(staff_id);

CREATE TABLE action_item (
    id         INTEGER PRIMARY KEY,
    record_id  INTEGER NOT NULL REFERENCES supervision_record(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    what       TEXT NOT NULL,
    owner_id   INTEGER NOT NULL REFERENCES staff(id),
    due_date   TEXT NOT NULL CHECK (due_date IS date(due_date)),
    done_date  TEXT CHECK (done_date IS date(done_date)),
    note       TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX action_item_owner ON action_item(owner_id, done_date);
CREATE INDEX action_item_record ON action_item(record_id);

CREATE TABLE record_signature (
    record_id  INTEGER NOT NULL REFERENCES supervision_record(id),
    staff_id   INTEGER NOT NULL REFERENCES staff(id),
    role       TEXT NOT NULL CHECK (role IN ('supervisor', 'supervisee')),
    name       TEXT NOT NULL,
    signed_at  TEXT NOT NULL,
    PRIMARY KEY (record_id, staff_id)
) STRICT;

-- A change after signing: the record row keeps the original, each
-- amendment keeps the text it replaced, who, when and why.
CREATE TABLE record_amendment (
    id         INTEGER PRIMARY KEY,
    record_id  INTEGER NOT NULL REFERENCES supervision_record(id),
    field      TEXT NOT NULL,
    original   TEXT NOT NULL,
    amended    TEXT NOT NULL,
    reason     TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    by_name    TEXT NOT NULL CHECK (length(trim(by_name)) > 0),
    at         TEXT NOT NULL
) STRICT;
CREATE INDEX record_amendment_record ON record_amendment(record_id, id);

-- Forms saved as they are typed, so nothing typed is lost.
CREATE TABLE draft (
    key         TEXT PRIMARY KEY,
    body        TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

-- A signed record is locked in the database itself, whatever path writes.
CREATE TRIGGER signed_record_no_update BEFORE UPDATE ON supervision_record
WHEN EXISTS (SELECT 1 FROM record_signature WHERE record_id = OLD.id)
BEGIN SELECT RAISE(ABORT, 'signed supervision record is locked'); END;

CREATE TRIGGER signed_record_no_delete BEFORE DELETE ON supervision_record
WHEN EXISTS (SELECT 1 FROM record_signature WHERE record_id = OLD.id)
BEGIN SELECT RAISE(ABORT, 'signed supervision record is locked'); END;

CREATE TRIGGER signed_attendee_no_insert BEFORE INSERT ON record_attendee
WHEN EXISTS (SELECT 1 FROM record_signature WHERE record_id = NEW.record_id)
BEGIN SELECT RAISE(ABORT, 'signed supervision record is locked'); END;

CREATE TRIGGER signed_attendee_no_change BEFORE UPDATE ON record_attendee
WHEN EXISTS (SELECT 1 FROM record_signature WHERE record_id = OLD.record_id)
BEGIN SELECT RAISE(ABORT, 'signed supervision record is locked'); END;

CREATE TRIGGER signed_attendee_no_delete BEFORE DELETE ON record_attendee
WHEN EXISTS (SELECT 1 FROM record_signature WHERE record_id = OLD.record_id)
BEGIN SELECT RAISE(ABORT, 'signed supervision record is locked'); END;

CREATE TRIGGER signed_item_no_insert BEFORE INSERT ON action_item
WHEN EXISTS (SELECT 1 FROM record_signature WHERE record_id = NEW.record_id)
BEGIN SELECT RAISE(ABORT, 'signed supervision record is locked'); END;

-- Tracking goes on after signing: only done_date and note may change.
CREATE TRIGGER signed_item_no_change BEFORE UPDATE OF record_id, position, what, owner_id, due_date ON action_item
WHEN EXISTS (SELECT 1 FROM record_signature WHERE record_id = OLD.record_id)
BEGIN SELECT RAISE(ABORT, 'signed supervision record is locked'); END;

CREATE TRIGGER signed_item_no_delete BEFORE DELETE ON action_item
WHEN EXISTS (SELECT 1 FROM record_signature WHERE record_id = OLD.record_id)
BEGIN SELECT RAISE(ABORT, 'signed supervision record is locked'); END;

CREATE TRIGGER signature_no_change BEFORE UPDATE ON record_signature
BEGIN SELECT RAISE(ABORT, 'a signature cannot be changed'); END;

CREATE TRIGGER signature_no_delete BEFORE DELETE ON record_signature
BEGIN SELECT RAISE(ABORT, 'a signature cannot be removed'); END;

CREATE TRIGGER amendment_append_only_update BEFORE UPDATE ON record_amendment
BEGIN SELECT RAISE(ABORT, 'amendments are append-only'); END;

CREATE TRIGGER amendment_append_only_delete BEFORE DELETE ON record_amendment
BEGIN SELECT RAISE(ABORT, 'amendments are append-only'); END;
