// Deterministic synthetic CRM data for benchmarks: organizations, users, leads and their
// status-history and audit rows, produced as PostgreSQL COPY text. Pure computation (no
// database), so the same seed always gives the same rows and tests can check the shape.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace leadline::benchdata {

// splitmix64: tiny, fast and good enough to draw synthetic attributes. Not for secrets.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform in [0, n); n > 0.
  uint64_t Below(uint64_t n);
  // Uniform in [0, 1).
  double Unit();
  bool Chance(double p) { return Unit() < p; }

 private:
  uint64_t state_;
};

// Hashes several values into one seed, so every (organization, lead, purpose) gets its own
// independent random stream and a lead can be regenerated on its own.
uint64_t MixSeed(uint64_t a, uint64_t b, uint64_t c = 0, uint64_t d = 0);

struct Uuid {
  uint64_t hi = 0;
  uint64_t lo = 0;
  static Uuid Random(Rng& rng);  // version 4 layout
  void AppendTo(std::string& out) const;
  std::string ToString() const;
  bool operator==(const Uuid&) const = default;
};

enum class LeadStatus : uint8_t {
  kNew,
  kContacted,
  kQualified,
  kNurturing,
  kAppointmentSet,
  kConverted,
  kLost
};
inline constexpr int kStatusCount = 7;
std::string_view StatusName(LeadStatus s);

// Appends "YYYY-MM-DD HH:MM:SS.ffffff+00" for microseconds since the Unix epoch.
void AppendTimestamp(std::string& out, int64_t unix_us);
// Appends an interval as "H:MM:SS.ffffff" (hours unbounded), the text COPY reads.
void AppendInterval(std::string& out, int64_t us);

struct UserPlan {
  Uuid id;
  std::string email;
  std::string name;
  std::string_view role;  // admin, manager or agent
};

struct OrgPlan {
  int index = 0;  // 0 is the large organization
  Uuid id;
  std::string name;
  std::string slug;  // used in user emails: admin@<slug>.bench.test
  int64_t leads = 0;
  int64_t history = 0;     // lead_status_history rows of this organization
  int64_t audit = 0;       // lead_audit_log rows of this organization
  int64_t phone_base = 0;  // first global phone ordinal (phones are unique across organizations)
  std::vector<UserPlan> users;  // [0] admin, [1] manager, then agents
};

struct PlanOptions {
  int organizations = 10;
  int64_t leads = 1'000'000;     // in the large organization; each other one gets 1% of it
  int64_t history = 10'000'000;  // over all organizations, proportional to their leads
  int64_t audit = 5'000'000;
  uint64_t seed = 1;
  int64_t now_us = 0;  // every generated timestamp is at or before this instant
};

struct Plan {
  uint64_t seed = 0;
  int64_t now_us = 0;
  std::vector<OrgPlan> orgs;
  int64_t total_leads() const;
};

Plan MakePlan(const PlanOptions& options);

// The largest number of distinct phones the generator can produce.
int64_t PhoneCapacity();
// The i-th phone of the generator's bijection: "+1NPANXXXXXX", unique for 0 <= i < capacity.
std::string PhoneNumber(uint64_t seed, int64_t ordinal);

// One status change of a lead (a lead_status_history row).
struct StatusStep {
  int from = -1;  // LeadStatus, -1 for the first row
  LeadStatus to = LeadStatus::kNew;
  int64_t at_us = 0;
  int changed_by = -1;  // index into the organization's users, -1 = none
  std::string_view triggered_by;
  Uuid id;
};

// One lead_audit_log row.
struct AuditEvent {
  enum class Kind : uint8_t { kCreate, kStatus, kScore, kTags, kAssign, kDelete };
  Kind kind = Kind::kCreate;
  int64_t at_us = 0;
  int step = 0;  // kStatus: index into steps
  int actor = -1;
  int detail = 0;  // kind-specific small number (old score, tag, assignee)
  Uuid id;
};

struct Lead {
  int64_t index = 0;
  Uuid id;
  LeadStatus status = LeadStatus::kNew;
  int64_t created_us = 0;
  int64_t status_changed_us = 0;
  int64_t updated_us = 0;
  int64_t deleted_us = -1;  // -1 = live
  int64_t last_contacted_us = -1;
  std::string_view first_name;
  std::string_view last_name;
  std::string email;          // empty = none
  std::string phone;          // empty = none
  std::string_view timezone;  // empty = none
  std::string_view source;
  std::array<uint8_t, 4> tags{};
  int tag_count = 0;
  int score = 0;
  int score_factors = -1;  // -1 = NULL, else a seed for the factor values
  int assignee = -1;       // index into users
  int creator = -1;
  int company = -1;
  int title = -1;
  int campaign = -1;
  int version = 1;
  int user_agent = 0;
  int client_ip = -1;  // last octet, -1 = NULL
  std::vector<StatusStep> steps;
  std::vector<AuditEvent> audit;
};

// Walks one organization's leads in order. Each lead's attributes, history and audit rows
// are regenerated from the seed, so the three tables can be streamed in three passes without
// keeping anything in memory. Counts: exactly org.history history rows and org.audit audit rows
// over the whole walk.
class LeadCursor {
 public:
  LeadCursor(const Plan& plan, const OrgPlan& org);

  // Moves to the next lead; false after the last one.
  bool Next();
  const Lead& lead() const { return lead_; }

  // COPY text (tab-separated, one line per row) for the current lead, in the column order of
  // kLeadColumns / kHistoryColumns / kAuditColumns.
  void AppendLeadRow(std::string& out) const;
  void AppendHistoryRows(std::string& out) const;
  void AppendAuditRows(std::string& out) const;

 private:
  struct Core {
    int64_t created_us;
    LeadStatus status;
    uint32_t history_weight;
  };
  Core MakeCore(int64_t i) const;
  void Fill(int64_t i, const Core& core, int64_t history_rows, int64_t audit_rows);
  void AppendUserOrNull(std::string& out, int user) const;

  const Plan& plan_;
  const OrgPlan& org_;
  int64_t next_ = 0;
  // Exact apportioning of the organization's history and audit rows over its leads: lead i
  // gets floor(H * W(i+1) / W) - floor(H * W(i) / W), W being prefix sums of its weight.
  uint64_t history_weight_total_ = 0;
  uint64_t history_weight_seen_ = 0;
  uint64_t audit_weight_seen_ = 0;
  Lead lead_;
};

inline constexpr char kLeadColumns[] =
    "organization_id, id, first_name, last_name, email, phone, company, title, status, source, "
    "source_metadata, tags, lead_score, lead_score_factors, assigned_to, timezone, metadata, "
    "status_changed_at, last_contacted_at, created_by, created_at, updated_at, deleted_at, "
    "version";
inline constexpr char kHistoryColumns[] =
    "organization_id, id, lead_id, from_status, to_status, changed_at, triggered_by, changed_by, "
    "time_in_previous_status";
inline constexpr char kAuditColumns[] =
    "organization_id, id, lead_id, action, changes, actor_id, client_ip, user_agent, occurred_at";
inline constexpr char kUserColumns[] =
    "organization_id, id, email, password_hash, role, name, created_at";

// COPY text for the plan's users, all sharing one password hash.
void AppendUserRows(const Plan& plan, std::string_view password_hash, std::string& out);

}  // namespace leadline::benchdata
