-- Reverts 0002_crm: tables in reverse dependency order (their policies, triggers, indexes
-- and grants go with them), then the functions, then pg_trgm when this role created it and
-- nothing else uses it.

DROP TABLE system_config;
DROP TABLE lead_score_history;
DROP TABLE lead_assignments;
DROP TABLE budget_transactions;
DROP TABLE segments;
DROP TABLE lead_sequence_enrollments;
DROP TABLE nurture_sequences;
DROP TABLE lead_source_costs;
DROP TABLE dnc_list;
DROP TABLE lead_status_history;
DROP TABLE lead_audit_log;
DROP TABLE leads;

DROP FUNCTION is_on_dnc_list(text, uuid);
DROP FUNCTION budget_transactions_balance();
DROP FUNCTION leads_after_update();
DROP FUNCTION leads_after_insert();
DROP FUNCTION leads_before_update();
DROP FUNCTION app_default_currency();

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension
             WHERE extname = 'pg_trgm' AND extowner = (SELECT oid FROM pg_roles
                                                       WHERE rolname = current_user)) THEN
    BEGIN
      DROP EXTENSION pg_trgm;
    EXCEPTION WHEN dependent_objects_still_exist THEN
      NULL;  -- something outside Leadline uses it: keep it
    END;
  END IF;
END
$$;
