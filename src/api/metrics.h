// Request counters and latency histogram, rendered in Prometheus text format. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>

namespace leadline::api {

class Metrics {
 public:
  void Observe(std::string_view method, int status, double seconds);
  std::string Render() const;

 private:
  static constexpr std::array<double, 10> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025,  0.05,  0.1,    0.5,   2.5};
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;  // GUARDED_BY(mu_)
  std::array<uint64_t, kBuckets.size()> bucket_counts_{};     // GUARDED_BY(mu_)
  uint64_t count_ = 0;                                        // GUARDED_BY(mu_)
  double sum_ = 0;                                            // GUARDED_BY(mu_)
};

}  // namespace leadline::api
