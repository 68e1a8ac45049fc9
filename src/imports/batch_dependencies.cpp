#include "imports/batch_dependencies.h"

#include <numeric>
#include <unordered_map>

namespace leadline::imports {
namespace {

// The keys of one row ("p:" phone, "e:" email), none for a failed row.
std::vector<std::string> RowKeys(const StagedRow& row, DedupePolicy dedupe) {
  std::vector<std::string> keys;
  if (row.error) return keys;
  if (const auto& phone = row.lead.phone.value) keys.push_back("p:" + *phone);
  // Under `create` rows are matched by phone only: two live leads may share an email.
  if (const auto& email = row.lead.email.value; email && dedupe != DedupePolicy::kCreate) {
    keys.push_back("e:" + *email);
  }
  return keys;
}

}  // namespace

BatchKeys::BatchKeys(const std::vector<StagedRow>& rows, DedupePolicy dedupe) {
  for (const StagedRow& row : rows) {
    for (std::string& key : RowKeys(row, dedupe)) keys_.insert(std::move(key));
  }
}

namespace {

// Rows joined by shared keys (union-find with path halving).
class RowGroups {
 public:
  explicit RowGroups(size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }

  size_t Find(size_t i) {
    while (parent_[i] != i) {
      parent_[i] = parent_[parent_[i]];
      i = parent_[i];
    }
    return i;
  }
  void Join(size_t a, size_t b) { parent_[Find(a)] = Find(b); }

 private:
  std::vector<size_t> parent_;
};

}  // namespace

std::vector<bool> RowsThatWait(const std::vector<StagedRow>& rows, const BatchKeys& previous,
                               DedupePolicy dedupe) {
  std::vector<bool> waits(rows.size(), false);
  if (previous.empty()) return waits;
  RowGroups groups(rows.size());
  std::unordered_map<std::string, size_t> first_with_key;
  std::vector<bool> touches_previous(rows.size(), false);
  for (size_t i = 0; i < rows.size(); ++i) {
    for (std::string& key : RowKeys(rows[i], dedupe)) {
      if (previous.Contains(key)) touches_previous[i] = true;
      auto [it, inserted] = first_with_key.emplace(std::move(key), i);
      if (!inserted) groups.Join(i, it->second);
    }
  }
  std::vector<bool> waiting_group(rows.size(), false);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (touches_previous[i]) waiting_group[groups.Find(i)] = true;
  }
  for (size_t i = 0; i < rows.size(); ++i) waits[i] = waiting_group[groups.Find(i)];
  return waits;
}

}  // namespace leadline::imports
