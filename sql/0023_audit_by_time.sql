-- The changes audited after a time, by entity: a bulletin asks which
-- accounts changed in the registry after its check time (few; none for
-- the month in progress) to take their status as it stood then.  Through
-- audit_entity SQLite read every account's audit rows for it, 500,000 at
-- 500,000 accounts, in each part of the bulletin's walk.
CREATE INDEX audit_entity_time ON audit(entity, at);
