-- Reverts 0003_leads: the candidate and cursor functions, the tag cap and the merge columns.

DROP FUNCTION leads_tag_ids(text[], int);
DROP FUNCTION leads_search_ids(text, int);
DROP FUNCTION app_rfc3339_micro(timestamptz);

ALTER TABLE leads DROP CONSTRAINT leads_tags_count_check;
ALTER TABLE leads
  DROP CONSTRAINT leads_merged_into_fkey,
  DROP COLUMN merged_from,
  DROP COLUMN merged_into;
