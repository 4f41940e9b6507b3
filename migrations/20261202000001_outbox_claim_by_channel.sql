-- With pacing on, a claim starts from the channels that have posts waiting — one indexed lookup
-- per channel — instead of walking every pending row, so its cost does not grow with a channel's
-- backlog; answers to one person (no channel pace) are walked on an index of their own.
CREATE INDEX outbox_pending_channel_idx ON outbox (pace_key, priority, id)
    WHERE state = 'pending' AND pace_key IS NOT NULL;
CREATE INDEX outbox_pending_unpaced_idx ON outbox (priority, id)
    WHERE state = 'pending' AND pace_key IS NULL;
