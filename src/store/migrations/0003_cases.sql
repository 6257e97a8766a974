-- Cases (个案) with their contacts and consents, the client's identity kept
-- apart, groups and activities with their sessions, the cases a supervision
-- session discussed, policy settings, and the indexes and bookkeeping the
-- overdue engine reads.

CREATE TABLE client_case (
    id                 INTEGER PRIMARY KEY,
    code               TEXT NOT NULL UNIQUE CHECK (length(trim(code)) > 0),
    station_id         INTEGER NOT NULL REFERENCES station(id),
    owner_id           INTEGER NOT NULL REFERENCES staff(id),
    category           TEXT NOT NULL CHECK (category IN ('elderly', 'children', 'disability',
                           'low_income', 'family', 'other')),
    risk               TEXT NOT NULL CHECK (risk IN ('high', 'priority', 'general')),
    -- The day the case took its present risk level.
    risk_since         TEXT NOT NULL CHECK (risk_since IS date(risk_since)),
    stage              TEXT NOT NULL CHECK (stage IN ('intake', 'assessment', 'plan',
                           'intervention', 'evaluation', 'review', 'closed', 'follow_up')),
    difficult          INTEGER NOT NULL DEFAULT 0 CHECK (difficult IN (0, 1)),
    opened_on          TEXT NOT NULL CHECK (opened_on IS date(opened_on)),
    closed_on          TEXT CHECK (closed_on IS date(closed_on) AND closed_on >= opened_on),
    retain_until       TEXT NOT NULL CHECK (retain_until IS date(retain_until)),
    -- The latest contact's date, kept by the triggers on case_contact so
    -- the overdue engine need not look it up case by case.
    last_contact_on    TEXT,
    CHECK ((stage IN ('closed', 'follow_up')) = (closed_on IS NOT NULL))
) STRICT;
CREATE INDEX client_case_owner ON client_case(owner_id, code);
CREATE INDEX client_case_station ON client_case(station_id, code);
-- Cases still being worked (everything before the follow-up visit): what
-- the overdue engine reads.
-- Covering: the engine reads these columns without touching the table.
CREATE INDEX client_case_active ON client_case(owner_id, id, code, risk, risk_since, stage,
    opened_on, closed_on, last_contact_on) WHERE stage <> 'follow_up';

-- The client's identity: sensitive personal information, read only on the
-- case's own page.
CREATE TABLE case_identity (
    case_id       INTEGER PRIMARY KEY REFERENCES client_case(id) ON DELETE CASCADE,
    real_name     TEXT NOT NULL,
    id_number     TEXT NOT NULL DEFAULT '',
    birth_date    TEXT CHECK (birth_date IS date(birth_date)),
    phone         TEXT NOT NULL DEFAULT '',
    guardian      TEXT NOT NULL DEFAULT '',
    health_notes  TEXT NOT NULL DEFAULT ''
) STRICT;

-- Birth dates alone, for the under-14 check (R20) without reading names.
CREATE INDEX case_identity_birth ON case_identity(case_id, birth_date);

CREATE TABLE case_consent (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES client_case(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('processing', 'sensitive', 'guardian')),
    given_on   TEXT NOT NULL CHECK (given_on IS date(given_on)),
    given_by   TEXT NOT NULL CHECK (length(trim(given_by)) > 0),
    scope      TEXT NOT NULL CHECK (length(trim(scope)) > 0)
) STRICT;
CREATE INDEX case_consent_case ON case_consent(case_id, kind, given_on);

CREATE TABLE case_contact (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES client_case(id) ON DELETE CASCADE,
    date      TEXT NOT NULL CHECK (date IS date(date)),
    kind      TEXT NOT NULL CHECK (kind IN ('intake', 'interview', 'home_visit', 'phone',
                  'referral', 'closing', 'follow_up')),
    staff_id  INTEGER NOT NULL REFERENCES staff(id),
    note      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX case_contact_case ON case_contact(case_id, date);
-- A worker's frontline days in a month (R5).
CREATE INDEX case_contact_staff ON case_contact(staff_id, date);

CREATE TRIGGER case_contact_added AFTER INSERT ON case_contact
BEGIN
    UPDATE client_case SET last_contact_on = NEW.date
    WHERE id = NEW.case_id AND (last_contact_on IS NULL OR last_contact_on < NEW.date);
END;

CREATE TRIGGER case_contact_changed AFTER UPDATE OF date, case_id ON case_contact
BEGIN
    UPDATE client_case SET last_contact_on =
        (SELECT max(date) FROM case_contact WHERE case_id = client_case.id)
    WHERE id IN (OLD.case_id, NEW.case_id);
END;

CREATE TRIGGER case_contact_removed AFTER DELETE ON case_contact
BEGIN
    UPDATE client_case SET last_contact_on =
        (SELECT max(date) FROM case_contact WHERE case_id = OLD.case_id)
    WHERE id = OLD.case_id;
END;

-- The follow-up visits (回访) alone, for "was this closed case visited".
CREATE INDEX case_contact_follow_up ON case_contact(case_id, date) WHERE kind = 'follow_up';

-- Groups (小组) and activities (活动), therapeutic or not, and their sessions.
CREATE TABLE group_work (
    id           INTEGER PRIMARY KEY,
    station_id   INTEGER NOT NULL REFERENCES station(id),
    kind         TEXT NOT NULL CHECK (kind IN ('group', 'activity')),
    name         TEXT NOT NULL CHECK (length(trim(name)) > 0),
    therapeutic  INTEGER NOT NULL DEFAULT 0 CHECK (therapeutic IN (0, 1)),
    leader_id    INTEGER NOT NULL REFERENCES staff(id),
    started_on   TEXT NOT NULL CHECK (started_on IS date(started_on))
) STRICT;
CREATE INDEX group_work_leader ON group_work(leader_id, started_on);
CREATE INDEX group_work_station ON group_work(station_id, started_on);

CREATE TABLE group_session (
    id            INTEGER PRIMARY KEY,
    group_id      INTEGER NOT NULL REFERENCES group_work(id) ON DELETE CASCADE,
    date          TEXT NOT NULL CHECK (date IS date(date)),
    participants  INTEGER NOT NULL CHECK (participants >= 0),
    note          TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX group_session_group ON group_session(group_id, date);

-- The cases a supervision session discussed, by code (resolved on save).
-- The session's date is copied in (triggers below), so "when was this case
-- last discussed" is one index seek.
CREATE TABLE record_case (
    record_id     INTEGER NOT NULL REFERENCES supervision_record(id) ON DELETE CASCADE,
    case_id       INTEGER NOT NULL REFERENCES client_case(id),
    session_date  TEXT,
    PRIMARY KEY (record_id, case_id)
) STRICT;
CREATE INDEX record_case_case ON record_case(case_id, session_date);

CREATE TRIGGER record_case_dated AFTER INSERT ON record_case
BEGIN
    UPDATE record_case SET session_date = (SELECT date FROM supervision_record WHERE id = NEW.record_id)
    WHERE record_id = NEW.record_id AND case_id = NEW.case_id;
END;

-- A policy figure the station changed from its default (DOMAIN.md R1–R20).
CREATE TABLE policy_setting (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    changed_at  TEXT NOT NULL
) STRICT;

-- Each attendee row carries its session's date and mode, so "when was this
-- person last supervised, and how" is one index seek (R3, R4, R18).
ALTER TABLE record_attendee ADD COLUMN session_date TEXT;
ALTER TABLE record_attendee ADD COLUMN session_mode TEXT;
-- The lock on a signed record's attendees now covers what was typed, not
-- the copied date and mode.
DROP TRIGGER signed_attendee_no_change;
CREATE TRIGGER signed_attendee_no_change BEFORE UPDATE OF record_id, staff_id, attendance ON record_attendee
WHEN EXISTS (SELECT 1 FROM record_signature WHERE record_id = OLD.record_id)
BEGIN SELECT RAISE(ABORT, 'signed supervision record is locked'); END;
UPDATE record_attendee SET
    session_date = (SELECT date FROM supervision_record r WHERE r.id = record_id),
    session_mode = (SELECT mode FROM supervision_record r WHERE r.id = record_id);
CREATE INDEX record_attendee_seen ON record_attendee(staff_id, session_mode, session_date)
    WHERE attendance <> 'absent';

CREATE TRIGGER record_attendee_dated AFTER INSERT ON record_attendee
BEGIN
    UPDATE record_attendee SET
        session_date = (SELECT date FROM supervision_record WHERE id = NEW.record_id),
        session_mode = (SELECT mode FROM supervision_record WHERE id = NEW.record_id)
    WHERE record_id = NEW.record_id AND staff_id = NEW.staff_id;
END;

CREATE TRIGGER record_redated AFTER UPDATE OF date, mode ON supervision_record
BEGIN
    UPDATE record_attendee SET session_date = NEW.date, session_mode = NEW.mode
    WHERE record_id = NEW.id;
    UPDATE record_case SET session_date = NEW.date WHERE record_id = NEW.id;
END;

-- Records still waiting for a signature (R19): a row per record until the
-- supervisor and every attending supervisee have signed.
CREATE TABLE record_unsigned (
    record_id      INTEGER PRIMARY KEY REFERENCES supervision_record(id) ON DELETE CASCADE,
    supervisor_id  INTEGER NOT NULL,
    date           TEXT NOT NULL
) STRICT;
INSERT INTO record_unsigned (record_id, supervisor_id, date)
SELECT r.id, r.supervisor_id, r.date FROM supervision_record r
WHERE (SELECT count(*) FROM record_signature s WHERE s.record_id = r.id)
    < 1 + (SELECT count(*) FROM record_attendee a
           WHERE a.record_id = r.id AND a.attendance <> 'absent');

CREATE TRIGGER record_unsigned_new AFTER INSERT ON supervision_record
BEGIN
    INSERT INTO record_unsigned (record_id, supervisor_id, date)
    VALUES (NEW.id, NEW.supervisor_id, NEW.date);
END;

CREATE TRIGGER record_unsigned_moved AFTER UPDATE OF date, supervisor_id ON supervision_record
BEGIN
    UPDATE record_unsigned SET supervisor_id = NEW.supervisor_id, date = NEW.date
    WHERE record_id = NEW.id;
END;

CREATE TRIGGER record_unsigned_signed AFTER INSERT ON record_signature
WHEN (SELECT count(*) FROM record_signature WHERE record_id = NEW.record_id)
    >= 1 + (SELECT count(*) FROM record_attendee
            WHERE record_id = NEW.record_id AND attendance <> 'absent')
BEGIN
    DELETE FROM record_unsigned WHERE record_id = NEW.record_id;
END;

-- A month's sessions across supervisors (the workload engine).
CREATE INDEX supervision_record_day ON supervision_record(date);

-- Overdue action items are the open ones (R8).
CREATE INDEX action_item_open ON action_item(due_date) WHERE done_date IS NULL;
