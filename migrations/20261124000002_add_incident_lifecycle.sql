-- The incident's current state for running it from the card: resolution, closure, role holders
-- and the latest structured update. How it got there stays in timeline_entries.
ALTER TABLE incidents
    ADD COLUMN version            integer     NOT NULL DEFAULT 1,
    ADD COLUMN resolution_summary text,
    ADD COLUMN roles              jsonb       NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN latest_update      jsonb;
