// The in-process Do-Not-Call checker: each organization's list and the national registry held
// in memory as exact sets, kept in step with PostgreSQL through LISTEN/NOTIFY so that every
// server process on one database answers like is_on_dnc_list within about a second.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "db/pool.h"
#include "dnc/phone_set.h"
#include "dnc/registry.h"

namespace leadline::dnc {

// The notification channel fed by dnc_list's triggers and the registry loader (0004).
inline constexpr char kChannel[] = "leadline_dnc";

// Microseconds since the Unix epoch of a system_clock time point (expiry comparisons).
int64_t ToUnixMicros(std::chrono::system_clock::time_point t);

// What the checker knows at one moment for one organization. Cheap to copy; valid as long as
// it is held (it keeps its sets alive). Lookups are lock-free: one or two hash probes for the
// organization's list, one bit test for the national registry.
class DncView {
 public:
  DncView() = default;
  DncView(std::shared_ptr<const OrgList> org, std::shared_ptr<const NationalSnapshot> national)
      : org_(std::move(org)), national_(std::move(national)) {}

  // `key` from PhoneKey; `now_us` from ToUnixMicros. An entry past its expiry does not count.
  bool OnOrganizationList(uint64_t key, int64_t now_us) const {
    return org_ != nullptr && org_->Contains(key, now_us);
  }
  bool OnNationalRegistry(uint64_t key) const {
    return national_ != nullptr && national_->Contains(key);
  }
  // False while the registry snapshot is still being read at start-up: callers then ask the
  // database (dnc_on_national_registry) instead.
  bool national_ready() const { return national_ != nullptr; }
  const NationalSnapshot* national() const { return national_.get(); }

 private:
  std::shared_ptr<const OrgList> org_;
  std::shared_ptr<const NationalSnapshot> national_;
};

struct CheckerOptions {
  // While the listener is disconnected an organization's list is re-read from the database
  // when older than this, so answers are never staler than it.
  std::chrono::milliseconds unlistened_ttl{1000};
  std::chrono::milliseconds reconnect_delay{500};
  bool load_national = true;
};

// Thread-safe. Owns one listener thread and its own database connection (from the pool's
// conninfo and role); reads go through `pool` under each organization's tenant, so row-level
// security applies to the checker too. Organizations are loaded on first use.
class DncChecker {
 public:
  explicit DncChecker(db::Pool& pool, CheckerOptions options = {});
  ~DncChecker();  // stops and joins the listener
  DncChecker(const DncChecker&) = delete;
  DncChecker& operator=(const DncChecker&) = delete;

  // The organization's current view, loading its list first when needed. Errors: the
  // database's (kUnavailable when it is down and nothing fresh enough is cached).
  Result<DncView> View(const std::string& organization_id);

  // Re-reads one number of one organization and applies it at once: a writer calls this after
  // committing so that its own process answers from the new state without waiting for the
  // notification (which arrives later and changes nothing).
  Status Refresh(const std::string& organization_id, std::string_view phone);

  // Reads registry area codes changed since the current snapshot and swaps them in. The
  // listener does this on every registry notification; a loader calls it to see its own load
  // at once. Serialised, so an older read never replaces a newer one.
  void ReloadNational();

  // True while the listener is connected and listening.
  bool listening() const { return listening_.load(); }
  // Blocks until listening (and, with load_national, the registry snapshot read) or timeout.
  bool WaitUntilReady(std::chrono::milliseconds timeout);

  struct Stats {
    size_t organizations = 0;
    size_t memory_bytes = 0;
    uint64_t notifications = 0;
    uint64_t reconnects = 0;
    int64_t national_numbers = 0;
  };
  Stats stats();

 private:
  struct OrgEntry {
    std::shared_ptr<const OrgList> list;
    uint64_t epoch = 0;  // listener epoch it was loaded in; 0 = loaded while not listening
    std::chrono::steady_clock::time_point loaded_at;
  };

  void Run();
  // Re-reads `phones` of `org` and applies them (caller holds apply_mu_).
  Status ApplyLocked(const std::string& org, const std::vector<std::string>& phones);
  Result<std::shared_ptr<const OrgList>> LoadOrg(const std::string& org);
  void ProcessBatch(const std::vector<std::string>& payloads);

  db::Pool& pool_;
  CheckerOptions options_;

  // Serialises (re-read, apply) pairs and loads, so that the last applied state of a number
  // is the last one read.
  std::mutex apply_mu_;
  std::mutex national_mu_;  // serialises ReloadNational

  mutable std::mutex mu_;
  std::unordered_map<std::string, OrgEntry> orgs_;    // GUARDED_BY(mu_)
  std::shared_ptr<const NationalSnapshot> national_;  // GUARDED_BY(mu_)
  uint64_t epoch_ = 0;                                // GUARDED_BY(mu_)
  std::condition_variable ready_cv_;

  std::atomic<bool> listening_{false};
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> notifications_{0};
  std::atomic<uint64_t> reconnects_{0};
  std::thread thread_;
};

}  // namespace leadline::dnc
