-- Reverts 0007_lead_performance: the search page function, the per-status list index (back
-- to leads_status_idx) and the tag counts with their triggers.

DROP FUNCTION leads_search_page(text, int, text, boolean, text, uuid, uuid, int);

DROP INDEX leads_status_created_idx;
CREATE INDEX leads_status_idx ON leads (organization_id, status, created_at DESC)
  WHERE deleted_at IS NULL;

DROP TRIGGER tag_counts_truncate ON leads;
DROP TRIGGER tag_counts_delete ON leads;
DROP TRIGGER tag_counts_update ON leads;
DROP TRIGGER tag_counts_insert ON leads;
DROP FUNCTION lead_tag_counts_page(uuid, int, bigint, text);
DROP FUNCTION lead_tag_counts_rebuild(uuid);
DROP FUNCTION lead_tag_counts_truncate();
DROP FUNCTION lead_tag_count_deltas_append();
DROP FUNCTION lead_tag_counts_fold(uuid, int);
DROP TABLE lead_tag_count_deltas;
DROP TABLE lead_tag_counts;
