-- 0019_import_rows_lead_index: the rows of an import that matched a lead, by the lead.
--
-- Under dedupe=update, a row that matches (by phone or email) a lead an earlier row of the
-- import already matched repeats that row: within one batch the first row wins and the later
-- one is skipped as a duplicate. This index lets a batch find the rows of earlier batches that
-- matched its leads, so that the same file gives the same outcomes whatever its batch
-- boundaries. Only rows that did not create a lead are kept in import_rows, so the index
-- stays small next to leads.
CREATE INDEX import_rows_lead_idx ON import_rows (organization_id, import_id, lead_id)
  WHERE lead_id IS NOT NULL AND error IS NULL;
