-- GET /api/tags, database only: the organization's tag totals and pending deltas (0007),
-- summed per tag, as the superuser.
SELECT a.tag, sum(a.n) AS n FROM (
  SELECT c.tag, c.count AS n FROM lead_tag_counts c WHERE c.organization_id = :org::uuid
  UNION ALL
  SELECT d.tag, d.delta FROM lead_tag_count_deltas d WHERE d.organization_id = :org::uuid) a
GROUP BY a.tag HAVING sum(a.n) > 0 ORDER BY n DESC, a.tag LIMIT 51;
