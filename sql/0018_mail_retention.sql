-- The text of sent messages is cleared after mail.retention: what stays
-- is who was told what and when (subject, addressees, times, the
-- addresses' answers).  Sent messages were the one record that grew
-- without bound, about 32 kB per account a year.
ALTER TABLE outbox ADD COLUMN body_expired_at INTEGER;

-- The sent messages whose text is still kept, oldest first: each run
-- clears the few that passed the retention since the last one.
CREATE INDEX outbox_sent_kept ON outbox(sent_at)
	WHERE status = 'sent' AND body_expired_at IS NULL;
