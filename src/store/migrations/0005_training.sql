-- Training (R11–R16): the trainer pool, the yearly plan with its changes,
-- sessions, sign-in with the hours credited, and assessments.

CREATE TABLE trainer (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL CHECK (length(trim(name)) > 0),
    unit       TEXT NOT NULL DEFAULT '',
    expertise  TEXT NOT NULL DEFAULT '',
    staff_id   INTEGER REFERENCES staff (id)
) STRICT;

-- One line of a station's plan for a year (R11). A line dropped during the
-- year keeps its row with the day it was dropped.
CREATE TABLE training_plan_item (
    id             INTEGER PRIMARY KEY,
    station_id     INTEGER NOT NULL REFERENCES station (id),
    year           INTEGER NOT NULL,
    title          TEXT NOT NULL,
    area           TEXT NOT NULL,
    method         TEXT NOT NULL,
    month          INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    trainer_id     INTEGER REFERENCES trainer (id),
    planned_hours  REAL NOT NULL CHECK (planned_hours > 0),
    dropped_on     TEXT
) STRICT;

CREATE INDEX training_plan_station_year ON training_plan_item (station_id, year);

-- Every change to the plan during the year: what, who, when, why.
CREATE TABLE training_plan_change (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES training_plan_item (id),
    what        TEXT NOT NULL,
    changed_by  TEXT NOT NULL,
    changed_at  TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE training (
    id            INTEGER PRIMARY KEY,
    station_id    INTEGER NOT NULL REFERENCES station (id),
    plan_item_id  INTEGER REFERENCES training_plan_item (id),
    title         TEXT NOT NULL,
    area          TEXT NOT NULL,
    method        TEXT NOT NULL,
    trainer_id    INTEGER REFERENCES trainer (id),
    date          TEXT NOT NULL,
    start_time    TEXT NOT NULL,
    end_time      TEXT NOT NULL,
    hours         REAL NOT NULL CHECK (hours > 0),
    place         TEXT NOT NULL DEFAULT '',
    counts_ce     INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE INDEX training_station_date ON training (station_id, date);

-- A sign-in: a member of staff, or an outsider (name and unit). The
-- session's date and whether it counts as continuing education are copied
-- in, so the hours ledger reads one table through one index.
CREATE TABLE training_attendance (
    id              INTEGER PRIMARY KEY,
    training_id     INTEGER NOT NULL REFERENCES training (id),
    staff_id        INTEGER REFERENCES staff (id),
    guest_name      TEXT,
    guest_unit      TEXT,
    status          TEXT NOT NULL,
    arrived         TEXT,
    left_at         TEXT,
    credited_hours  REAL NOT NULL CHECK (credited_hours >= 0),
    session_date    TEXT NOT NULL,
    counts_ce       INTEGER NOT NULL,
    signed_at       TEXT NOT NULL,
    CHECK ((staff_id IS NULL) <> (guest_name IS NULL))
) STRICT;

CREATE UNIQUE INDEX training_attendance_person
    ON training_attendance (training_id, staff_id) WHERE staff_id IS NOT NULL;
CREATE INDEX training_attendance_ledger
    ON training_attendance (staff_id, session_date, credited_hours)
    WHERE staff_id IS NOT NULL AND counts_ce AND credited_hours > 0;

CREATE TABLE assessment (
    id           INTEGER PRIMARY KEY,
    training_id  INTEGER NOT NULL REFERENCES training (id),
    staff_id     INTEGER NOT NULL REFERENCES staff (id),
    kind         TEXT NOT NULL,
    score        REAL CHECK (score BETWEEN 0 AND 100),
    passed       INTEGER NOT NULL,
    assessed_on  TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    UNIQUE (training_id, staff_id, kind)
) STRICT;

CREATE INDEX assessment_staff ON assessment (staff_id, assessed_on);
