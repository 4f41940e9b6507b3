-- Incidents, their append-only timeline, the outbox of Slack messages still to send, per-channel
-- pacing and the idempotency keys of Slack requests already handled.

CREATE TABLE incident_day_counters (
    day         date        NOT NULL,
    last_number integer     NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT incident_day_counters_pkey PRIMARY KEY (day)
);

CREATE TABLE incidents (
    id                  text        NOT NULL,
    title               text        NOT NULL,
    severity            text        NOT NULL,
    severity_rank       integer     NOT NULL,
    status              text        NOT NULL DEFAULT 'investigating',
    incident_type       text,
    impact              text,
    triage              jsonb       NOT NULL DEFAULT '{}'::jsonb,
    declared_by         text        NOT NULL,
    declared_from       text,
    team_domain         text,
    channel_id          text        NOT NULL,
    card_ts             text,
    declared_at         timestamptz NOT NULL,
    acknowledged_at     timestamptz,
    acknowledged_by     text,
    resolved_at         timestamptz,
    closed_at           timestamptz,
    next_update_due_at  timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT incidents_pkey PRIMARY KEY (id),
    CONSTRAINT incidents_status_check CHECK (status IN
        ('investigating', 'identified', 'contained', 'recovering', 'resolved', 'closed', 'cancelled'))
);
CREATE INDEX incidents_open_idx ON incidents (declared_at DESC)
    WHERE status NOT IN ('resolved', 'closed', 'cancelled');
CREATE INDEX incidents_declarer_recent_idx ON incidents (declared_by, declared_at DESC);

CREATE TABLE timeline_entries (
    id          bigint      GENERATED ALWAYS AS IDENTITY,
    incident_id text        NOT NULL,
    at          timestamptz NOT NULL,
    actor       text        NOT NULL,
    kind        text        NOT NULL,
    details     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT timeline_entries_pkey PRIMARY KEY (id),
    CONSTRAINT timeline_entries_incident_fkey FOREIGN KEY (incident_id) REFERENCES incidents (id)
);
CREATE INDEX timeline_entries_incident_idx ON timeline_entries (incident_id, id);

-- The timeline is evidence: corrections are new entries. A trigger refuses UPDATE, DELETE and
-- TRUNCATE for every role, superusers included.
CREATE FUNCTION timeline_entries_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'timeline_entries is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER timeline_entries_append_only
    BEFORE UPDATE OR DELETE ON timeline_entries
    FOR EACH ROW EXECUTE FUNCTION timeline_entries_refuse_change();
CREATE TRIGGER timeline_entries_no_truncate
    BEFORE TRUNCATE ON timeline_entries
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_entries_refuse_change();

-- Every Slack write. `attempts` is the fencing token: completing an attempt requires the same
-- number, so a replica that stalled past its lease cannot overwrite a newer attempt's outcome.
CREATE TABLE outbox (
    id            bigint      GENERATED ALWAYS AS IDENTITY,
    incident_id   text,
    kind          text        NOT NULL,
    method        text        NOT NULL,
    pace_key      text,
    priority      integer     NOT NULL,
    payload       jsonb       NOT NULL,
    state         text        NOT NULL DEFAULT 'pending',
    attempts      integer     NOT NULL DEFAULT 0,
    run_at        timestamptz NOT NULL DEFAULT now(),
    lease_until   timestamptz,
    ambiguous     boolean     NOT NULL DEFAULT false,
    slack_ts      text,
    last_error    text,
    delivered_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT outbox_pkey PRIMARY KEY (id),
    CONSTRAINT outbox_incident_fkey FOREIGN KEY (incident_id) REFERENCES incidents (id),
    CONSTRAINT outbox_state_check CHECK (state IN ('pending', 'delivered', 'failed', 'superseded'))
);
CREATE INDEX outbox_pending_idx ON outbox (priority, id) WHERE state = 'pending';
CREATE INDEX outbox_incident_pending_idx ON outbox (incident_id, id) WHERE state = 'pending';

-- When the next post may go to a channel (Slack allows about one per second per channel; key: the
-- channel ID), or when a method may be called again after a 429's Retry-After (key: `method:NAME`).
-- Shared by every replica.
CREATE TABLE slack_pacing (
    pace_key        text        NOT NULL,
    next_allowed_at timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT slack_pacing_pkey PRIMARY KEY (pace_key)
);

-- Idempotency keys of Slack requests already handled (trigger ids, view ids, event ids).
CREATE TABLE slack_requests (
    key          text        NOT NULL,
    incident_id  text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT slack_requests_pkey PRIMARY KEY (key)
);
CREATE INDEX slack_requests_created_idx ON slack_requests (created_at);
