-- The web view's Sign in with Slack. A sign-in under way is remembered by the SHA-256 of its
-- `state` until Slack sends the browser back (once: the row is deleted when used); a session by
-- the SHA-256 of its cookie's token, so a copy of this table lets nobody in.
CREATE TABLE web_sign_ins (
    state_sha256 text NOT NULL,
    nonce text NOT NULL,
    return_to text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    CONSTRAINT web_sign_ins_pkey PRIMARY KEY (state_sha256)
);

CREATE TABLE web_sessions (
    token_sha256 text NOT NULL,
    user_id text NOT NULL,
    user_name text NOT NULL,
    team_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    CONSTRAINT web_sessions_pkey PRIMARY KEY (token_sha256)
);

CREATE INDEX web_sessions_expires_at ON web_sessions (expires_at);
CREATE INDEX web_sign_ins_expires_at ON web_sign_ins (expires_at);
