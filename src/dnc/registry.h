// The national Do-Not-Call registry: an exact bitmap per area code (10,000,000 bits, 1.25 MB),
// the parser for the registry's full and change files, and the PostgreSQL snapshot
// (dnc_registry_area_codes) that every server process shares and that survives restarts.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "db/pool.h"

namespace leadline::dnc {

// The seven-digit numbers (NXX-XXXX) of one area code. Bit n is byte n/8, bit n%8, the
// numbering PostgreSQL's get_bit uses, so the database can test the stored bytes directly.
class AreaBitmap {
 public:
  static constexpr uint32_t kNumbers = 10'000'000;
  static constexpr size_t kBytes = kNumbers / 8;

  AreaBitmap() : bytes_(kBytes, 0) {}
  bool Test(uint32_t n) const { return (bytes_[n >> 3] >> (n & 7)) & 1; }
  // Both return whether the bit changed.
  bool Set(uint32_t n) {
    uint8_t m = static_cast<uint8_t>(1u << (n & 7));
    bool was = bytes_[n >> 3] & m;
    bytes_[n >> 3] |= m;
    return !was;
  }
  bool Clear(uint32_t n) {
    uint8_t m = static_cast<uint8_t>(1u << (n & 7));
    bool was = bytes_[n >> 3] & m;
    bytes_[n >> 3] &= static_cast<uint8_t>(~m);
    return was;
  }
  uint32_t Count() const;
  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }

 private:
  std::vector<uint8_t> bytes_;
};

// An immutable snapshot of the registry: any number of threads may call Contains
// concurrently; it is two memory reads and no locks.
class NationalSnapshot {
 public:
  // True when `key` (see PhoneKey) is a NANP number (+1 NPA NXX XXXX) on the registry.
  bool Contains(uint64_t key) const {
    if (key < 12'000'000'000ull || key > 19'999'999'999ull) return false;
    uint64_t rest = key - 10'000'000'000ull;
    const AreaBitmap* b = area_[rest / 10'000'000].get();
    return b != nullptr && b->Test(static_cast<uint32_t>(rest % 10'000'000));
  }
  // out[i] = Contains(keys[i]) for i < n. Faster than n calls on large batches: a lookup is
  // usually a cache miss (a random bit of ~400 MB), so the bytes of the keys a few places
  // ahead are prefetched while the current one is tested, and the misses overlap.
  void ContainsBatch(const uint64_t* keys, size_t n, bool* out) const;
  bool HasArea(int npa) const { return npa >= 0 && npa < 1000 && area_[npa] != nullptr; }
  int64_t version() const { return version_; }
  uint64_t numbers() const { return numbers_; }
  int area_codes() const;
  size_t memory_bytes() const { return static_cast<size_t>(area_codes()) * AreaBitmap::kBytes; }

  // A copy with `npa` replaced (nullptr removes it). Bitmaps are shared, not copied.
  std::shared_ptr<const NationalSnapshot> With(int npa, std::shared_ptr<const AreaBitmap> bits,
                                               uint32_t count, int64_t version) const;

 private:
  std::array<std::shared_ptr<const AreaBitmap>, 1000> area_{};
  std::array<uint32_t, 1000> counts_{};
  int64_t version_ = 0;
  uint64_t numbers_ = 0;
};

// --- Registry files ---------------------------------------------------------------------

enum class RegistryFileKind { kFull, kChanges };

// One line of a registry file. Full files: "NPA,NNNNNNN" (also 10 digits with or without
// '-', ' ', '(', ')' separators). Change files add a flag field: "NPA,NNNNNNN,A" (added) or
// ",D" (deleted); words starting with A or D ("ADD", "Delete") are accepted and a line without
// a flag is an addition. Returns false for a malformed line.
struct RegistryLine {
  uint16_t npa = 0;
  uint32_t number = 0;  // NXXXXXX, 0..9,999,999
  bool deletion = false;
};
bool ParseRegistryLine(std::string_view line, RegistryLine* out);

struct RegistryProgress {
  uint64_t lines = 0;
  uint64_t bytes = 0;  // decompressed bytes parsed
};

struct RegistryLoadOptions {
  RegistryFileKind kind = RegistryFileKind::kFull;
  std::string as_of;        // YYYY-MM-DD: when the data was downloaded from the registry
  std::string source_name;  // file name, for the load history
  std::string loaded_by;    // user id or "cli"
  // Called about every million lines and once at the end. May be empty.
  std::function<void(const RegistryProgress&)> progress;
  // Called with input ranges that have been consumed (lets a caller drop mapped pages).
  std::function<void(std::string_view)> release;
};

struct RegistryLoadResult {
  int64_t load_id = 0;
  uint64_t lines = 0;
  uint64_t added = 0;    // numbers newly listed
  uint64_t removed = 0;  // numbers lifted (change files)
  uint64_t skipped = 0;  // change-file lines for area codes not in the snapshot
  int area_codes = 0;    // area codes the file touched
  uint64_t total = 0;    // numbers in the whole snapshot afterwards
  double parse_seconds = 0;
  double store_seconds = 0;
};

// Parses `bytes` (plain, gzip or zip of one or many files) and stores the result as the new
// snapshot in one transaction; other server processes are told on channel leadline_dnc.
// A full file replaces the area codes it contains (and only those); a change file sets and
// clears bits of the stored ones (lines for area codes not stored are skipped and counted).
// Malformed lines fail the whole load (nothing stored) with kValidationFailed naming the first bad
// line; a first line without digits is taken as a header. Loads are serialised by an advisory lock.
// Memory: one bitmap per touched area code (at most 1.25 GB for all 1000, about 400 MB for today's
// registry) plus small buffers.
Result<RegistryLoadResult> LoadRegistry(db::Pool& pool, std::string_view bytes,
                                        const RegistryLoadOptions& options);

// Reads the stored snapshot's area codes newer than `base`'s version and returns `base` with
// them applied (a full read when `base` is null). One area code is in flight at a time, so
// the extra memory is one bitmap.
Result<std::shared_ptr<const NationalSnapshot>> ReadRegistrySnapshot(
    db::Pool& pool, std::shared_ptr<const NationalSnapshot> base);

// The registry's state for the API and the gate.
struct RegistryStatus {
  bool loaded = false;
  std::optional<std::string> as_of;      // oldest download date over the stored area codes
  std::optional<std::string> loaded_at;  // last load, RFC 3339
  int area_codes = 0;
  int64_t numbers = 0;
  int64_t age_days = 0;  // days since as_of (database clock)
};
Result<RegistryStatus> ReadRegistryStatus(db::Pool& pool);

// Registry data older than this blocks calls (problem type .../registry-stale).
inline constexpr int kRegistryMaxAgeDays = 31;

}  // namespace leadline::dnc
