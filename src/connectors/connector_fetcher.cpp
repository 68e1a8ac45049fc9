#include "connectors/connector_fetcher.h"

#include <spdlog/spdlog.h>

#include "connectors/csv_writer.h"
#include "core/crypto.h"

namespace leadline::connectors {

Result<int64_t> FetchToCsv(Kind kind, const SourceQuery& query, const RetryPolicy& retry,
                           const RecordLayout& layout, const std::string& out_csv_path,
                           const std::function<bool(int64_t)>& progress) {
  CsvFileWriter out;
  RETURN_IF_ERROR(out.Open(out_csv_path));
  RETURN_IF_ERROR(out.WriteRow(layout.header()));
  int64_t records = 0;
  Status st = FetchRecords(kind, query, retry, [&](std::vector<CrmRecord>& page) -> Status {
    for (const CrmRecord& r : page) {
      RETURN_IF_ERROR(out.WriteRow(layout.Row(r)));
      ++records;
    }
    if (progress && !progress(records)) return Aborted("cancelled");
    return Status::Ok();
  });
  Status closed = out.Close();
  if (!st.ok()) return st;
  if (!closed.ok()) return closed;
  return records;
}

Result<imports::FetchResult> ConnectorFetcher::Fetch(const imports::FetchContext& ctx,
                                                     const std::string& out_csv_path) {
  if (!ctx.job.connector_id) return Internal("connector job without connector_id");
  if (ctx.job.kind != KindName(kind_)) {
    return Internal("job of kind " + ctx.job.kind + " given to the " +
                    std::string(KindName(kind_)) + " fetcher");
  }
  const SysTime started = options_.now ? options_.now() : std::chrono::system_clock::now();
  ASSIGN_OR_RETURN(SyncSource source, service_.LoadSyncSource(ctx.pool, ctx.tenant,
                                                              *ctx.job.connector_id, ctx.job.id));
  if (source.kind != kind_) return Internal("connector kind changed");

  RecordLayout layout(source.kind, source.mapping);
  SourceQuery query;
  query.base_url = source.base_url;
  if (source.refresh) {
    ASSIGN_OR_RETURN(query.token,
                     SalesforceAccessToken(source.base_url, *source.refresh, options_.retry));
  } else {
    query.token = source.token;
  }
  query.properties = layout.Properties();
  query.since = source.since;
  query.page_size = options_.page_size;
  query.search_window = options_.search_window;
  spdlog::info("connectors: job {} fetching from {} ({})", ctx.job.id, ProviderName(kind_),
               source.since ? "changes since " + FormatRfc3339(*source.since) : "full");
  auto records = FetchToCsv(source.kind, query, options_.retry, layout, out_csv_path, ctx.progress);
  crypto::Wipe(query.token);
  if (!records.ok()) {
    spdlog::info("connectors: job {} fetch failed: {}", ctx.job.id, records.status().message());
    return records.status();
  }
  imports::FetchResult result;
  result.records = *records;
  result.source_cursor = FormatRfc3339(started - options_.overlap);
  return result;
}

}  // namespace leadline::connectors
