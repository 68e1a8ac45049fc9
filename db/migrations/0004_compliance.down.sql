-- Reverts 0004_compliance: its tables in reverse dependency order, then its functions and
-- triggers, and is_on_dnc_list back to the organization list only (as 0002 defined it).

DROP TABLE calls;
DROP TABLE compliance_log;
DROP TABLE dnc_review_queue;
DROP TABLE interactions;
DROP TABLE lead_consent_revocations;
DROP TABLE lead_consents;

CREATE OR REPLACE FUNCTION is_on_dnc_list(p_phone text, p_organization_id uuid) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT EXISTS (
    SELECT 1 FROM dnc_list d
    WHERE d.organization_id = p_organization_id
      AND d.phone = p_phone
      AND d.removed_at IS NULL
      AND (d.expires_at IS NULL OR d.expires_at > now()))
$$;

DROP FUNCTION dnc_national_as_of(text);
DROP FUNCTION dnc_on_national_registry(text);
DROP FUNCTION dnc_registry_record_load(text, date, text, int, bigint, bigint, text);
DROP FUNCTION dnc_registry_put(int, bytea, int, date);
DROP TABLE dnc_registry_loads;
DROP TABLE dnc_registry_area_codes;
DROP SEQUENCE dnc_registry_version_seq;

DROP INDEX dnc_list_live_idx;
DROP TRIGGER notify_delete ON dnc_list;
DROP TRIGGER notify_update ON dnc_list;
DROP TRIGGER notify_insert ON dnc_list;
DROP FUNCTION dnc_list_notify();
