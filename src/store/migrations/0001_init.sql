-- Stations, staff and who supervises whom. Dates are ISO 8601 text.
CREATE TABLE station (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL CHECK (length(trim(name)) > 0),
    township  TEXT NOT NULL,
    county    TEXT NOT NULL
) STRICT;

CREATE TABLE staff (
    id                INTEGER PRIMARY KEY,
    station_id        INTEGER NOT NULL REFERENCES station(id),
    name              TEXT NOT NULL CHECK (length(trim(name)) > 0),
    role              TEXT NOT NULL CHECK (role IN ('frontline', 'assistant_supervisor',
                          'trainee_supervisor', 'junior_supervisor', 'intermediate_supervisor',
                          'senior_supervisor', 'station_head')),
    qualification     TEXT NOT NULL CHECK (qualification IN ('none', 'assistant_social_worker',
                          'social_worker', 'senior_social_worker')),
    certificate_no    TEXT,
    registration_date TEXT CHECK (registration_date IS date(registration_date)),
    start_date        TEXT NOT NULL CHECK (start_date IS date(start_date)),
    left_date         TEXT CHECK (left_date IS date(left_date))
) STRICT;
CREATE INDEX staff_station ON staff(station_id, name);

-- Half-open [from_date, to_date); to_date NULL while the link is current.
CREATE TABLE supervision_link (
    id             INTEGER PRIMARY KEY,
    supervisor_id  INTEGER NOT NULL REFERENCES staff(id),
    supervisee_id  INTEGER NOT NULL REFERENCES staff(id),
    from_date      TEXT NOT NULL CHECK (from_date IS date(from_date)),
    to_date        TEXT CHECK (to_date IS date(to_date) AND to_date >= from_date),
    CHECK (supervisor_id <> supervisee_id)
) STRICT;
CREATE INDEX supervision_link_supervisee ON supervision_link(supervisee_id, from_date);
CREATE INDEX supervision_link_supervisor ON supervision_link(supervisor_id, from_date);
-- At most one current supervisor per person.
CREATE UNIQUE INDEX supervision_link_one_open ON supervision_link(supervisee_id) WHERE to_date IS NULL;
