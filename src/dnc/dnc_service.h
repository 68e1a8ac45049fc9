// The organization's Do-Not-Call list (add, list, lift), number checks through the
// in-process checker, inbound interactions with opt-out detection and its review queue, and
// national registry uploads. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/principal.h"
#include "core/status.h"
#include "db/pool.h"
#include "dnc/checker.h"
#include "dnc/model.h"
#include "dnc/optout.h"
#include "dnc/registry.h"

namespace leadline::dnc {

// At most this many numbers per POST /api/dnc/check.
inline constexpr size_t kMaxBatch = 10000;

class DncService {
 public:
  DncService(db::Pool& pool, DncChecker& checker) : pool_(pool), checker_(checker) {}

  struct AddRequest {
    std::string phone;  // any form; normalised with the organization's default region
    std::optional<std::string> reason;
    std::optional<std::string> source;      // default "manual"
    std::optional<std::string> expires_at;  // RFC 3339, in the future
  };
  struct AddResult {
    DncEntry entry;
    bool created = false;  // false: the number was already listed (live entry returned)
  };
  // Idempotent: a number with a live entry returns that entry. A number whose entry expired is
  // listed again with a new entry, the old one marked removed ("expired, re-added"), in one
  // transaction. Errors: kValidationFailed naming the field.
  Result<AddResult> Add(const auth::Principal& p, const AddRequest& r);

  struct ListPage {
    std::vector<DncEntry> entries;
    std::optional<std::string> next_cursor;
  };
  // Newest first. `include_all` adds expired and removed entries (kept as records). Errors:
  // kInvalidArgument for a bad cursor or limit.
  Result<ListPage> List(const auth::Principal& p, bool include_all,
                        const std::optional<std::string>& phone,
                        const std::optional<std::string>& cursor, int limit);
  Result<DncEntry> Get(const auth::Principal& p, const std::string& id);
  // Admin only (kPermissionDenied otherwise). Sets removed_at/removed_by; the row stays.
  // Lifting an already removed entry is a no-op. kNotFound for unknown ids.
  Status Remove(const auth::Principal& p, const std::string& id,
                const std::optional<std::string>& reason);

  // Checks numbers against the organization's list and the national registry through the
  // in-process checker; results in input order. An input that is not a valid phone number
  // gets `error` set (the batch still succeeds). With `strict` every input is fully validated
  // (libphonenumber, ~30 us a number); without it an input already in E.164 form is looked up
  // as given after a syntactic check (for +1 numbers: area code and exchange start with 2-9),
  // which is what keeps a 10,000-number batch fast. Either way a listed number is found.
  Result<std::vector<CheckResult>> Check(const auth::Principal& p,
                                         const std::vector<std::string>& phones,
                                         bool strict = true);

  // --- interactions and opt-out ---
  struct InteractionRequest {
    std::optional<std::string> lead_id;
    std::optional<std::string> phone;
    std::string channel;    // sms, call, email, note
    std::string direction;  // inbound, outbound
    std::string body;
    std::string payload_json = "{}";
    std::optional<std::string> occurred_at;
  };
  struct InteractionResult {
    std::string id;
    std::optional<std::string> lead_id;
    std::optional<std::string> phone;
    std::string occurred_at;
    OptOutVerdict optout;
    std::string action;  // "dnc_added", "already_listed", "review", "none"
    std::optional<std::string> dnc_entry_id;
    std::optional<std::string> review_id;
  };
  // Stores the interaction; for inbound ones scans the text. A STOP keyword or a confident
  // phrase lists the number at once (source sms_stop / ai_opt_out); a weak one queues it for
  // review. The number is the given phone, else the lead's.
  Result<InteractionResult> RecordInteraction(const auth::Principal& p,
                                              const InteractionRequest& r);

  struct ReviewPage {
    std::vector<ReviewItem> items;
    std::optional<std::string> next_cursor;
  };
  Result<ReviewPage> ListReview(const auth::Principal& p, const std::string& status,
                                const std::optional<std::string>& cursor, int limit);
  // Accept lists the number (source ai_opt_out); dismiss closes the item. A decided item
  // cannot be decided again (kConflict).
  Result<ReviewItem> DecideReview(const auth::Principal& p, const std::string& id, bool accept);

  // --- national registry ---
  Result<RegistryLoadResult> UploadRegistry(const auth::Principal& p, std::string_view body,
                                            RegistryFileKind kind, const std::string& as_of,
                                            const std::string& source_name);
  Result<RegistryStatus> RegistryState();
  Result<bool> NationalRegistryRequired(const auth::Principal& p);
  Status SetNationalRegistryRequired(const auth::Principal& p, bool required);

  DncChecker& checker() { return checker_; }

 private:
  db::Pool& pool_;
  DncChecker& checker_;
};

// Cursor helpers shared by the compliance lists: "<created_us>.<uuid>".
std::string EncodeCursor(int64_t created_us, const std::string& id);
Result<std::optional<std::pair<int64_t, std::string>>> DecodeCursor(
    const std::optional<std::string>& cursor);

}  // namespace leadline::dnc
