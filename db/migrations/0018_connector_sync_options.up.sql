-- 0018_connector_sync_options: the options a connector's syncs run with when a request names
-- none, and that its scheduled syncs always run with: {"dedupe", "update_mode", "dnc", "tags",
-- "owner_id"}, as the API shows them. '{}' (and any member left out) means the defaults:
-- update, overwrite, flag, no tags, no owner.
ALTER TABLE crm_connectors ADD COLUMN sync_options jsonb NOT NULL DEFAULT '{}'
  CONSTRAINT crm_connectors_sync_options_object CHECK (jsonb_typeof(sync_options) = 'object');
