-- The second half of the process: when the impact started and how it was detected, the
-- milestones (containment, root cause, fix), the post-incident review, and the corrective actions.
-- The incident row keeps the current values, which the metrics read in SQL; the timeline keeps how
-- each was set.
ALTER TABLE incidents
    ADD COLUMN impact_started_at   timestamptz,
    ADD COLUMN detection           text,
    ADD COLUMN environment         text NOT NULL DEFAULT 'production',
    ADD COLUMN affected_services   text,
    ADD COLUMN contained_at        timestamptz,
    ADD COLUMN root_cause          text,
    ADD COLUMN root_cause_at       timestamptz,
    ADD COLUMN fix_deployed        text,
    ADD COLUMN fix_link            text,
    ADD COLUMN fix_deployed_at     timestamptz,
    ADD COLUMN review              jsonb,
    ADD COLUMN review_due_at       timestamptz,
    ADD COLUMN review_completed_at timestamptz,
    ADD COLUMN review_completed_by text,
    ADD CONSTRAINT incidents_environment_check CHECK (environment IN ('production', 'staging', 'local')),
    ADD CONSTRAINT incidents_detection_check CHECK (detection IN
        ('monitoring_alert', 'customer_report', 'internal_report', 'security_review', 'third_party'));

-- Metrics read incidents declared within a range.
CREATE INDEX incidents_declared_at_idx ON incidents (declared_at);

-- Corrective (follow-up) actions: `INC-…-A<number>`, numbered per incident. Open → done or
-- won't do (with a reason); every change is also a timeline entry.
CREATE TABLE incident_actions (
    incident_id text        NOT NULL,
    number      integer     NOT NULL,
    text        text        NOT NULL,
    owner       text        NOT NULL,
    due_on      date        NOT NULL,
    link        text,
    status      text        NOT NULL DEFAULT 'open',
    reason      text,
    created_by  text        NOT NULL,
    finished_at timestamptz,
    finished_by text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT incident_actions_pkey PRIMARY KEY (incident_id, number),
    CONSTRAINT incident_actions_incident_fkey FOREIGN KEY (incident_id) REFERENCES incidents (id),
    CONSTRAINT incident_actions_status_check CHECK (status IN ('open', 'done', 'wont_do'))
);
CREATE INDEX incident_actions_open_owner_idx ON incident_actions (owner, due_on) WHERE status = 'open';
CREATE INDEX incident_actions_open_due_idx ON incident_actions (due_on) WHERE status = 'open';
