-- Who each email reached: one row per envelope address of an outbox row,
-- made at its first delivery attempt.  An address stays 'pending' until a
-- delivery reaches it ('sent') or the server refuses it for good
-- ('refused': a 5xx answer to RCPT); a 4xx answer leaves it pending with
-- the answer, and only the pending addresses are tried again.  The daily
-- digest and `unit show` name the units' addresses whose latest outcome is
-- a refusal.
CREATE TABLE outbox_recipient (
	id          INTEGER PRIMARY KEY,
	outbox_id   INTEGER NOT NULL REFERENCES outbox(id),
	address     TEXT NOT NULL COLLATE NOCASE,   -- envelope address
	status      TEXT NOT NULL DEFAULT 'pending'
	            CHECK (status IN ('pending', 'sent', 'refused')),
	attempts    INTEGER NOT NULL DEFAULT 0,     -- deliveries tried to it
	code        INTEGER,              -- the server's reply code to its RCPT
	reply       TEXT,                 -- that reply, e.g. "550 5.1.1 … User unknown"
	updated_at  INTEGER NOT NULL,
	UNIQUE (outbox_id, address)
);
CREATE INDEX outbox_recipient_address ON outbox_recipient(address, updated_at);
