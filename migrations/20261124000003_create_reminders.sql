-- Reminders: one pending row per incident and kind (re-arming replaces it), claimed by the
-- scheduler with FOR UPDATE SKIP LOCKED and marked fired in the transaction that enqueues its
-- Slack post. The daily digest has no incident.
CREATE TABLE reminders (
    id          bigint      GENERATED ALWAYS AS IDENTITY,
    incident_id text,
    kind        text        NOT NULL,
    due_at      timestamptz NOT NULL,
    state       text        NOT NULL DEFAULT 'pending',
    details     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    fired_at    timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT reminders_pkey PRIMARY KEY (id),
    CONSTRAINT reminders_incident_fkey FOREIGN KEY (incident_id) REFERENCES incidents (id),
    CONSTRAINT reminders_state_check CHECK (state IN ('pending', 'fired', 'cancelled'))
);
CREATE UNIQUE INDEX reminders_one_pending_idx ON reminders (COALESCE(incident_id, ''), kind) WHERE state = 'pending';
CREATE INDEX reminders_due_idx ON reminders (due_at) WHERE state = 'pending';

-- The personal-data breach clock and the escalation triggers already announced.
ALTER TABLE incidents
    ADD COLUMN breach_discovered_at  timestamptz,
    ADD COLUMN authority_notified_at timestamptz,
    ADD COLUMN escalations           jsonb NOT NULL DEFAULT '[]'::jsonb;
