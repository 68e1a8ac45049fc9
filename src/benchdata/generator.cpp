// How the benchmark rows are drawn. Distributions aim at what a real-estate lead CRM holds:
// more leads recently than two years ago, a funnel of statuses that depends on a lead's
// age, Zipf-distributed tags, a few sources dominating, and long histories for leads that
// went far down the funnel.
#include "benchdata/generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

#include "benchdata/vocabulary.h"

namespace leadline::benchdata {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;
constexpr int64_t kSpanUs = 730 * kMicrosPerDay;  // leads were created over two years

constexpr std::string_view kStatusNames[kStatusCount] = {
    "new", "contacted", "qualified", "nurturing", "appointment_set", "converted", "lost"};

// Purposes of the per-lead random streams.
enum Stream : uint64_t { kCoreStream = 1, kDetailStream, kHistoryStream, kAuditStream };

// Every phone is +1 NPA NXX XXXX. NXX runs over 200..999 without the N11 service codes and
// 555, and the ordinal is scrambled by an affine map modulo the capacity so that consecutive
// leads do not get consecutive numbers.
struct PhoneSpace {
  std::vector<int> exchanges;
  int64_t capacity = 0;
  PhoneSpace() {
    for (int nxx = 200; nxx <= 999; ++nxx) {
      if (nxx % 100 == 11 || nxx == 555) continue;
      exchanges.push_back(nxx);
    }
    capacity =
        static_cast<int64_t>(AreaCodes().size()) * static_cast<int64_t>(exchanges.size()) * 10'000;
  }
};

const PhoneSpace& Phones() {
  static const PhoneSpace space;
  return space;
}

// Cumulative Zipf (s = 1) weights of the tag vocabulary, scaled to integers.
const std::vector<uint64_t>& TagCumulative() {
  static const std::vector<uint64_t> cumulative = [] {
    std::vector<uint64_t> c;
    uint64_t sum = 0;
    for (size_t r = 0; r < Tags().size(); ++r) {
      sum += static_cast<uint64_t>(1'000'000.0 / static_cast<double>(r + 1));
      c.push_back(sum);
    }
    return c;
  }();
  return cumulative;
}

int PickCumulative(Rng& rng, const std::vector<uint64_t>& cumulative) {
  uint64_t x = rng.Below(cumulative.back());
  return static_cast<int>(std::upper_bound(cumulative.begin(), cumulative.end(), x) -
                          cumulative.begin());
}

std::string_view PickSource(Rng& rng) {
  static const uint32_t total = [] {
    uint32_t t = 0;
    for (const Weighted& w : Sources()) t += w.weight;
    return t;
  }();
  uint64_t x = rng.Below(total);
  for (const Weighted& w : Sources()) {
    if (x < w.weight) return w.value;
    x -= w.weight;
  }
  return Sources().back().value;
}

template <size_t N>
int PickWeighted(Rng& rng, const std::array<uint32_t, N>& weights) {
  uint32_t total = std::accumulate(weights.begin(), weights.end(), 0u);
  uint64_t x = rng.Below(total);
  for (size_t i = 0; i < N; ++i) {
    if (x < weights[i]) return static_cast<int>(i);
    x -= weights[i];
  }
  return static_cast<int>(N - 1);
}

// The status mix depends on age: fresh leads are mostly untouched, old ones have been worked
// to an outcome.
LeadStatus PickStatus(Rng& rng, int64_t age_us) {
  using W = std::array<uint32_t, kStatusCount>;
  static constexpr W kFresh = {75, 20, 4, 1, 0, 0, 0};        // < 3 days
  static constexpr W kRecent = {35, 30, 15, 10, 5, 1, 4};     // < 30 days
  static constexpr W kSettled = {10, 18, 12, 22, 6, 10, 22};  // older
  const W& w = age_us < 3 * kMicrosPerDay    ? kFresh
               : age_us < 30 * kMicrosPerDay ? kRecent
                                             : kSettled;
  return static_cast<LeadStatus>(PickWeighted(rng, w));
}

// How much history a lead of each status tends to have (relative).
constexpr uint32_t kHistoryWeight[kStatusCount] = {1, 3, 5, 7, 8, 9, 6};
constexpr int kBaseScore[kStatusCount] = {20, 35, 55, 45, 70, 85, 15};

// Next intermediate status of a history walk: any non-terminal status but the current one
// (and but `avoid`), the next stage of the funnel three times as likely as the others.
LeadStatus NextStatus(Rng& rng, LeadStatus from, int avoid) {
  std::array<uint32_t, kStatusCount> w{};
  for (int s = 0; s < kStatusCount; ++s) {
    if (s == static_cast<int>(from) || s == avoid ||
        s == static_cast<int>(LeadStatus::kConverted)) {
      continue;
    }
    w[s] = (s == static_cast<int>(from) + 1) ? 3 : 1;
  }
  return static_cast<LeadStatus>(PickWeighted(rng, w));
}

void AppendNullable(std::string& out, std::string_view v) {
  if (v.empty()) {
    out += "\\N";
  } else {
    out += v;
  }
}

void AppendTimestampOrNull(std::string& out, int64_t us) {
  if (us < 0) {
    out += "\\N";
  } else {
    AppendTimestamp(out, us);
  }
}

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void AppendLower(std::string& out, std::string_view s) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if (c >= 'a' && c <= 'z') {
      out += c;
    }
  }
}

void AppendTagsArray(std::string& out, const Lead& lead, int extra = -1) {
  out += '{';
  for (int t = 0; t < lead.tag_count; ++t) {
    if (t > 0) out += ',';
    out += Tags()[lead.tags[t]];
  }
  if (extra >= 0) {
    if (lead.tag_count > 0) out += ',';
    out += Tags()[extra];
  }
  out += '}';
}

void AppendTagsJson(std::string& out, const Lead& lead, int extra = -1) {
  out += '[';
  for (int t = 0; t < lead.tag_count; ++t) {
    if (t > 0) out += ',';
    out += '"';
    out += Tags()[lead.tags[t]];
    out += '"';
  }
  if (extra >= 0) {
    if (lead.tag_count > 0) out += ',';
    out += '"';
    out += Tags()[extra];
    out += '"';
  }
  out += ']';
}

}  // namespace

uint64_t Rng::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t Rng::Below(uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
}

double Rng::Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

uint64_t MixSeed(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  Rng r(a);
  uint64_t h = r.Next() ^ (b * 0xD6E8FEB86659FD93ull);
  Rng r2(h);
  h = r2.Next() ^ (c * 0xA0761D6478BD642Full);
  Rng r3(h);
  h = r3.Next() ^ (d * 0xE7037ED1A0B428DBull);
  Rng r4(h);
  return r4.Next();
}

Uuid Uuid::Random(Rng& rng) {
  Uuid u{rng.Next(), rng.Next()};
  u.hi = (u.hi & ~0xF000ull) | 0x4000ull;                         // version 4
  u.lo = (u.lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // RFC 4122 variant
  return u;
}

void Uuid::AppendTo(std::string& out) const {
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[36];
  int p = 0;
  for (int i = 0; i < 16; ++i) {
    uint64_t word = i < 8 ? hi : lo;
    int shift = (7 - (i % 8)) * 8;
    auto byte = static_cast<uint8_t>(word >> shift);
    if (i == 4 || i == 6 || i == 8 || i == 10) buf[p++] = '-';
    buf[p++] = kHex[byte >> 4];
    buf[p++] = kHex[byte & 15];
  }
  out.append(buf, sizeof buf);
}

std::string Uuid::ToString() const {
  std::string s;
  AppendTo(s);
  return s;
}

std::string_view StatusName(LeadStatus s) { return kStatusNames[static_cast<int>(s)]; }

void AppendTimestamp(std::string& out, int64_t unix_us) {
  int64_t secs = unix_us / kMicrosPerSecond;
  int64_t micros = unix_us % kMicrosPerSecond;
  int64_t days = secs / 86'400;
  int64_t rem = secs % 86'400;
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  int64_t z = days + 719'468;
  int64_t era = z / 146'097;
  int64_t doe = z - era * 146'097;
  int64_t yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1;
  int64_t month = mp < 10 ? mp + 3 : mp - 9;
  int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  // Written by hand: timestamps are most of the COPY text and fmt is several times slower here.
  char buf[29];
  auto put = [&buf](int at, int64_t value, int digits) {
    for (int d = digits - 1; d >= 0; --d) {
      buf[at + d] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, year, 4);
  buf[4] = '-';
  put(5, month, 2);
  buf[7] = '-';
  put(8, day, 2);
  buf[10] = ' ';
  put(11, rem / 3600, 2);
  buf[13] = ':';
  put(14, (rem / 60) % 60, 2);
  buf[16] = ':';
  put(17, rem % 60, 2);
  buf[19] = '.';
  put(20, micros, 6);
  buf[26] = '+';
  buf[27] = '0';
  buf[28] = '0';
  out.append(buf, sizeof buf);
}

void AppendInterval(std::string& out, int64_t us) {
  int64_t secs = us / kMicrosPerSecond;
  fmt::format_to(std::back_inserter(out), "{}:{:02}:{:02}.{:06}", secs / 3600, (secs / 60) % 60,
                 secs % 60, us % kMicrosPerSecond);
}

int64_t Plan::total_leads() const {
  int64_t n = 0;
  for (const OrgPlan& o : orgs) n += o.leads;
  return n;
}

Plan MakePlan(const PlanOptions& options) {
  Plan plan;
  plan.seed = options.seed;
  plan.now_us = options.now_us;
  Rng rng(MixSeed(options.seed, 0xC0FFEE));
  const int n = std::max(1, options.organizations);
  int64_t small = std::max<int64_t>(1, options.leads / 100);
  int64_t phone_base = 0;
  for (int k = 0; k < n; ++k) {
    OrgPlan o;
    o.index = k;
    o.id = Uuid::Random(rng);
    o.slug = fmt::format("org{:02}", k + 1);
    o.name = fmt::format("Bench Realty {:02}{}", k + 1, k == 0 ? " (large)" : "");
    o.leads = k == 0 ? options.leads : small;
    o.phone_base = phone_base;
    phone_base += o.leads;
    int agents = k == 0 ? 25 : 3;
    auto person = [&] {
      return fmt::format("{} {}", FirstNames()[rng.Below(FirstNames().size())],
                         LastNames()[rng.Below(LastNames().size())]);
    };
    o.users.push_back({Uuid::Random(rng), "admin@" + o.slug + ".bench.test", person(), "admin"});
    o.users.push_back(
        {Uuid::Random(rng), "manager@" + o.slug + ".bench.test", person(), "manager"});
    for (int a = 1; a <= agents; ++a) {
      o.users.push_back({Uuid::Random(rng), fmt::format("agent{:02}@{}.bench.test", a, o.slug),
                         person(), "agent"});
    }
    plan.orgs.push_back(std::move(o));
  }
  // History and audit rows are shared out in proportion to leads, exactly.
  const int64_t total = plan.total_leads();
  int64_t seen = 0;
  for (OrgPlan& o : plan.orgs) {
    auto share = [&](int64_t rows) {
      auto upto = [&](int64_t leads) {
        return static_cast<int64_t>(static_cast<__int128>(rows) * leads /
                                    std::max<int64_t>(1, total));
      };
      return upto(seen + o.leads) - upto(seen);
    };
    o.history = share(options.history);
    o.audit = share(options.audit);
    seen += o.leads;
  }
  return plan;
}

int64_t PhoneCapacity() { return Phones().capacity; }

namespace {

struct PhoneParts {
  int area;  // index into AreaCodes()
  int exchange;
  int line;
};

PhoneParts PhoneAt(uint64_t seed, int64_t ordinal) {
  const PhoneSpace& space = Phones();
  // A prime above the capacity is coprime with it, so the affine map is a bijection.
  constexpr uint64_t kMultiplier = 4'294'967'311ull;
  static_assert(kMultiplier > 300ull * 800 * 10'000, "multiplier must exceed the capacity");
  const auto capacity = static_cast<uint64_t>(space.capacity);
  const uint64_t offset = MixSeed(seed, 0x9E0) % capacity;
  auto x = static_cast<uint64_t>((static_cast<unsigned __int128>(ordinal) * kMultiplier + offset) %
                                 capacity);
  const uint64_t areas = AreaCodes().size();
  PhoneParts p{};
  p.area = static_cast<int>(x % areas);
  x /= areas;
  p.exchange = space.exchanges[x % space.exchanges.size()];
  p.line = static_cast<int>(x / space.exchanges.size());
  return p;
}

std::string FormatPhone(const PhoneParts& p) {
  return fmt::format("+1{}{}{:04}", AreaCodes()[p.area].npa, p.exchange, p.line);
}

}  // namespace

std::string PhoneNumber(uint64_t seed, int64_t ordinal) {
  return FormatPhone(PhoneAt(seed, ordinal));
}

LeadCursor::LeadCursor(const Plan& plan, const OrgPlan& org) : plan_(plan), org_(org) {
  for (int64_t i = 0; i < org_.leads; ++i) history_weight_total_ += MakeCore(i).history_weight;
}

LeadCursor::Core LeadCursor::MakeCore(int64_t i) const {
  Rng rng(MixSeed(plan_.seed, org_.index, i, kCoreStream));
  // Density grows linearly over the two years (a growing business), and lead i is never
  // older than lead i-1, as if inserted in arrival order.
  double position = (static_cast<double>(i) + rng.Unit()) / static_cast<double>(org_.leads);
  int64_t start = plan_.now_us - kSpanUs;
  auto created = start + static_cast<int64_t>(std::sqrt(position) *
                                              static_cast<double>(kSpanUs - kMicrosPerSecond));
  LeadStatus status = PickStatus(rng, plan_.now_us - created);
  uint32_t weight =
      kHistoryWeight[static_cast<int>(status)] * static_cast<uint32_t>(1 + rng.Below(4));
  return {created, status, weight};
}

bool LeadCursor::Next() {
  if (next_ >= org_.leads) return false;
  const int64_t i = next_++;
  Core core = MakeCore(i);
  auto apportion = [](uint64_t rows, uint64_t before, uint64_t after, uint64_t total) {
    auto upto = [&](uint64_t w) {
      return static_cast<int64_t>(static_cast<unsigned __int128>(rows) * w /
                                  std::max<uint64_t>(1, total));
    };
    return upto(after) - upto(before);
  };
  uint64_t h_before = history_weight_seen_;
  history_weight_seen_ += core.history_weight;
  int64_t history_rows = apportion(static_cast<uint64_t>(org_.history), h_before,
                                   history_weight_seen_, history_weight_total_);
  // Audit weight 2 + history rows: busy leads were edited more. Its total is known upfront.
  uint64_t a_before = audit_weight_seen_;
  audit_weight_seen_ += 2 + static_cast<uint64_t>(history_rows);
  int64_t audit_rows =
      apportion(static_cast<uint64_t>(org_.audit), a_before, audit_weight_seen_,
                2 * static_cast<uint64_t>(org_.leads) + static_cast<uint64_t>(org_.history));
  Fill(i, core, history_rows, audit_rows);
  return true;
}

void LeadCursor::Fill(int64_t i, const Core& core, int64_t history_rows, int64_t audit_rows) {
  Lead& l = lead_;
  Rng rng(MixSeed(plan_.seed, org_.index, i, kDetailStream));
  const int users = static_cast<int>(org_.users.size());
  const int agents = users - 2;
  auto agent = [&] { return 2 + static_cast<int>(rng.Below(agents)); };

  l.index = i;
  l.id = Uuid::Random(rng);
  l.status = core.status;
  l.created_us = core.created_us;
  l.first_name = FirstNames()[rng.Below(FirstNames().size())];
  l.last_name = LastNames()[rng.Below(LastNames().size())];
  l.source = PickSource(rng);
  l.phone.clear();
  l.timezone = {};
  bool has_phone = rng.Chance(0.97);
  if (has_phone) {
    PhoneParts parts = PhoneAt(plan_.seed, org_.phone_base + i);
    l.phone = FormatPhone(parts);
    l.timezone = AreaCodes()[parts.area].zone;
  }
  l.email.clear();
  if (!has_phone || rng.Chance(0.88)) {
    switch (rng.Below(4)) {
      case 0:
        AppendLower(l.email, l.first_name);
        l.email += '.';
        AppendLower(l.email, l.last_name);
        break;
      case 1:
        AppendLower(l.email, l.first_name.substr(0, 1));
        AppendLower(l.email, l.last_name);
        break;
      case 2:
        AppendLower(l.email, l.first_name);
        l.email += '_';
        AppendLower(l.email, l.last_name);
        break;
      default:
        AppendLower(l.email, l.last_name);
        AppendLower(l.email, l.first_name);
    }
    if (rng.Chance(0.7)) AppendInt(l.email, static_cast<int64_t>(rng.Below(10'000)));
    l.email += '@';
    l.email += EmailDomains()[rng.Below(EmailDomains().size())];
  }
  l.tag_count = 0;
  static constexpr std::array<uint32_t, 5> kTagCounts = {20, 30, 25, 15, 10};
  int want = PickWeighted(rng, kTagCounts);
  for (int attempt = 0; attempt < 12 && l.tag_count < want; ++attempt) {
    auto tag = static_cast<uint8_t>(PickCumulative(rng, TagCumulative()));
    if (std::find(l.tags.begin(), l.tags.begin() + l.tag_count, tag) ==
        l.tags.begin() + l.tag_count) {
      l.tags[l.tag_count++] = tag;
    }
  }
  int noise = static_cast<int>(rng.Below(21)) + static_cast<int>(rng.Below(21)) - 20;
  l.score = std::clamp(kBaseScore[static_cast<int>(l.status)] + noise, 0, 100);
  l.score_factors =
      l.status != LeadStatus::kNew && rng.Chance(0.5) ? static_cast<int>(rng.Below(1'000'000)) : -1;
  l.assignee = (l.status == LeadStatus::kNew ? rng.Chance(0.3) : rng.Chance(0.9)) ? agent() : -1;
  l.creator = l.source == "import" || l.source == "website" || l.source == "facebook" ||
                      l.source == "google_ads" || l.source == "zillow"
                  ? -1
                  : agent();
  l.company = rng.Chance(0.2) ? static_cast<int>(rng.Below(Companies().size())) : -1;
  l.title = rng.Chance(0.15) ? static_cast<int>(rng.Below(Titles().size())) : -1;
  l.campaign = (l.source == "google_ads" || l.source == "facebook" || l.source == "instagram")
                   ? static_cast<int>(rng.Below(Campaigns().size()))
                   : -1;
  l.user_agent = static_cast<int>(rng.Below(UserAgents().size()));
  l.client_ip = l.creator >= 0 || rng.Chance(0.5) ? static_cast<int>(1 + rng.Below(254)) : -1;
  const bool deleted = rng.Chance(0.01);

  // Status history: first row from NULL, then a walk through the funnel that ends at the
  // lead's current status.
  Rng hist(MixSeed(plan_.seed, org_.index, i, kHistoryStream));
  l.steps.clear();
  const int64_t now = plan_.now_us;
  const int64_t c = history_rows;
  if (c > 0) {
    LeadStatus first = c == 1                                     ? l.status
                       : (l.status == LeadStatus::kNew && c == 2) ? LeadStatus::kContacted
                                                                  : LeadStatus::kNew;
    const bool imported = l.source == "import";
    l.steps.push_back(
        {-1, first, l.created_us, l.creator, imported ? "import" : "api", Uuid::Random(hist)});
    int64_t span =
        static_cast<int64_t>(static_cast<double>(now - l.created_us) * (0.05 + 0.95 * hist.Unit()));
    LeadStatus prev = first;
    for (int64_t j = 1; j < c; ++j) {
      LeadStatus to = j == c - 1
                          ? l.status
                          : NextStatus(hist, prev, j == c - 2 ? static_cast<int>(l.status) : -1);
      double frac =
          (static_cast<double>(j - 1) + 0.1 + 0.9 * hist.Unit()) / static_cast<double>(c - 1);
      int64_t at = l.created_us + static_cast<int64_t>(static_cast<double>(span) * frac);
      at = std::max(at, l.steps.back().at_us + 1);
      uint64_t why = hist.Below(20);
      std::string_view trigger = why < 16   ? "api"
                                 : why < 18 ? "sequence"
                                 : why < 19 ? "assignment"
                                            : "system";
      int by = trigger == "api" ? (l.assignee >= 0 ? l.assignee : agent()) : -1;
      l.steps.push_back(
          {static_cast<int>(prev), to, std::min(at, now), by, trigger, Uuid::Random(hist)});
      prev = to;
    }
  }
  l.status_changed_us = l.steps.empty() ? l.created_us : l.steps.back().at_us;
  l.last_contacted_us =
      l.status != LeadStatus::kNew && l.steps.size() > 1 ? l.status_changed_us : -1;
  l.deleted_us = -1;
  if (deleted) {
    l.deleted_us =
        l.status_changed_us +
        static_cast<int64_t>(static_cast<double>(now - l.status_changed_us) * hist.Unit());
  }

  // Audit: 'create', then status changes in order, other edits, and 'delete' last.
  Rng aud(MixSeed(plan_.seed, org_.index, i, kAuditStream));
  l.audit.clear();
  int64_t updated = std::max(l.created_us, l.status_changed_us);
  if (audit_rows > 0) {
    l.audit.push_back(
        {AuditEvent::Kind::kCreate, l.created_us, 0, l.creator, 0, Uuid::Random(aud)});
    int64_t edits = audit_rows - 1 - (deleted && audit_rows > 1 ? 1 : 0);
    for (int64_t k = 0; k < edits; ++k) {
      AuditEvent e;
      e.id = Uuid::Random(aud);
      if (k + 1 < static_cast<int64_t>(l.steps.size())) {
        e.kind = AuditEvent::Kind::kStatus;
        e.step = static_cast<int>(k + 1);
        e.at_us = l.steps[k + 1].at_us;
        e.actor = l.steps[k + 1].changed_by;
      } else {
        static constexpr std::array<uint32_t, 3> kEdits = {5, 3, 2};
        int kind = PickWeighted(aud, kEdits);
        e.kind = kind == 0   ? AuditEvent::Kind::kScore
                 : kind == 1 ? AuditEvent::Kind::kTags
                             : AuditEvent::Kind::kAssign;
        e.at_us = l.created_us +
                  static_cast<int64_t>(static_cast<double>(now - l.created_us) * aud.Unit());
        e.actor = aud.Chance(0.7) ? agent() : -1;
        e.detail = e.kind == AuditEvent::Kind::kScore  ? static_cast<int>(aud.Below(101))
                   : e.kind == AuditEvent::Kind::kTags ? PickCumulative(aud, TagCumulative())
                                                       : agent();
      }
      updated = std::max(updated, e.at_us);
      l.audit.push_back(e);
    }
    if (deleted && audit_rows > 1) {
      l.audit.push_back({AuditEvent::Kind::kDelete, l.deleted_us, 0,
                         l.assignee >= 0 ? l.assignee : 1, 0, Uuid::Random(aud)});
    }
  }
  if (l.deleted_us >= 0) updated = std::max(updated, l.deleted_us);
  l.updated_us = std::min(updated, now);
  l.version = std::max<int>(1, static_cast<int>(l.audit.size()));
}

void LeadCursor::AppendUserOrNull(std::string& out, int user) const {
  if (user < 0) {
    out += "\\N";
  } else {
    org_.users[user].id.AppendTo(out);
  }
}

void LeadCursor::AppendLeadRow(std::string& out) const {
  const Lead& l = lead_;
  org_.id.AppendTo(out);
  out += '\t';
  l.id.AppendTo(out);
  out += '\t';
  out += l.first_name;
  out += '\t';
  out += l.last_name;
  out += '\t';
  AppendNullable(out, l.email);
  out += '\t';
  AppendNullable(out, l.phone);
  out += '\t';
  AppendNullable(out, l.company >= 0 ? Companies()[l.company] : std::string_view());
  out += '\t';
  AppendNullable(out, l.title >= 0 ? Titles()[l.title] : std::string_view());
  out += '\t';
  out += StatusName(l.status);
  out += '\t';
  out += l.source;
  out += '\t';
  if (l.campaign >= 0) {
    out += R"({"campaign": ")";
    out += Campaigns()[l.campaign];
    out += R"(", "medium": "paid"})";
  } else {
    out += "{}";
  }
  out += '\t';
  AppendTagsArray(out, l);
  out += '\t';
  AppendInt(out, l.score);
  out += '\t';
  if (l.score_factors >= 0) {
    int f = l.score_factors;
    fmt::format_to(std::back_inserter(out), R"({{"fit": {}, "engagement": {}, "recency": {}}})",
                   f % 40, (f / 40) % 40, (f / 1600) % 21);
  } else {
    out += "\\N";
  }
  out += '\t';
  AppendUserOrNull(out, l.assignee);
  out += '\t';
  AppendNullable(out, l.timezone);
  out += "\t{}\t";
  AppendTimestamp(out, l.status_changed_us);
  out += '\t';
  AppendTimestampOrNull(out, l.last_contacted_us);
  out += '\t';
  AppendUserOrNull(out, l.creator);
  out += '\t';
  AppendTimestamp(out, l.created_us);
  out += '\t';
  AppendTimestamp(out, l.updated_us);
  out += '\t';
  AppendTimestampOrNull(out, l.deleted_us);
  out += '\t';
  AppendInt(out, l.version);
  out += '\n';
}

void LeadCursor::AppendHistoryRows(std::string& out) const {
  const Lead& l = lead_;
  for (size_t j = 0; j < l.steps.size(); ++j) {
    const StatusStep& s = l.steps[j];
    org_.id.AppendTo(out);
    out += '\t';
    s.id.AppendTo(out);
    out += '\t';
    l.id.AppendTo(out);
    out += '\t';
    AppendNullable(out, s.from < 0 ? std::string_view() : kStatusNames[s.from]);
    out += '\t';
    out += StatusName(s.to);
    out += '\t';
    AppendTimestamp(out, s.at_us);
    out += '\t';
    out += s.triggered_by;
    out += '\t';
    AppendUserOrNull(out, s.changed_by);
    out += '\t';
    if (j == 0) {
      out += "\\N";
    } else {
      AppendInterval(out, s.at_us - l.steps[j - 1].at_us);
    }
    out += '\n';
  }
}

void LeadCursor::AppendAuditRows(std::string& out) const {
  const Lead& l = lead_;
  for (const AuditEvent& e : l.audit) {
    org_.id.AppendTo(out);
    out += '\t';
    e.id.AppendTo(out);
    out += '\t';
    l.id.AppendTo(out);
    out += '\t';
    switch (e.kind) {
      case AuditEvent::Kind::kCreate: {
        // The columns set at creation, in the trigger's {"column": {"old", "new"}} shape.
        out += "create\t{";
        auto field = [&](std::string_view name, std::string_view json_value, bool quote) {
          if (out.back() != '{') out += ", ";
          out += '"';
          out += name;
          out += R"(": {"old": null, "new": )";
          if (quote) out += '"';
          out += json_value;
          if (quote) out += '"';
          out += '}';
        };
        field("first_name", l.first_name, true);
        field("last_name", l.last_name, true);
        if (!l.email.empty()) field("email", l.email, true);
        if (!l.phone.empty()) field("phone", l.phone, true);
        field("status", StatusName(l.steps.empty() ? l.status : l.steps[0].to), true);
        field("source", l.source, true);
        if (!l.timezone.empty()) field("timezone", l.timezone, true);
        if (l.tag_count > 0) {
          std::string tags;
          AppendTagsJson(tags, l);
          field("tags", tags, false);
        }
        field("lead_score", std::to_string(kBaseScore[0]), false);
        out += '}';
        break;
      }
      case AuditEvent::Kind::kStatus: {
        const StatusStep& s = l.steps[e.step];
        fmt::format_to(std::back_inserter(out),
                       R"(update	{{"status": {{"old": "{}", "new": "{}"}}}})",
                       s.from < 0 ? "new" : kStatusNames[s.from], StatusName(s.to));
        break;
      }
      case AuditEvent::Kind::kScore:
        fmt::format_to(std::back_inserter(out),
                       R"(update	{{"lead_score": {{"old": {}, "new": {}}}}})", e.detail,
                       l.score);
        break;
      case AuditEvent::Kind::kTags: {
        out += R"(update	{"tags": {"old": )";
        AppendTagsJson(out, l);
        out += R"(, "new": )";
        AppendTagsJson(out, l, e.detail);
        out += "}}";
        break;
      }
      case AuditEvent::Kind::kAssign:
        out += R"(update	{"assigned_to": {"old": null, "new": ")";
        org_.users[e.detail].id.AppendTo(out);
        out += "\"}}";
        break;
      case AuditEvent::Kind::kDelete:
        out += R"(delete	{"deleted_at": {"old": null, "new": ")";
        AppendTimestamp(out, e.at_us);
        out += "\"}}";
        break;
    }
    out += '\t';
    AppendUserOrNull(out, e.actor);
    out += '\t';
    if (l.client_ip >= 0) {
      fmt::format_to(std::back_inserter(out), "203.0.113.{}", l.client_ip);
    } else {
      out += "\\N";
    }
    out += '\t';
    out += UserAgents()[l.user_agent];
    out += '\t';
    AppendTimestamp(out, e.at_us);
    out += '\n';
  }
}

void AppendUserRows(const Plan& plan, std::string_view password_hash, std::string& out) {
  const int64_t created = plan.now_us - kSpanUs - kMicrosPerDay;
  for (const OrgPlan& o : plan.orgs) {
    for (const UserPlan& u : o.users) {
      o.id.AppendTo(out);
      out += '\t';
      u.id.AppendTo(out);
      out += '\t';
      out += u.email;
      out += '\t';
      out += password_hash;
      out += '\t';
      out += u.role;
      out += '\t';
      out += u.name;
      out += '\t';
      AppendTimestamp(out, created);
      out += '\n';
    }
  }
}

}  // namespace leadline::benchdata
