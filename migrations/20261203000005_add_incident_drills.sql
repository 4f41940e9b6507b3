-- Drills (tabletop exercises): an incident declared with `/incident drill`, a scenario, or the
-- declare form's "This is a drill" box. The flag is set at declaration and never changes; it
-- keeps a drill out of the metrics, the daily digest, search and the default lists, and keeps
-- anything about it from leaving the company (escalations, the customer-facing channel).
-- Existing incidents were all real, so the default is false.
ALTER TABLE incidents ADD COLUMN drill boolean NOT NULL DEFAULT false;

-- `/incident list drills`: the newest drills. Few incidents are drills, so a partial index over
-- those alone costs declarations almost nothing.
CREATE INDEX incidents_drills_declared_idx ON incidents (declared_at DESC, id DESC) WHERE drill;
