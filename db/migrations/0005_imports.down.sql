-- Reverts 0005_imports.
DROP FUNCTION import_release_job(uuid);
DROP FUNCTION import_claim_job(uuid);
DROP TABLE import_rows;
DROP TABLE import_jobs;
DROP FUNCTION app_text_array_union(text[], text[]);
