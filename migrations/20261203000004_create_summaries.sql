-- Client-safe summaries under four eyes: drafts numbered per incident (`INC-…-S<number>`),
-- pending until someone holding an approver role, other than the author, approves one (which
-- records the SHA-256 of its exact text) or sends it back with a reason; a later draft
-- supersedes the drafts still pending. Every change is also a timeline entry.
CREATE TABLE incident_summaries (
    incident_id   text        NOT NULL,
    number        integer     NOT NULL,
    title         text        NOT NULL,
    text          text        NOT NULL,
    public_status text        NOT NULL,
    audience      text        NOT NULL,
    status        text        NOT NULL DEFAULT 'pending',
    author        text        NOT NULL,
    -- The lint's warnings the author acknowledged when drafting it.
    acknowledged  text[]      NOT NULL DEFAULT '{}',
    decided_by    text,
    decided_at    timestamptz,
    reason        text,
    superseded_by integer,
    sha256        text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT incident_summaries_pkey PRIMARY KEY (incident_id, number),
    CONSTRAINT incident_summaries_incident_fkey FOREIGN KEY (incident_id) REFERENCES incidents (id),
    CONSTRAINT incident_summaries_status_check
        CHECK (status IN ('pending', 'approved', 'changes_requested', 'superseded')),
    CONSTRAINT incident_summaries_public_status_check
        CHECK (public_status IN ('investigating', 'identified', 'monitoring', 'resolved')),
    CONSTRAINT incident_summaries_audience_check
        CHECK (audience IN ('customers', 'merchants', 'regulator', 'status_page')),
    -- Four eyes, kept by the database too: an approved draft names its approver, who is not its
    -- author, and the hash of its text.
    CONSTRAINT incident_summaries_approval_check CHECK (
        status <> 'approved'
        OR (decided_by IS NOT NULL AND decided_by <> author AND sha256 ~ '^[0-9a-f]{64}$')
    )
);
