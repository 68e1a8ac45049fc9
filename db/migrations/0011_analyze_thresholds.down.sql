-- Reverts 0011_analyze_thresholds: PostgreSQL's default analyse thresholds.
ALTER TABLE leads RESET (autovacuum_analyze_threshold, autovacuum_analyze_scale_factor);
ALTER TABLE dnc_list RESET (autovacuum_analyze_threshold, autovacuum_analyze_scale_factor);
