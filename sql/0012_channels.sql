-- Chat channels beside email: 企业微信, 钉钉 and 飞书 group robots and
-- JSON webhooks, defined by name in the configuration (`channels`), where
-- their addresses and secrets live too: the database holds names only.
--
-- A unit lists the channels its messages go to besides its email
-- addresses (written by registry/unit.c).  Every outbox row belongs to one
-- transport: 'email' (its addresses in recipients and outbox_recipient)
-- or a channel's name (recipients empty, subject the title, body_text the
-- Markdown text, payload the data a webhook gets as JSON); written by
-- mail/outbox.c.  A channel's rate-limit answers put its rows off without
-- counting an attempt: they are counted in deferrals.
ALTER TABLE unit ADD COLUMN channels TEXT NOT NULL DEFAULT '[]';  -- JSON array of names

ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email';
ALTER TABLE outbox ADD COLUMN payload TEXT;
ALTER TABLE outbox ADD COLUMN deferrals INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_channel_queue ON outbox(channel, status, next_attempt_at);
