-- Policy figures change over time, and a past month is computed with the
-- figures in force then. Each change is kept with who made it and when;
-- the history is append-only (a mistake is corrected by a new change).
CREATE TABLE policy_change (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL,
    value       INTEGER NOT NULL CHECK (value > 0),
    -- The first month the figure counts for, 'YYYY-MM'.
    from_month  TEXT NOT NULL CHECK (from_month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),
    changed_by  TEXT NOT NULL CHECK (length(trim(changed_by)) > 0),
    changed_at  TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX policy_change_month ON policy_change (from_month, id);

-- Figures changed before the history existed count for every month.
INSERT INTO policy_change (key, value, from_month, changed_by, changed_at, note)
SELECT key, CAST(value AS INTEGER), '2000-01', '（升级前设置）', changed_at, ''
FROM policy_setting WHERE CAST(value AS INTEGER) > 0;

DROP TABLE policy_setting;

CREATE TRIGGER policy_change_no_update BEFORE UPDATE ON policy_change
BEGIN
    SELECT RAISE(ABORT, 'policy history is append-only');
END;

CREATE TRIGGER policy_change_no_delete BEFORE DELETE ON policy_change
BEGIN
    SELECT RAISE(ABORT, 'policy history is append-only');
END;
