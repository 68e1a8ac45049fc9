#include "api/metrics.h"

#include <fmt/format.h>

namespace leadline::api {

void Metrics::Observe(std::string_view method, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{std::string(method), status}];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++bucket_counts_[i];
  }
  ++count_;
  sum_ += seconds;
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  out += "# HELP leadline_http_requests_total HTTP requests by method and status.\n";
  out += "# TYPE leadline_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out += fmt::format("leadline_http_requests_total{{method=\"{}\",status=\"{}\"}} {}\n",
                       key.first, key.second, n);
  }
  out += "# HELP leadline_http_request_duration_seconds Time to answer a request.\n";
  out += "# TYPE leadline_http_request_duration_seconds histogram\n";
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    out += fmt::format("leadline_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                       kBuckets[i], bucket_counts_[i]);
  }
  out += fmt::format("leadline_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", count_);
  out += fmt::format("leadline_http_request_duration_seconds_sum {}\n", sum_);
  out += fmt::format("leadline_http_request_duration_seconds_count {}\n", count_);
  return out;
}

}  // namespace leadline::api
