-- Reverts 0019_import_rows_lead_index.
DROP INDEX IF EXISTS import_rows_lead_idx;
