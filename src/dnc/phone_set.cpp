#include "dnc/phone_set.h"

#include <bit>
#include <unordered_map>

namespace leadline::dnc {

std::optional<uint64_t> PhoneKey(std::string_view e164) {
  if (e164.size() < 8 || e164.size() > 16 || e164[0] != '+' || e164[1] == '0') {
    return std::nullopt;
  }
  uint64_t v = 0;
  for (size_t i = 1; i < e164.size(); ++i) {
    unsigned d = static_cast<unsigned char>(e164[i]) - '0';
    if (d > 9) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

PhoneTable PhoneTable::Build(const std::vector<std::pair<uint64_t, int64_t>>& entries) {
  PhoneTable t;
  if (entries.empty()) return t;
  size_t capacity = std::bit_ceil(std::max<size_t>(16, entries.size() * 2));
  t.slots_.resize(capacity);
  t.mask_ = capacity - 1;
  t.shift_ = 64 - std::countr_zero(capacity);
  for (const auto& [key, expires] : entries) {
    size_t i = t.Index(key);
    for (;;) {
      Slot& s = t.slots_[i];
      if (s.key == 0) {
        s.key = key;
        s.expires_us = expires;
        ++t.size_;
        break;
      }
      if (s.key == key) {
        s.expires_us = expires;
        break;
      }
      i = (i + 1) & t.mask_;
    }
  }
  return t;
}

std::vector<std::pair<uint64_t, int64_t>> PhoneTable::Entries() const {
  std::vector<std::pair<uint64_t, int64_t>> out;
  out.reserve(size_);
  for (const Slot& s : slots_) {
    if (s.key != 0) out.emplace_back(s.key, s.expires_us);
  }
  return out;
}

std::shared_ptr<const OrgList> OrgList::With(
    const std::vector<std::pair<uint64_t, int64_t>>& changes) const {
  std::vector<std::pair<uint64_t, int64_t>> delta = delta_->Entries();
  delta.insert(delta.end(), changes.begin(), changes.end());
  if (delta.size() <= kMaxDelta) {
    // Build keeps the last value per key, and `changes` come after the old delta.
    return std::shared_ptr<const OrgList>(
        new OrgList(base_, std::make_shared<PhoneTable>(PhoneTable::Build(delta))));
  }
  // Merge: base entries overridden by the delta; removals drop out.
  std::unordered_map<uint64_t, int64_t> merged;
  merged.reserve(base_->size() + delta.size());
  for (const auto& [k, e] : base_->Entries()) merged[k] = e;
  for (const auto& [k, e] : delta) merged[k] = e;
  std::vector<std::pair<uint64_t, int64_t>> live;
  live.reserve(merged.size());
  for (const auto& [k, e] : merged) {
    if (e != kRemoved) live.emplace_back(k, e);
  }
  return std::shared_ptr<const OrgList>(new OrgList(
      std::make_shared<PhoneTable>(PhoneTable::Build(live)), std::make_shared<PhoneTable>()));
}

}  // namespace leadline::dnc
