// Which rows of an import batch can be written while the batch before it is still being
// written. A row depends on an earlier one when the import would match them to each other:
// the same phone, or (unless every row is to be created) the same email. A batch's rows that
// share no such key with the previous batch, directly or through other rows of their own
// batch, meet exactly the decisions they would meet were the previous batch committed.
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "imports/import_job.h"
#include "imports/row_mapper.h"

namespace leadline::imports {

// The phones and emails by which `rows` can repeat one another under `dedupe`.
class BatchKeys {
 public:
  BatchKeys() = default;
  BatchKeys(const std::vector<StagedRow>& rows, DedupePolicy dedupe);

  bool Contains(const std::string& key) const { return keys_.count(key) > 0; }
  bool empty() const { return keys_.empty(); }

 private:
  std::unordered_set<std::string> keys_;
};

// For each of `rows` (in file order), whether it shares a key with `previous` or with a row
// that does: such a row must wait for the previous batch to commit.
std::vector<bool> RowsThatWait(const std::vector<StagedRow>& rows, const BatchKeys& previous,
                               DedupePolicy dedupe);

}  // namespace leadline::imports
