// Scheduled connector syncs: a thread that, every poll interval, queues the sync of each
// connector (of any organization) whose schedule says it is due. Several servers may run one
// each: a sync is queued under the connector's row lock after re-checking that it is due, so a
// period is synced once. See docs/connectors.md.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "core/status.h"
#include "db/pool.h"

namespace leadline::connectors {

class SyncScheduler {
 public:
  // Queues the scheduled sync of the connector in the organization; kConflict when it turned
  // out not to be due any more (another server queued it), which the scheduler passes over.
  using QueueScheduledSync =
      std::function<Status(const std::string& organization_id, const std::string& connector_id)>;

  SyncScheduler(db::Pool& pool, QueueScheduledSync queue, std::chrono::milliseconds poll_interval)
      : pool_(pool), queue_(std::move(queue)), poll_interval_(poll_interval) {}
  SyncScheduler(const SyncScheduler&) = delete;
  SyncScheduler& operator=(const SyncScheduler&) = delete;
  ~SyncScheduler() { Stop(); }

  // Starts the thread (first look at once). Start and Stop are not thread-safe together.
  void Start();
  // Returns once the thread has stopped; the destructor stops it too.
  void Stop();

  // One look: queues every due sync; returns how many were queued. Thread-safe.
  Result<int> RunDue();

 private:
  void Loop();

  db::Pool& pool_;
  QueueScheduledSync queue_;
  std::chrono::milliseconds poll_interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace leadline::connectors
