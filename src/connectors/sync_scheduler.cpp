#include "connectors/sync_scheduler.h"

#include <spdlog/spdlog.h>

#include "connectors/connector_repository.h"

namespace leadline::connectors {
namespace {

// Due connectors taken per look; more wait for the next one.
constexpr int kDuePerLook = 100;

}  // namespace

void SyncScheduler::Start() {
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void SyncScheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<int> SyncScheduler::RunDue() {
  ASSIGN_OR_RETURN(std::vector<repo::DueSync> due, repo::DueSyncs(pool_, kDuePerLook));
  int queued = 0;
  for (const repo::DueSync& d : due) {
    Status st = queue_(d.organization_id, d.connector_id);
    if (st.ok()) {
      ++queued;
    } else if (st.code() != StatusCode::kConflict) {
      spdlog::warn("connectors: scheduled sync of {} not queued: {}", d.connector_id,
                   st.ToString());
    }
  }
  return queued;
}

void SyncScheduler::Loop() {
  while (true) {
    auto queued = RunDue();
    if (!queued.ok()) spdlog::warn("connectors: scheduler: {}", queued.status().ToString());
    std::unique_lock lock(mu_);
    if (wake_.wait_for(lock, poll_interval_, [this] { return stopping_; })) return;
  }
}

}  // namespace leadline::connectors
