-- Restricted (security) incidents live in a private channel, and their details are shown only to
-- that channel's members: a flag set at declaration, which every list and search reads.
ALTER TABLE incidents ADD COLUMN restricted boolean NOT NULL DEFAULT false;
