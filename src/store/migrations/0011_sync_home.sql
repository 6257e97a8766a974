-- Where this database lives (a digest of the machine, the file's path and
-- its identity on disk). A database copied to another laptop or folder
-- would otherwise keep the sync identity (`origin`) of the original: two
-- files writing as one device, each taking the other's edits for ones it
-- had already seen, and a same-field edit lost without a review entry.
-- When the file is opened somewhere else, it takes a new origin.
ALTER TABLE sync_state ADD COLUMN home TEXT;
