#include "dnc/registry.h"

#include <bit>
#include <chrono>
#include <cstring>
#include <future>

#include "db/transaction.h"
#include "dnc/archive.h"

namespace leadline::dnc {
namespace {

using db::Params;
using db::Query;
using db::Rows;

constexpr Query kLockRegistry{"dnc_registry_lock",
                              "SELECT pg_advisory_xact_lock(hashtext('dnc_registry'))"};
constexpr Query kReadArea{"dnc_registry_read_area",
                          "SELECT bits FROM dnc_registry_area_codes WHERE area_code = $1"};
constexpr Query kPutArea{"dnc_registry_put",
                         "SELECT dnc_registry_put($1, $2::bytea, $3, $4::date)"};
constexpr Query kRecordLoad{"dnc_registry_record_load",
                            "SELECT dnc_registry_record_load($1, $2::date, $3, $4, $5, $6, $7), "
                            "(SELECT coalesce(sum(numbers), 0) FROM dnc_registry_area_codes)"};
constexpr Query kListNewer{"dnc_registry_list_newer",
                           "SELECT area_code, version, numbers FROM dnc_registry_area_codes "
                           "WHERE version > $1 ORDER BY area_code"};
constexpr Query kStatus{
    "dnc_registry_status",
    "SELECT count(*), coalesce(sum(numbers), 0), to_char(min(as_of), 'YYYY-MM-DD'), "
    "coalesce(current_date - min(as_of), 0), "
    "(SELECT app_rfc3339(max(loaded_at)) FROM dnc_registry_loads) "
    "FROM dnc_registry_area_codes"};

constexpr char kHex[] = "0123456789abcdef";

std::string ToByteaHex(const AreaBitmap& b) {
  std::string out;
  out.resize(2 + AreaBitmap::kBytes * 2);
  out[0] = '\\';
  out[1] = 'x';
  char* p = out.data() + 2;
  const uint8_t* d = b.data();
  for (size_t i = 0; i < AreaBitmap::kBytes; ++i) {
    *p++ = kHex[d[i] >> 4];
    *p++ = kHex[d[i] & 15];
  }
  return out;
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status FromByteaHex(std::string_view text, AreaBitmap* out) {
  if (text.size() != 2 + AreaBitmap::kBytes * 2 || text[0] != '\\' || text[1] != 'x') {
    return Internal("unexpected registry bitmap encoding");
  }
  uint8_t* d = out->data();
  const char* p = text.data() + 2;
  for (size_t i = 0; i < AreaBitmap::kBytes; ++i) {
    int hi = HexVal(p[2 * i]), lo = HexVal(p[2 * i + 1]);
    if (hi < 0 || lo < 0) return Internal("unexpected registry bitmap encoding");
    d[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return Status::Ok();
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool ValidDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(s[i])) return false;
  }
  return true;
}

// Applies lines to per-area bitmaps; for change files the stored bitmap of an area code is
// read (inside the load's transaction) the first time the file touches it.
class Builder {
 public:
  Builder(RegistryFileKind kind, db::Transaction* tx) : kind_(kind), tx_(tx) {}

  // The hot path: the area code's bitmap is open. False when it is not (call Apply).
  bool ApplyOpen(const RegistryLine& line) {
    AreaBitmap* b = areas_[line.npa].get();
    if (b == nullptr) return false;
    if (line.deletion) {
      removed_ += b->Clear(line.number);
    } else {
      added_ += b->Set(line.number);
    }
    return true;
  }

  Status Apply(const RegistryLine& line) {
    AreaBitmap* b = areas_[line.npa].get();
    if (b == nullptr) {
      if (absent_[line.npa]) {
        ++skipped_;
        return Status::Ok();
      }
      ASSIGN_OR_RETURN(b, Open(line.npa));
      if (b == nullptr) {
        ++skipped_;
        return Status::Ok();
      }
    }
    if (line.deletion) {
      removed_ += b->Clear(line.number);
    } else {
      added_ += b->Set(line.number);
    }
    return Status::Ok();
  }

  std::array<std::unique_ptr<AreaBitmap>, 1000>& areas() { return areas_; }
  uint64_t added() const { return added_; }
  uint64_t removed() const { return removed_; }
  uint64_t skipped() const { return skipped_; }

 private:
  // Null for a change file touching an area code the snapshot does not have: applying
  // changes alone would mark the area code as covered with a fraction of its numbers, so
  // such lines are skipped (and counted) until a full file for it is loaded.
  Result<AreaBitmap*> Open(int npa) {
    auto b = std::make_unique<AreaBitmap>();
    if (kind_ == RegistryFileKind::kChanges) {
      ASSIGN_OR_RETURN(Rows r, tx_->Exec(kReadArea, Params().Add(npa)));
      if (r.empty()) {
        absent_[npa] = true;
        return static_cast<AreaBitmap*>(nullptr);
      }
      RETURN_IF_ERROR(FromByteaHex(r.Get(0, 0), b.get()));
    }
    areas_[npa] = std::move(b);
    return areas_[npa].get();
  }

  RegistryFileKind kind_;
  db::Transaction* tx_;
  std::array<std::unique_ptr<AreaBitmap>, 1000> areas_{};
  std::array<bool, 1000> absent_{};
  uint64_t added_ = 0;
  uint64_t removed_ = 0;
  uint64_t skipped_ = 0;
};

// The registry's own line format, "NPA,NNNNNNN" then LF or CR LF, parsed without a search
// for the line end: the number of bytes consumed (12 or 13), or 0 when the line at `p` is
// anything else (ParseRegistryLine then decides, including about an invalid area code).
inline size_t FastRegistryLine(const char* p, const char* end, RegistryLine* out) {
  if (end - p < 12 || p[3] != ',') return 0;
  uint32_t npa = 0, number = 0;
  for (int i = 0; i < 3; ++i) {
    uint32_t d = static_cast<uint32_t>(static_cast<unsigned char>(p[i])) - '0';
    if (d > 9) return 0;
    npa = npa * 10 + d;
  }
  for (int i = 4; i < 11; ++i) {
    uint32_t d = static_cast<uint32_t>(static_cast<unsigned char>(p[i])) - '0';
    if (d > 9) return 0;
    number = number * 10 + d;
  }
  size_t used;
  if (p[11] == '\n') {
    used = 12;
  } else if (p[11] == '\r' && end - p >= 13 && p[12] == '\n') {
    used = 13;
  } else {
    return 0;
  }
  if (npa < 200) return 0;
  out->npa = static_cast<uint16_t>(npa);
  out->number = number;
  out->deletion = false;
  return used;
}

// Splits decompressed chunks into lines (a line may span chunks) and feeds the builder.
class LineFeeder {
 public:
  LineFeeder(Builder* b, const RegistryLoadOptions& o) : builder_(b), options_(o) {}

  Status Chunk(std::string_view name, std::string_view chunk) {
    if (name != member_) {
      RETURN_IF_ERROR(Finish());
      member_ = std::string(name);
      line_no_ = 0;
    }
    progress_.bytes += chunk.size();
    if (!carry_.empty()) {
      size_t nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        carry_.append(chunk);
        return Status::Ok();
      }
      carry_.append(chunk.substr(0, nl));
      RETURN_IF_ERROR(Line(carry_));
      carry_.clear();
      chunk.remove_prefix(nl + 1);
    }
    const char* p = chunk.data();
    const char* const end = p + chunk.size();
    while (p < end) {
      RegistryLine parsed;
      if (size_t used = FastRegistryLine(p, end, &parsed); used > 0) {
        ++line_no_;
        if (!builder_->ApplyOpen(parsed)) RETURN_IF_ERROR(builder_->Apply(parsed));
        Counted();
        p += used;
        continue;
      }
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
      if (nl == nullptr) {
        carry_.assign(p, end - p);
        break;
      }
      RETURN_IF_ERROR(Line(std::string_view(p, nl - p)));
      p = nl + 1;
    }
    return Status::Ok();
  }

  Status Finish() {
    if (!carry_.empty()) {
      std::string last = std::move(carry_);
      carry_.clear();
      RETURN_IF_ERROR(Line(last));
    }
    return Status::Ok();
  }

  const RegistryProgress& progress() const { return progress_; }

 private:
  void Counted() {
    if ((++progress_.lines & 0xFFFFF) == 0 && options_.progress) options_.progress(progress_);
  }

  Status Line(std::string_view line) {
    ++line_no_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return Status::Ok();
    RegistryLine parsed;
    if (!ParseRegistryLine(line, &parsed)) {
      // A header line ("AreaCode,PhoneNumber") has no digits at all.
      bool has_digit = false;
      for (char c : line) has_digit = has_digit || IsDigit(c);
      if (line_no_ == 1 && !has_digit) return Status::Ok();
      return ValidationFailed("malformed registry line " + std::to_string(line_no_) +
                              (member_.empty() ? "" : " of " + member_.substr(0, 200)))
          .AddFieldError("file", "line " + std::to_string(line_no_) + " is not NPA,NNNNNNN" +
                                     (options_.kind == RegistryFileKind::kChanges ? "[,A|D]" : ""));
    }
    if (parsed.deletion && options_.kind == RegistryFileKind::kFull) {
      return ValidationFailed("a full registry file cannot delete numbers (line " +
                              std::to_string(line_no_) + "); load it as a change file");
    }
    if (!builder_->ApplyOpen(parsed)) RETURN_IF_ERROR(builder_->Apply(parsed));
    Counted();
    return Status::Ok();
  }

  Builder* builder_;
  const RegistryLoadOptions& options_;
  std::string member_;
  std::string carry_;
  uint64_t line_no_ = 0;
  RegistryProgress progress_;
};

}  // namespace

uint32_t AreaBitmap::Count() const {
  uint64_t n = 0;
  size_t i = 0;
  for (; i + 8 <= kBytes; i += 8) {
    uint64_t w;
    std::memcpy(&w, bytes_.data() + i, 8);
    n += std::popcount(w);
  }
  for (; i < kBytes; ++i) n += std::popcount(bytes_[i]);
  return static_cast<uint32_t>(n);
}

void NationalSnapshot::ContainsBatch(const uint64_t* keys, size_t n, bool* out) const {
  // Far enough ahead to cover a memory access with the tests in between, near enough that
  // the prefetched lines are still cached (16 x 64 bytes).
  constexpr size_t kAhead = 16;
  auto byte_of = [this](uint64_t key, unsigned* bit) -> const uint8_t* {
    if (key < 12'000'000'000ull || key > 19'999'999'999ull) return nullptr;
    uint64_t rest = key - 10'000'000'000ull;
    const AreaBitmap* b = area_[rest / 10'000'000].get();
    if (b == nullptr) return nullptr;
    uint32_t number = static_cast<uint32_t>(rest % 10'000'000);
    *bit = number & 7;
    return b->data() + (number >> 3);
  };
  unsigned bit = 0;
  for (size_t i = 0; i < n && i < kAhead; ++i) {
    if (const uint8_t* p = byte_of(keys[i], &bit)) __builtin_prefetch(p);
  }
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) {
      if (const uint8_t* p = byte_of(keys[i + kAhead], &bit)) __builtin_prefetch(p);
    }
    const uint8_t* p = byte_of(keys[i], &bit);
    out[i] = p != nullptr && ((*p >> bit) & 1);
  }
}

int NationalSnapshot::area_codes() const {
  int n = 0;
  for (const auto& a : area_) n += a != nullptr;
  return n;
}

std::shared_ptr<const NationalSnapshot> NationalSnapshot::With(
    int npa, std::shared_ptr<const AreaBitmap> bits, uint32_t count, int64_t version) const {
  auto s = std::make_shared<NationalSnapshot>(*this);
  s->numbers_ -= s->counts_[npa];
  s->area_[npa] = std::move(bits);
  s->counts_[npa] = s->area_[npa] ? count : 0;
  s->numbers_ += s->counts_[npa];
  s->version_ = std::max(s->version_, version);
  return s;
}

bool ParseRegistryLine(std::string_view line, RegistryLine* out) {
  const char* p = line.data();
  size_t n = line.size();
  uint64_t digits = 0;
  size_t i = 0;
  int count = 0;
  // The common case "NPA,NNNNNNN" is handled by the same loop; separators are skipped.
  for (; i < n && count < 10; ++i) {
    char c = p[i];
    if (IsDigit(c)) {
      digits = digits * 10 + static_cast<uint64_t>(c - '0');
      ++count;
    } else if (c == ',' || c == '-' || c == ' ' || c == '(' || c == ')' || c == '"' || c == '\t' ||
               c == '.') {
      continue;
    } else {
      return false;
    }
  }
  if (count != 10) return false;
  // The rest: nothing, or a separator and a flag word starting with A or D.
  while (i < n && (p[i] == ',' || p[i] == ' ' || p[i] == '\t' || p[i] == '"')) ++i;
  bool deletion = false;
  if (i < n) {
    char f = p[i];
    if (f == 'A' || f == 'a') {
      deletion = false;
    } else if (f == 'D' || f == 'd') {
      deletion = true;
    } else {
      return false;
    }
    for (++i; i < n; ++i) {
      char c = p[i];
      bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      if (!letter && c != ' ' && c != '"' && c != '\t') return false;
    }
  }
  uint64_t npa = digits / 10'000'000;
  if (npa < 200) return false;
  out->npa = static_cast<uint16_t>(npa);
  out->number = static_cast<uint32_t>(digits % 10'000'000);
  out->deletion = deletion;
  return true;
}

Result<RegistryLoadResult> LoadRegistry(db::Pool& pool, std::string_view bytes,
                                        const RegistryLoadOptions& options) {
  if (!ValidDate(options.as_of)) {
    return ValidationFailed("invalid as_of").AddFieldError("as_of", "must be a date YYYY-MM-DD");
  }
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  ASSIGN_OR_RETURN(auto tx, db::Transaction::Begin(pool, db::TenantContext{}));
  RETURN_IF_ERROR(tx.Exec(kLockRegistry).status());
  Builder builder(options.kind, &tx);
  LineFeeder feeder(&builder, options);
  RETURN_IF_ERROR(ForEachChunk(
      bytes,
      [&](std::string_view name, std::string_view chunk) { return feeder.Chunk(name, chunk); },
      options.release));
  RETURN_IF_ERROR(feeder.Finish());
  if (options.progress) options.progress(feeder.progress());
  auto t1 = Clock::now();

  RegistryLoadResult result;
  result.lines = feeder.progress().lines;
  result.added = builder.added();
  result.removed = builder.removed();
  result.skipped = builder.skipped();
  // The database decodes and writes one area code (tens of milliseconds) while the next one
  // is encoded on another thread; each bitmap is freed once encoded, so the peak is the
  // bitmaps still waiting plus two encoded area codes.
  struct Encoded {
    int npa = 0;
    std::string hex;
    uint32_t count = 0;
  };
  auto encode = [&builder](int npa) {
    auto& area = builder.areas()[npa];
    Encoded e{npa, ToByteaHex(*area), area->Count()};
    area.reset();
    return e;
  };
  std::vector<int> npas;
  for (int npa = 0; npa < 1000; ++npa) {
    if (builder.areas()[npa]) npas.push_back(npa);
  }
  result.area_codes = static_cast<int>(npas.size());
  std::future<Encoded> next;
  if (!npas.empty()) next = std::async(std::launch::async, encode, npas[0]);
  for (size_t i = 0; i < npas.size(); ++i) {
    Encoded e = next.get();
    if (i + 1 < npas.size()) next = std::async(std::launch::async, encode, npas[i + 1]);
    Status st =
        tx.Exec(
              kPutArea,
              Params().Add(e.npa).Add(e.hex).Add(static_cast<int64_t>(e.count)).Add(options.as_of))
            .status();
    if (!st.ok()) {
      if (next.valid()) next.wait();
      return st;
    }
  }
  ASSIGN_OR_RETURN(
      Rows r,
      tx.Exec(kRecordLoad, Params()
                               .Add(options.kind == RegistryFileKind::kFull ? "full" : "changes")
                               .Add(options.as_of)
                               .Add(options.source_name.substr(0, 500))
                               .Add(result.area_codes)
                               .Add(static_cast<int64_t>(result.added))
                               .Add(static_cast<int64_t>(result.removed))
                               .Add(options.loaded_by.substr(0, 200))));
  result.load_id = r.GetInt(0, 0);
  result.total = static_cast<uint64_t>(r.GetInt(0, 1));
  RETURN_IF_ERROR(tx.Commit());
  auto t2 = Clock::now();
  result.parse_seconds = std::chrono::duration<double>(t1 - t0).count();
  result.store_seconds = std::chrono::duration<double>(t2 - t1).count();
  return result;
}

Result<std::shared_ptr<const NationalSnapshot>> ReadRegistrySnapshot(
    db::Pool& pool, std::shared_ptr<const NationalSnapshot> base) {
  if (!base) base = std::make_shared<NationalSnapshot>();
  ASSIGN_OR_RETURN(auto tx, db::Transaction::Begin(pool, db::TenantContext{}));
  ASSIGN_OR_RETURN(Rows newer, tx.Exec(kListNewer, Params().Add(base->version())));
  auto snap = base;
  for (int i = 0; i < newer.size(); ++i) {
    int npa = static_cast<int>(newer.GetInt(i, 0));
    int64_t version = newer.GetInt(i, 1);
    ASSIGN_OR_RETURN(Rows bits, tx.Exec(kReadArea, Params().Add(npa)));
    if (bits.empty()) continue;
    auto area = std::make_shared<AreaBitmap>();
    RETURN_IF_ERROR(FromByteaHex(bits.Get(0, 0), area.get()));
    snap = snap->With(npa, std::move(area), static_cast<uint32_t>(newer.GetInt(i, 2)), version);
  }
  RETURN_IF_ERROR(tx.Commit());
  return snap;
}

Result<RegistryStatus> ReadRegistryStatus(db::Pool& pool) {
  ASSIGN_OR_RETURN(auto tx, db::Transaction::Begin(pool, db::TenantContext{}));
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kStatus));
  RETURN_IF_ERROR(tx.Commit());
  RegistryStatus s;
  s.area_codes = static_cast<int>(r.GetInt(0, 0));
  s.loaded = s.area_codes > 0;
  s.numbers = r.GetInt(0, 1);
  s.as_of = r.GetOptional(0, 2);
  s.age_days = r.GetInt(0, 3);
  s.loaded_at = r.GetOptional(0, 4);
  return s;
}

}  // namespace leadline::dnc
