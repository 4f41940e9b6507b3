-- When customers were first told about the incident: the approval of its first client-safe
-- summary for a customer-facing audience, which satisfies the customer-notification clocks.
ALTER TABLE incidents ADD COLUMN customers_notified_at timestamptz;
