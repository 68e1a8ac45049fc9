#include "dnc/dnc_service.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <memory>

#include "core/rfc3339.h"
#include "core/utf8.h"
#include "core/uuid.h"
#include "db/transaction.h"
#include "dnc/compliance_gate.h"
#include "dnc/repository.h"
#include "http/json.h"
#include "phone/phone.h"

namespace leadline::dnc {
namespace {

constexpr db::Query kFuture{"dnc_is_future", "SELECT $1::timestamptz > now()"};
constexpr db::Query kNationalSql{
    "dnc_national_sql",
    "SELECT dnc_on_national_registry(p) FROM unnest($1::text[]) WITH ORDINALITY AS u(p, n) "
    "ORDER BY n"};

bool ValidSource(const std::string& s) {
  for (const char* k : kEntrySources) {
    if (s == k) return true;
  }
  return false;
}

// Lists `phone` in the current transaction unless a live entry exists. An expired entry
// still holds the unique slot, so it is marked removed first.
Result<std::pair<DncEntry, bool>> ListNumber(db::Transaction& tx, const repo::NewEntry& e) {
  ASSIGN_OR_RETURN(auto existing, repo::LockLiveEntry(tx, e.phone));
  if (existing && existing->active) return std::make_pair(*existing, false);
  if (existing) RETURN_IF_ERROR(repo::MarkRemoved(tx, existing->id, "expired, re-added"));
  ASSIGN_OR_RETURN(DncEntry entry, repo::InsertEntry(tx, e));
  return std::make_pair(std::move(entry), true);
}

// Runs `fn` in a transaction; a concurrent insert of the same number (unique violation) is
// retried, and then finds the other writer's entry.
Status WithListingRetry(db::Pool& pool, const db::TenantContext& ctx,
                        const std::function<Status(db::Transaction&)>& fn) {
  Status st;
  for (int attempt = 0; attempt < 3; ++attempt) {
    st = db::RunInTransaction(pool, ctx, fn);
    if (st.code() != StatusCode::kAlreadyExists || st.constraint() != "dnc_list_phone_key") {
      return st;
    }
  }
  return st;
}

// Already in the stored form: '+', 7-15 digits, and for NANP numbers an area code and an
// exchange that start with 2-9.
bool CanonicalE164(std::string_view s) {
  if (!phone::LooksLikeE164(s)) return false;
  if (s[1] != '1') return true;
  return s.size() == 12 && s[2] >= '2' && s[5] >= '2';
}

Status InvalidPhone(const Status& why) {
  return ValidationFailed("invalid phone number").AddFieldError("phone", why.message());
}

}  // namespace

std::string EncodeCursor(int64_t created_us, const std::string& id) {
  return std::to_string(created_us) + "." + id;
}

Result<std::optional<std::pair<int64_t, std::string>>> DecodeCursor(
    const std::optional<std::string>& cursor) {
  using Out = std::optional<std::pair<int64_t, std::string>>;
  if (!cursor || cursor->empty()) return Out();
  size_t dot = cursor->find('.');
  int64_t us = 0;
  if (dot == std::string::npos) return InvalidArgument("invalid cursor");
  auto [ptr, ec] = std::from_chars(cursor->data(), cursor->data() + dot, us);
  std::string id = cursor->substr(dot + 1);
  if (ec != std::errc() || ptr != cursor->data() + dot || !IsUuid(id)) {
    return InvalidArgument("invalid cursor");
  }
  return Out(std::make_pair(us, id));
}

Result<DncService::AddResult> DncService::Add(const auth::Principal& p, const AddRequest& r) {
  Status invalid = ValidationFailed("invalid Do-Not-Call entry");
  std::string source = r.source.value_or("manual");
  if (!ValidSource(source)) {
    invalid.AddFieldError("source",
                          "must be one of manual, sms_stop, ai_opt_out, import, "
                          "complaint, api, national, other");
  }
  if (r.reason && Utf8Length(*r.reason) > 1000)
    invalid.AddFieldError("reason", "at most 1000 characters");
  if (r.expires_at && !IsRfc3339(*r.expires_at)) {
    invalid.AddFieldError("expires_at", "must be an RFC 3339 timestamp");
  }
  if (!invalid.field_errors().empty()) return invalid;

  AddResult result;
  RETURN_IF_ERROR(WithListingRetry(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(std::string region, repo::DefaultRegion(tx));
    auto e164 = phone::NormalizeToE164(r.phone, region);
    if (!e164.ok()) return InvalidPhone(e164.status());
    if (r.expires_at) {
      ASSIGN_OR_RETURN(db::Rows f, tx.Exec(kFuture, db::Params().Add(*r.expires_at)));
      if (!f.GetBool(0, 0)) {
        return ValidationFailed("invalid Do-Not-Call entry")
            .AddFieldError("expires_at", "must be in the future");
      }
    }
    ASSIGN_OR_RETURN(auto listed, ListNumber(tx, {*e164, r.reason, source, r.expires_at}));
    result.entry = std::move(listed.first);
    result.created = listed.second;
    return Status::Ok();
  }));
  if (Status st = checker_.Refresh(p.organization_id, result.entry.phone); !st.ok()) {
    spdlog::warn("dnc: refreshing the checker failed: {}", st.message());
  }
  return result;
}

Result<DncService::ListPage> DncService::List(const auth::Principal& p, bool include_all,
                                              const std::optional<std::string>& phone,
                                              const std::optional<std::string>& cursor, int limit) {
  if (limit < 1 || limit > 500) return InvalidArgument("limit must be between 1 and 500");
  ASSIGN_OR_RETURN(auto after, DecodeCursor(cursor));
  ASSIGN_OR_RETURN(auto tx, db::Transaction::Begin(pool_, p.Tenant()));
  repo::ListFilter f;
  f.include_all = include_all;
  f.after = after;
  f.limit = limit + 1;
  if (phone) {
    ASSIGN_OR_RETURN(std::string region, repo::DefaultRegion(tx));
    auto e164 = phone::NormalizeToE164(*phone, region);
    if (!e164.ok()) return InvalidPhone(e164.status());
    f.phone = *e164;
  }
  ASSIGN_OR_RETURN(auto entries, repo::ListEntries(tx, f));
  RETURN_IF_ERROR(tx.Commit());
  ListPage page;
  if (static_cast<int>(entries.size()) > limit) {
    entries.resize(static_cast<size_t>(limit));
    page.next_cursor = EncodeCursor(entries.back().created_us, entries.back().id);
  }
  page.entries = std::move(entries);
  return page;
}

Result<DncEntry> DncService::Get(const auth::Principal& p, const std::string& id) {
  if (!IsUuid(id)) return NotFound("no such Do-Not-Call entry");
  ASSIGN_OR_RETURN(auto tx, db::Transaction::Begin(pool_, p.Tenant()));
  ASSIGN_OR_RETURN(auto entry, repo::GetEntry(tx, id));
  RETURN_IF_ERROR(tx.Commit());
  if (!entry) return NotFound("no such Do-Not-Call entry");
  return *entry;
}

Status DncService::Remove(const auth::Principal& p, const std::string& id,
                          const std::optional<std::string>& reason) {
  if (!p.AtLeast(auth::Role::kAdmin)) {
    return PermissionDenied("only admins can remove Do-Not-Call entries");
  }
  if (!IsUuid(id)) return NotFound("no such Do-Not-Call entry");
  if (reason && Utf8Length(*reason) > 1000) {
    return ValidationFailed("invalid reason").AddFieldError("reason", "at most 1000 characters");
  }
  std::string phone;
  RETURN_IF_ERROR(db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(auto entry, repo::RemoveEntry(tx, id, reason));
    if (!entry) return NotFound("no such Do-Not-Call entry");
    phone = entry->phone;
    return Status::Ok();
  }));
  if (Status st = checker_.Refresh(p.organization_id, phone); !st.ok()) {
    spdlog::warn("dnc: refreshing the checker failed: {}", st.message());
  }
  return Status::Ok();
}

Result<std::vector<CheckResult>> DncService::Check(const auth::Principal& p,
                                                   const std::vector<std::string>& phones,
                                                   bool strict) {
  std::vector<CheckResult> out(phones.size());
  // National input needs the organization's region; E.164 input does not.
  std::string region;
  for (const auto& in : phones) {
    if (!in.starts_with('+')) {
      ASSIGN_OR_RETURN(auto tx, db::Transaction::Begin(pool_, p.Tenant()));
      ASSIGN_OR_RETURN(region, repo::DefaultRegion(tx));
      RETURN_IF_ERROR(tx.Commit());
      break;
    }
  }
  ASSIGN_OR_RETURN(DncView view, checker_.View(p.organization_id));
  const int64_t now_us = ToUnixMicros(std::chrono::system_clock::now());
  std::vector<size_t> need_national;  // indexes to ask the database about
  // Registry lookups are batched: ContainsBatch overlaps their cache misses.
  std::vector<size_t> national_index;
  std::vector<uint64_t> national_keys;
  national_index.reserve(phones.size());
  national_keys.reserve(phones.size());
  for (size_t i = 0; i < phones.size(); ++i) {
    CheckResult& r = out[i];
    r.input = phones[i];
    if (!strict && CanonicalE164(phones[i])) {
      r.phone = phones[i];
    } else {
      auto e164 = phone::NormalizeToE164(phones[i], region);
      if (!e164.ok()) {
        r.error = e164.status().message();
        continue;
      }
      r.phone = *e164;
    }
    auto key = PhoneKey(*r.phone);
    if (!key) {
      r.error = "not a valid phone number";
      continue;
    }
    if (view.OnOrganizationList(*key, now_us)) r.sources.emplace_back("organization");
    if (view.national_ready()) {
      national_index.push_back(i);
      national_keys.push_back(*key);
    } else {
      need_national.push_back(i);
    }
  }
  if (!national_keys.empty()) {
    std::unique_ptr<bool[]> listed(new bool[national_keys.size()]);
    view.national()->ContainsBatch(national_keys.data(), national_keys.size(), listed.get());
    for (size_t j = 0; j < national_keys.size(); ++j) {
      if (listed[j]) out[national_index[j]].sources.emplace_back("national");
    }
  }
  if (!need_national.empty()) {
    std::string array = "{";
    for (size_t i : need_national) {
      if (array.size() > 1) array += ',';
      array += *out[i].phone;
    }
    array += '}';
    ASSIGN_OR_RETURN(auto tx, db::Transaction::Begin(pool_, p.Tenant()));
    ASSIGN_OR_RETURN(db::Rows rows, tx.Exec(kNationalSql, db::Params().Add(array)));
    RETURN_IF_ERROR(tx.Commit());
    for (size_t j = 0; j < need_national.size() && static_cast<int>(j) < rows.size(); ++j) {
      if (rows.GetBool(static_cast<int>(j), 0))
        out[need_national[j]].sources.emplace_back("national");
    }
  }
  for (auto& r : out) r.on_dnc = !r.sources.empty();
  return out;
}

Result<DncService::InteractionResult> DncService::RecordInteraction(const auth::Principal& p,
                                                                    const InteractionRequest& r) {
  Status invalid = ValidationFailed("invalid interaction");
  if (r.channel != "sms" && r.channel != "call" && r.channel != "email" && r.channel != "note") {
    invalid.AddFieldError("channel", "must be one of sms, call, email, note");
  }
  if (r.direction != "inbound" && r.direction != "outbound") {
    invalid.AddFieldError("direction", "must be inbound or outbound");
  }
  if (r.lead_id && !IsUuid(*r.lead_id)) invalid.AddFieldError("lead_id", "must be a UUID");
  if (!r.lead_id && !r.phone) invalid.AddFieldError("phone", "phone or lead_id is required");
  if (r.occurred_at && !IsRfc3339(*r.occurred_at)) {
    invalid.AddFieldError("occurred_at", "must be an RFC 3339 timestamp");
  }
  if (!invalid.field_errors().empty()) return invalid;

  // Our own outbound messages carry "Reply STOP to opt out": only what the lead said counts.
  bool scan = r.direction == "inbound" || r.channel == "call" || r.channel == "note";
  OptOutVerdict verdict = scan ? DetectOptOut(r.body) : OptOutVerdict{};

  InteractionResult result;
  RETURN_IF_ERROR(WithListingRetry(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    result = InteractionResult{};
    result.optout = verdict;
    std::optional<std::string> phone;
    if (r.phone) {
      ASSIGN_OR_RETURN(std::string region, repo::DefaultRegion(tx));
      auto e164 = phone::NormalizeToE164(*r.phone, region);
      if (!e164.ok()) return InvalidPhone(e164.status());
      phone = *e164;
    }
    std::optional<std::string> lead_id = r.lead_id;
    if (lead_id) {
      ASSIGN_OR_RETURN(auto lead, repo::GetLead(tx, *lead_id, p.LeadsAgent()));
      if (!lead) return NotFound("no such lead");
      if (!phone) phone = lead->phone;
      result.lead_id = lead_id;
    } else if (phone) {
      // The interaction belongs to the lead with the number (opt-outs must reach it whoever
      // records them), but an agent who may not see that lead is not told which it is.
      ASSIGN_OR_RETURN(lead_id, repo::FindLeadIdByPhone(tx, *phone));
      if (lead_id) {
        ASSIGN_OR_RETURN(auto visible, repo::GetLead(tx, *lead_id, p.LeadsAgent()));
        if (visible) result.lead_id = lead_id;
      }
    }
    result.phone = phone;
    ASSIGN_OR_RETURN(auto inserted,
                     repo::InsertInteraction(tx, {lead_id, phone, r.channel, r.direction, r.body,
                                                  r.payload_json, r.occurred_at}));
    result.id = inserted.first;
    result.occurred_at = inserted.second;
    result.action = "none";
    if (phone && verdict.confident()) {
      bool keyword = verdict.kind == OptOutKind::kKeyword && r.channel == "sms";
      std::string reason = keyword ? "inbound SMS keyword " + verdict.matched
                                   : "opt-out phrase in " + r.channel + ": \"" +
                                         verdict.matched.substr(0, 200) + "\"";
      ASSIGN_OR_RETURN(
          auto listed,
          ListNumber(tx, {*phone, reason, keyword ? "sms_stop" : "ai_opt_out", std::nullopt}));
      result.action = listed.second ? "dnc_added" : "already_listed";
      result.dnc_entry_id = listed.first.id;
    } else if (phone && verdict.kind == OptOutKind::kWeak) {
      ReviewItem item;
      item.phone = *phone;
      item.lead_id = lead_id;
      item.interaction_id = result.id;
      item.excerpt = r.body.substr(0, 2000);
      item.matched = verdict.matched.substr(0, 200);
      item.confidence = verdict.confidence;
      ASSIGN_OR_RETURN(ReviewItem queued, repo::InsertReview(tx, item));
      result.action = "review";
      result.review_id = queued.id;
    }
    json::Writer w;
    w.BeginObject()
        .Field("kind", OptOutKindName(verdict.kind))
        .Field("matched", verdict.matched)
        .Key("confidence")
        .Double(verdict.confidence)
        .Field("action", result.action)
        .OptionalField("dnc_entry_id", result.dnc_entry_id)
        .OptionalField("review_id", result.review_id)
        .EndObject();
    return repo::SetInteractionOptout(tx, result.id, w.Take());
  }));
  if (result.dnc_entry_id && result.phone) {
    if (Status st = checker_.Refresh(p.organization_id, *result.phone); !st.ok()) {
      spdlog::warn("dnc: refreshing the checker failed: {}", st.message());
    }
  }
  return result;
}

Result<DncService::ReviewPage> DncService::ListReview(const auth::Principal& p,
                                                      const std::string& status,
                                                      const std::optional<std::string>& cursor,
                                                      int limit) {
  if (status != "pending" && status != "accepted" && status != "dismissed" && status != "all") {
    return InvalidArgument("status must be pending, accepted, dismissed or all");
  }
  if (limit < 1 || limit > 500) return InvalidArgument("limit must be between 1 and 500");
  ASSIGN_OR_RETURN(auto after, DecodeCursor(cursor));
  ASSIGN_OR_RETURN(auto tx, db::Transaction::Begin(pool_, p.Tenant()));
  ASSIGN_OR_RETURN(auto items, repo::ListReview(tx, status, after, limit + 1));
  RETURN_IF_ERROR(tx.Commit());
  ReviewPage page;
  if (static_cast<int>(items.size()) > limit) {
    items.resize(static_cast<size_t>(limit));
    page.next_cursor = EncodeCursor(items.back().created_us, items.back().id);
  }
  page.items = std::move(items);
  return page;
}

Result<ReviewItem> DncService::DecideReview(const auth::Principal& p, const std::string& id,
                                            bool accept) {
  if (!IsUuid(id)) return NotFound("no such review item");
  ReviewItem out;
  RETURN_IF_ERROR(WithListingRetry(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(auto item, repo::LockReview(tx, id));
    if (!item) return NotFound("no such review item");
    if (item->status != "pending") return Conflict("this item was already " + item->status);
    std::optional<std::string> entry_id;
    if (accept) {
      ASSIGN_OR_RETURN(
          auto listed,
          ListNumber(tx, {item->phone, "opt-out confirmed on review: \"" + item->matched + "\"",
                          "ai_opt_out", std::nullopt}));
      entry_id = listed.first.id;
    }
    ASSIGN_OR_RETURN(out, repo::DecideReview(tx, id, accept ? "accepted" : "dismissed", entry_id));
    return Status::Ok();
  }));
  if (accept) {
    if (Status st = checker_.Refresh(p.organization_id, out.phone); !st.ok()) {
      spdlog::warn("dnc: refreshing the checker failed: {}", st.message());
    }
  }
  return out;
}

Result<RegistryLoadResult> DncService::UploadRegistry(const auth::Principal& p,
                                                      std::string_view body, RegistryFileKind kind,
                                                      const std::string& as_of,
                                                      const std::string& source_name) {
  if (!p.AtLeast(auth::Role::kAdmin)) {
    return PermissionDenied("only admins can load the national registry");
  }
  if (body.empty()) return InvalidArgument("request body is empty");
  RegistryLoadOptions options;
  options.kind = kind;
  options.as_of = as_of;
  options.source_name = source_name;
  options.loaded_by = p.user_id;
  ASSIGN_OR_RETURN(RegistryLoadResult r, LoadRegistry(pool_, body, options));
  checker_.ReloadNational();  // this process answers from the new data at once
  return r;
}

Result<RegistryStatus> DncService::RegistryState() { return ReadRegistryStatus(pool_); }

Result<bool> DncService::NationalRegistryRequired(const auth::Principal& p) {
  ASSIGN_OR_RETURN(auto tx, db::Transaction::Begin(pool_, p.Tenant()));
  ASSIGN_OR_RETURN(bool required, repo::NationalRegistryRequired(tx));
  RETURN_IF_ERROR(tx.Commit());
  return required;
}

Status DncService::SetNationalRegistryRequired(const auth::Principal& p, bool required) {
  if (!p.AtLeast(auth::Role::kAdmin)) return PermissionDenied("only admins can change settings");
  return db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& tx) {
    return repo::SetNationalRegistryRequired(tx, required);
  });
}

}  // namespace leadline::dnc
