// SQL of the compliance domain. Every function runs inside the caller's tenant transaction
// (row-level security applies) and filters by app_current_org() explicitly as well.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "db/transaction.h"
#include "dnc/model.h"

namespace leadline::dnc::repo {

// The organization's default region for national phone input ("US").
Result<std::string> DefaultRegion(db::Transaction& tx);

// --- organization list ---
// The entry that holds the number's slot (not removed; possibly expired), locked.
Result<std::optional<DncEntry>> LockLiveEntry(db::Transaction& tx, const std::string& phone);
Status MarkRemoved(db::Transaction& tx, const std::string& id, const std::string& reason);
struct NewEntry {
  std::string phone;
  std::optional<std::string> reason;
  std::string source;
  std::optional<std::string> expires_at;  // RFC 3339
};
Result<DncEntry> InsertEntry(db::Transaction& tx, const NewEntry& e);
Result<std::optional<DncEntry>> GetEntry(db::Transaction& tx, const std::string& id);
struct ListFilter {
  bool include_all = false;  // removed and expired entries too
  std::optional<std::string> phone;
  std::optional<std::pair<int64_t, std::string>> after;  // cursor: (created_us, id)
  int limit = 50;
};
Result<std::vector<DncEntry>> ListEntries(db::Transaction& tx, const ListFilter& f);
// Lifts a live entry; nullopt when there is no entry with that id, the entry when it exists
// (already removed ones unchanged).
Result<std::optional<DncEntry>> RemoveEntry(db::Transaction& tx, const std::string& id,
                                            const std::optional<std::string>& reason);

// --- leads (read-only) ---
struct LeadContact {
  std::string id;
  std::optional<std::string> phone;
  std::optional<std::string> email;
  std::optional<std::string> timezone;
};
// Whether the RFC 3339 time `at` lies more than `leeway_seconds` after the database's now.
Result<bool> IsAfterNow(db::Transaction& tx, const std::string& at, int leeway_seconds);

// A live lead the caller may act on: `agent_id` set (auth::Principal::LeadsAgent), only one
// assigned to that agent or to nobody. Not found otherwise, exactly like a missing one.
Result<std::optional<LeadContact>> GetLead(db::Transaction& tx, const std::string& lead_id,
                                           const std::optional<std::string>& agent_id);
Result<std::optional<std::string>> FindLeadIdByPhone(db::Transaction& tx, const std::string& phone);

// --- gate inputs ---
struct OrgListing {
  std::string entry_id;
  std::string source;
  std::optional<std::string> expires_at;
};
// The entry listing `phone` at `now_us` (microseconds since the epoch), if any.
Result<std::optional<OrgListing>> OrgListingAt(db::Transaction& tx, const std::string& phone,
                                               int64_t now_us);
struct NationalState {
  bool listed = false;
  std::optional<std::string> as_of;  // YYYY-MM-DD of the area code's data
  int64_t age_days = 0;              // at `now_us`
};
Result<NationalState> NationalAt(db::Transaction& tx, const std::string& phone, int64_t now_us);
// The organization's compliance.national_registry_required setting (default true).
Result<bool> NationalRegistryRequired(db::Transaction& tx);
Status SetNationalRegistryRequired(db::Transaction& tx, bool required);
struct ConsentState {
  std::optional<std::string> consent_at;  // latest consent for the channel
  std::optional<std::string> revoked_at;  // latest revocation covering it
  std::optional<std::string> revocation_id;
  bool revoked = false;  // a revocation not followed by a new consent
};
Result<ConsentState> ConsentFor(db::Transaction& tx, const std::string& lead_id,
                                const std::string& channel);

// --- consent ---
Result<Consent> InsertConsent(db::Transaction& tx, const Consent& c);
Result<Revocation> InsertRevocation(db::Transaction& tx, const Revocation& r);
Result<std::vector<Consent>> ListConsents(db::Transaction& tx, const std::string& lead_id);
Result<std::vector<Revocation>> ListRevocations(db::Transaction& tx, const std::string& lead_id);

// --- interactions and review ---
struct NewInteraction {
  std::optional<std::string> lead_id;
  std::optional<std::string> phone;
  std::string channel;
  std::string direction;
  std::string body;
  std::string payload_json = "{}";
  std::optional<std::string> occurred_at;
};
// Returns (id, occurred_at).
Result<std::pair<std::string, std::string>> InsertInteraction(db::Transaction& tx,
                                                              const NewInteraction& i);
Status SetInteractionOptout(db::Transaction& tx, const std::string& id, const std::string& json);
Result<ReviewItem> InsertReview(db::Transaction& tx, const ReviewItem& r);
Result<std::vector<ReviewItem>> ListReview(db::Transaction& tx, const std::string& status,
                                           std::optional<std::pair<int64_t, std::string>> after,
                                           int limit);
Result<std::optional<ReviewItem>> LockReview(db::Transaction& tx, const std::string& id);
Result<ReviewItem> DecideReview(db::Transaction& tx, const std::string& id,
                                const std::string& status,
                                const std::optional<std::string>& dnc_entry_id);

// --- compliance log and calls ---
Result<ComplianceLogEntry> InsertLog(db::Transaction& tx, const ComplianceLogEntry& e,
                                     int64_t decided_us);
Result<std::vector<ComplianceLogEntry>> ListLog(
    db::Transaction& tx, const std::string& lead_id,
    std::optional<std::pair<int64_t, std::string>> after, int limit);
// Returns the call id.
Result<std::string> InsertCall(db::Transaction& tx, const std::string& lead_id,
                               const std::string& phone, const std::string& log_id);

}  // namespace leadline::dnc::repo
