-- Reverts 0018_connector_sync_options: scheduled syncs go back to the default options.
ALTER TABLE crm_connectors DROP COLUMN sync_options;
