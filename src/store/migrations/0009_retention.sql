-- Retention (issue 8): the cases whose client's personal information was
-- purged on this laptop after their retain-until date, who did it and when.
-- Local to this laptop, like the seals: it is not synchronised (so not in
-- `sync::spec::TABLES`). What other laptops need travels without it: the
-- purge deletes the identity and consents, and their tombstones carry the
-- deletion. The case row itself stays (its code, dates and contacts are
-- workload history and supervision records name it).
CREATE TABLE case_purge (
    case_id    INTEGER PRIMARY KEY REFERENCES client_case(id),
    purged_on  TEXT NOT NULL CHECK (purged_on IS date(purged_on)),
    purged_by  TEXT NOT NULL CHECK (length(trim(purged_by)) > 0)
) STRICT;
