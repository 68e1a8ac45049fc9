-- Reverts 0016_connector_schedules: connectors sync only when asked.
DROP FUNCTION connector_due_syncs(integer);
DROP FUNCTION connector_sync_is_due(uuid);
DROP FUNCTION connector_sync_due_at(crm_connectors);
DROP INDEX crm_connectors_scheduled_idx;
ALTER TABLE crm_connectors DROP COLUMN sync_every_minutes;
