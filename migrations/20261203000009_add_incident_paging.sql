-- When warroom first asked PagerDuty to page on-call for an incident: its acknowledgement and
-- resolution are then passed on to PagerDuty too.
ALTER TABLE incidents ADD COLUMN paged_at timestamptz;

-- A page waits for the incident's earlier pages (trigger before acknowledge before resolve).
CREATE INDEX outbox_pending_pages ON outbox (incident_id, id) WHERE kind = 'page' AND state = 'pending';
