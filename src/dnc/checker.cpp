#include "dnc/checker.h"

#include <spdlog/spdlog.h>

#include <unordered_set>

#include "db/connection.h"
#include "db/transaction.h"

namespace leadline::dnc {
namespace {

using db::Params;
using db::Query;
using db::Rows;

// Live entries only: an expired entry can only list the number again through an UPDATE,
// which notifies.
constexpr Query kLoadOrg{
    "dnc_checker_load_org",
    "SELECT phone, coalesce((extract(epoch FROM expires_at) * 1000000)::bigint, "
    "9223372036854775807) FROM dnc_list WHERE organization_id = $1 AND removed_at IS NULL "
    "AND (expires_at IS NULL OR expires_at > now())"};
constexpr Query kReadPhones{
    "dnc_checker_read_phones",
    "SELECT phone, coalesce((extract(epoch FROM expires_at) * 1000000)::bigint, "
    "9223372036854775807) FROM dnc_list WHERE organization_id = $1 AND phone = ANY($2::text[]) "
    "AND removed_at IS NULL"};

bool LooksLikeUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

db::TenantContext SystemTenant(const std::string& org) {
  db::TenantContext ctx;
  ctx.organization_id = org;
  ctx.change_source = "system";
  return ctx;
}

}  // namespace

int64_t ToUnixMicros(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

DncChecker::DncChecker(db::Pool& pool, CheckerOptions options) : pool_(pool), options_(options) {
  thread_ = std::thread([this] { Run(); });
}

DncChecker::~DncChecker() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

bool DncChecker::WaitUntilReady(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return ready_cv_.wait_for(lock, timeout, [&] {
    return listening_.load() && (!options_.load_national || national_ != nullptr);
  });
}

DncChecker::Stats DncChecker::stats() {
  std::lock_guard lock(mu_);
  Stats s;
  s.organizations = orgs_.size();
  for (const auto& [id, e] : orgs_) s.memory_bytes += e.list->memory_bytes();
  if (national_) {
    s.memory_bytes += national_->memory_bytes();
    s.national_numbers = static_cast<int64_t>(national_->numbers());
  }
  s.notifications = notifications_.load();
  s.reconnects = reconnects_.load();
  return s;
}

Result<std::shared_ptr<const OrgList>> DncChecker::LoadOrg(const std::string& org) {
  ASSIGN_OR_RETURN(auto tx, db::Transaction::Begin(pool_, SystemTenant(org)));
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(kLoadOrg, Params().Add(org)));
  RETURN_IF_ERROR(tx.Commit());
  std::vector<std::pair<uint64_t, int64_t>> entries;
  entries.reserve(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    if (auto key = PhoneKey(rows.Get(i, 0))) entries.emplace_back(*key, rows.GetInt(i, 1));
  }
  return std::make_shared<const OrgList>(entries);
}

Result<DncView> DncChecker::View(const std::string& org) {
  auto usable = [&](const OrgEntry& e) {
    if (e.epoch != 0) return listening_.load() && e.epoch == epoch_;
    return std::chrono::steady_clock::now() - e.loaded_at < options_.unlistened_ttl;
  };
  {
    std::lock_guard lock(mu_);
    auto it = orgs_.find(org);
    if (it != orgs_.end() && usable(it->second)) return DncView(it->second.list, national_);
  }
  if (!LooksLikeUuid(org)) return NotFound("unknown organization");
  std::lock_guard apply(apply_mu_);
  uint64_t epoch;
  {
    std::lock_guard lock(mu_);
    auto it = orgs_.find(org);
    if (it != orgs_.end() && usable(it->second)) return DncView(it->second.list, national_);
    epoch = listening_.load() ? epoch_ : 0;
  }
  ASSIGN_OR_RETURN(auto list, LoadOrg(org));
  std::lock_guard lock(mu_);
  // A reconnect while loading means notifications may have been missed: keep it unverified.
  if (epoch != 0 && (epoch != epoch_ || !listening_.load())) epoch = 0;
  orgs_[org] = OrgEntry{list, epoch, std::chrono::steady_clock::now()};
  return DncView(list, national_);
}

Status DncChecker::Refresh(const std::string& org, std::string_view phone) {
  std::lock_guard apply(apply_mu_);
  return ApplyLocked(org, {std::string(phone)});
}

Status DncChecker::ApplyLocked(const std::string& org, const std::vector<std::string>& phones) {
  {
    std::lock_guard lock(mu_);
    if (!orgs_.contains(org)) return Status::Ok();  // loaded fresh on first use
  }
  std::string array = "{";
  std::unordered_set<uint64_t> wanted;
  for (const auto& p : phones) {
    auto key = PhoneKey(p);
    if (!key || !wanted.insert(*key).second) continue;
    if (array.size() > 1) array += ',';
    array += p;
  }
  array += '}';
  if (wanted.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(auto tx, db::Transaction::Begin(pool_, SystemTenant(org)));
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(kReadPhones, Params().Add(org).Add(array)));
  RETURN_IF_ERROR(tx.Commit());
  std::vector<std::pair<uint64_t, int64_t>> changes;
  for (int i = 0; i < rows.size(); ++i) {
    auto key = PhoneKey(rows.Get(i, 0));
    if (!key) continue;
    changes.emplace_back(*key, rows.GetInt(i, 1));
    wanted.erase(*key);
  }
  for (uint64_t key : wanted) changes.emplace_back(key, kRemoved);
  std::lock_guard lock(mu_);
  auto it = orgs_.find(org);
  if (it != orgs_.end()) it->second.list = it->second.list->With(changes);
  return Status::Ok();
}

void DncChecker::ReloadNational() {
  if (!options_.load_national) return;
  std::lock_guard serial(national_mu_);
  std::shared_ptr<const NationalSnapshot> base;
  {
    std::lock_guard lock(mu_);
    base = national_;
  }
  auto started = std::chrono::steady_clock::now();
  auto next = ReadRegistrySnapshot(pool_, base);
  if (!next.ok()) {
    spdlog::warn("dnc: reading the national registry failed: {}", next.status().message());
    return;
  }
  if (!base || (*next)->version() != base->version()) {
    spdlog::info("dnc: national registry snapshot: {} area codes, {} numbers, read in {:.1f} s",
                 (*next)->area_codes(), (*next)->numbers(),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  {
    std::lock_guard lock(mu_);
    national_ = *next;
  }
  ready_cv_.notify_all();
}

void DncChecker::ProcessBatch(const std::vector<std::string>& payloads) {
  std::unordered_map<std::string, std::vector<std::string>> phones_by_org;
  std::unordered_set<std::string> reload;
  bool national = false;
  for (const auto& p : payloads) {
    size_t colon = p.find(':');
    if (colon == std::string::npos) continue;
    std::string org = p.substr(0, colon);
    std::string rest = p.substr(colon + 1);
    if (org == "national") {
      national = true;
    } else if (rest == "*") {
      reload.insert(org);
    } else {
      phones_by_org[org].push_back(rest);
    }
  }
  if (national) ReloadNational();
  std::lock_guard apply(apply_mu_);
  if (!reload.empty()) {
    std::lock_guard lock(mu_);
    for (const auto& org : reload) orgs_.erase(org);
  }
  for (const auto& [org, phones] : phones_by_org) {
    if (reload.contains(org)) continue;
    Status st = ApplyLocked(org, phones);
    if (!st.ok()) {
      // Cannot tell what changed: forget the organization so that it is read again.
      spdlog::warn("dnc: applying a change failed ({}); reloading the organization", st.message());
      std::lock_guard lock(mu_);
      orgs_.erase(org);
    }
  }
}

void DncChecker::Run() {
  const db::PoolOptions& po = pool_.options();
  bool first = true;
  while (!stop_) {
    if (!first) {
      reconnects_++;
      for (auto waited = std::chrono::milliseconds(0); !stop_ && waited < options_.reconnect_delay;
           waited += std::chrono::milliseconds(50)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (stop_) break;
    }
    first = false;
    auto conn = db::Connection::Open(po.conninfo);
    if (!conn.ok()) {
      spdlog::warn("dnc: listener cannot connect: {}", conn.status().message());
      continue;
    }
    Status st;
    if (!po.role.empty()) st = (*conn)->ExecScript("SET ROLE " + db::QuoteIdentifier(po.role));
    if (st.ok()) st = (*conn)->ExecScript(std::string("LISTEN ") + kChannel);
    if (!st.ok()) {
      spdlog::warn("dnc: listener cannot LISTEN: {}", st.message());
      continue;
    }
    {
      // Everything cached may have missed notifications while we were away.
      std::lock_guard apply(apply_mu_);
      std::lock_guard lock(mu_);
      orgs_.clear();
      ++epoch_;
      listening_ = true;
    }
    ready_cv_.notify_all();
    ReloadNational();
    std::vector<std::string> batch;
    while (!stop_) {
      auto n = (*conn)->WaitForNotification(200);
      if (!n.ok()) {
        spdlog::warn("dnc: listener lost its connection: {}", n.status().message());
        break;
      }
      if (!n->has_value()) {
        if ((*conn)->IsBroken()) break;
        continue;
      }
      batch.clear();
      batch.push_back(std::move((*n)->payload));
      // Drain what is already there, so a burst becomes one update per organization.
      while (batch.size() < 10000) {
        auto more = (*conn)->WaitForNotification(0);
        if (!more.ok() || !more->has_value()) break;
        batch.push_back(std::move((*more)->payload));
      }
      notifications_ += batch.size();
      ProcessBatch(batch);
    }
    listening_ = false;
  }
  listening_ = false;
}

}  // namespace leadline::dnc
