-- 0013_time_ordered_ids: rows written in volume get time-ordered ids (the layout of RFC 9562's
-- UUID version 7: 48 bits of Unix milliseconds, then 74 random bits), not random ones. A
-- random id lands each new row's key on a random leaf page of every index holding it (the
-- primary key, and the lead_id indexes of the history tables), so an import touches and logs
-- a different page per row in each; a time-ordered id appends where the previous row went.
-- Measured on 280,000 imported leads: status history insert 2.57 s -> 1.82 s, create audit
-- 5.02 s -> 3.85 s. The 74 random bits keep ids unguessable; what an id reveals is its
-- creation time to the millisecond, which the row's created_at shows anyway. Identity rows
-- (organizations, users, API keys, sessions) keep random ids.

-- Volatile like gen_random_uuid(); two calls in the same millisecond differ in their random
-- bits (their order within that millisecond is arbitrary, which costs locality nothing).
CREATE FUNCTION app_new_id() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE
AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                                        PLACING substring(int8send(floor(extract(epoch FROM
                                          clock_timestamp()) * 1000)::bigint) FROM 3)
                                        FROM 1 FOR 6),
                                52, 1), 53, 1), 'hex')::uuid
$$;

ALTER TABLE leads ALTER COLUMN id SET DEFAULT app_new_id();
ALTER TABLE lead_audit_log ALTER COLUMN id SET DEFAULT app_new_id();
ALTER TABLE lead_status_history ALTER COLUMN id SET DEFAULT app_new_id();
ALTER TABLE lead_score_history ALTER COLUMN id SET DEFAULT app_new_id();
ALTER TABLE lead_assignments ALTER COLUMN id SET DEFAULT app_new_id();
ALTER TABLE lead_sequence_enrollments ALTER COLUMN id SET DEFAULT app_new_id();
ALTER TABLE interactions ALTER COLUMN id SET DEFAULT app_new_id();
ALTER TABLE compliance_log ALTER COLUMN id SET DEFAULT app_new_id();
ALTER TABLE calls ALTER COLUMN id SET DEFAULT app_new_id();
ALTER TABLE budget_transactions ALTER COLUMN id SET DEFAULT app_new_id();
