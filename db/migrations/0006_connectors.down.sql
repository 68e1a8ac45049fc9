-- Reverts 0006_connectors.
DROP TABLE crm_connectors;
