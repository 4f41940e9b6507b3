-- Outbox rows now carry what to deliver (a typed payload rendered when it is sent) rather than a
-- ready-made Slack call. A reminder about the next-update deadline is sent only while that
-- deadline still holds: the condition is a column of its own instead of a field in the payload.
-- `method` now names the lane a row's calls share for rate-limit pauses (post, update, respond,
-- ephemeral); rows written before keep the Slack method they name.
ALTER TABLE outbox ADD COLUMN only_if_next_update_due_at timestamptz;
