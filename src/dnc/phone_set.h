// Exact in-process phone-number sets for Do-Not-Call lookups: numbers as 64-bit keys, an
// immutable open-addressing table, and an organization's list as base table + small delta.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace leadline::dnc {

// An E.164 number as an integer: "+12065550100" -> 12065550100. E.164 numbers have at most 15
// digits and never a leading zero, so the mapping is exact and never 0. nullopt when `e164`
// is not '+' followed by 7..15 ASCII digits (the stored form, see phone::NormalizeToE164).
std::optional<uint64_t> PhoneKey(std::string_view e164);

// Expiry instants are microseconds since the Unix epoch.
inline constexpr int64_t kNeverExpires = std::numeric_limits<int64_t>::max();
// In a delta table: the number was removed (hides any base entry).
inline constexpr int64_t kRemoved = std::numeric_limits<int64_t>::min();

// Immutable hash table key -> expiry, linear probing, load factor <= 1/2, so a lookup is one
// multiply and usually one cache line. Build with the Builder, then share read-only: any
// number of threads may call Find concurrently.
class PhoneTable {
 public:
  struct Slot {
    uint64_t key = 0;  // 0 = empty
    int64_t expires_us = 0;
  };

  PhoneTable() = default;
  // Builds from (key, expiry) pairs; later pairs win for duplicate keys. Keys must not be 0.
  static PhoneTable Build(const std::vector<std::pair<uint64_t, int64_t>>& entries);

  // The expiry stored for `key`, or nullopt.
  std::optional<int64_t> Find(uint64_t key) const {
    if (slots_.empty()) return std::nullopt;
    size_t i = Index(key);
    for (;;) {
      const Slot& s = slots_[i];
      if (s.key == key) return s.expires_us;
      if (s.key == 0) return std::nullopt;
      i = (i + 1) & mask_;
    }
  }
  size_t size() const { return size_; }
  size_t memory_bytes() const { return slots_.size() * sizeof(Slot); }
  // Every (key, expiry), in no particular order.
  std::vector<std::pair<uint64_t, int64_t>> Entries() const;

 private:
  size_t Index(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;
};

// One organization's list at one moment: immutable. Lookups check the small delta (recent
// changes, including removals) and then the base. Applying changes makes a new OrgList
// that shares the base until the delta grows past kMaxDelta, when the two are merged.
class OrgList {
 public:
  static constexpr size_t kMaxDelta = 4096;

  OrgList() : base_(std::make_shared<PhoneTable>()), delta_(std::make_shared<PhoneTable>()) {}
  explicit OrgList(const std::vector<std::pair<uint64_t, int64_t>>& entries)
      : base_(std::make_shared<PhoneTable>(PhoneTable::Build(entries))),
        delta_(std::make_shared<PhoneTable>()) {}

  // True when `key` is listed and not expired at `now_us`.
  bool Contains(uint64_t key, int64_t now_us) const {
    if (auto d = delta_->Find(key)) return *d > now_us;
    if (auto b = base_->Find(key)) return *b > now_us;
    return false;
  }

  // A new list with `changes` applied: (key, expiry) to list or re-list, (key, kRemoved) to
  // lift an entry.
  std::shared_ptr<const OrgList> With(
      const std::vector<std::pair<uint64_t, int64_t>>& changes) const;

  size_t memory_bytes() const { return base_->memory_bytes() + delta_->memory_bytes(); }

 private:
  OrgList(std::shared_ptr<const PhoneTable> base, std::shared_ptr<const PhoneTable> delta)
      : base_(std::move(base)), delta_(std::move(delta)) {}
  std::shared_ptr<const PhoneTable> base_;
  std::shared_ptr<const PhoneTable> delta_;
};

}  // namespace leadline::dnc
