-- The Statuspage incident an incident's approved status-page summaries create and then update.
ALTER TABLE incidents ADD COLUMN statuspage_incident_id text;
