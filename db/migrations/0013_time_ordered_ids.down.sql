-- Reverts 0013_time_ordered_ids: random ids again (ids already given stay as they are).
ALTER TABLE leads ALTER COLUMN id SET DEFAULT gen_random_uuid();
ALTER TABLE lead_audit_log ALTER COLUMN id SET DEFAULT gen_random_uuid();
ALTER TABLE lead_status_history ALTER COLUMN id SET DEFAULT gen_random_uuid();
ALTER TABLE lead_score_history ALTER COLUMN id SET DEFAULT gen_random_uuid();
ALTER TABLE lead_assignments ALTER COLUMN id SET DEFAULT gen_random_uuid();
ALTER TABLE lead_sequence_enrollments ALTER COLUMN id SET DEFAULT gen_random_uuid();
ALTER TABLE interactions ALTER COLUMN id SET DEFAULT gen_random_uuid();
ALTER TABLE compliance_log ALTER COLUMN id SET DEFAULT gen_random_uuid();
ALTER TABLE calls ALTER COLUMN id SET DEFAULT gen_random_uuid();
ALTER TABLE budget_transactions ALTER COLUMN id SET DEFAULT gen_random_uuid();
DROP FUNCTION app_new_id();
