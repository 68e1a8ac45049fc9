// Which rows of a batch may be written beside the previous batch: those that share no phone or
// email with it, directly or through other rows of their batch.
#include "imports/batch_dependencies.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace leadline::imports {
namespace {

StagedRow Row(int64_t seq, const char* phone, const char* email) {
  StagedRow r;
  r.seq = seq;
  if (phone != nullptr) r.lead.phone.Set(phone);
  if (email != nullptr) r.lead.email.Set(email);
  return r;
}

StagedRow Failed(int64_t seq, const char* phone) {
  StagedRow r = Row(seq, phone, nullptr);
  r.error = "phone: invalid";
  return r;
}

struct Split {
  std::vector<int64_t> independent, waiting;  // seqs, in file order
};

Split SplitRows(const std::vector<StagedRow>& rows, const BatchKeys& previous,
                DedupePolicy dedupe) {
  const std::vector<bool> waits = RowsThatWait(rows, previous, dedupe);
  EXPECT_EQ(waits.size(), rows.size());
  Split split;
  for (size_t i = 0; i < rows.size(); ++i) {
    (waits[i] ? split.waiting : split.independent).push_back(rows[i].seq);
  }
  return split;
}

const std::vector<StagedRow> kPrevious = {Row(1, "+12065550100", "ada@example.com"),
                                          Row(2, "+12065550101", nullptr),
                                          Failed(3, "+12065550199")};

TEST(BatchDependencies, WithoutAPreviousBatchEveryRowIsIndependent) {
  Split split = SplitRows({Row(4, "+12065550100", nullptr), Row(5, nullptr, "a@x.io")}, BatchKeys(),
                          DedupePolicy::kSkip);
  EXPECT_EQ(split.independent, (std::vector<int64_t>{4, 5}));
  EXPECT_TRUE(split.waiting.empty());
}

TEST(BatchDependencies, RowsSharingAPhoneOrEmailWithThePreviousBatchWait) {
  Split split = SplitRows(
      {Row(4, "+12065550102", nullptr), Row(5, "+12065550103", "ada@example.com"),  // its email
       Row(6, "+12065550101", "new@example.com"),                                   // its phone
       Row(7, nullptr, "other@example.com")},
      BatchKeys(kPrevious, DedupePolicy::kSkip), DedupePolicy::kSkip);
  EXPECT_EQ(split.independent, (std::vector<int64_t>{4, 7}));
  EXPECT_EQ(split.waiting, (std::vector<int64_t>{5, 6}));
}

TEST(BatchDependencies, RowsJoinedToAWaitingRowWaitWithIt) {
  // 9 shares 8's email, 8 shares 5's phone, 5 shares the previous batch's email: all three
  // wait, in file order; 6 and 7 are unrelated to any of them.
  Split split =
      SplitRows({Row(5, "+12065550110", "ada@example.com"), Row(6, "+12065550111", "b@example.com"),
                 Row(7, "+12065550112", nullptr), Row(8, "+12065550110", "c@example.com"),
                 Row(9, "+12065550113", "c@example.com")},
                BatchKeys(kPrevious, DedupePolicy::kSkip), DedupePolicy::kSkip);
  EXPECT_EQ(split.independent, (std::vector<int64_t>{6, 7}));
  EXPECT_EQ(split.waiting, (std::vector<int64_t>{5, 8, 9}));
}

TEST(BatchDependencies, UnderCreateOnlyPhonesJoinRows) {
  Split split =
      SplitRows({Row(4, "+12065550120", "ada@example.com"), Row(5, "+12065550100", nullptr)},
                BatchKeys(kPrevious, DedupePolicy::kCreate), DedupePolicy::kCreate);
  EXPECT_EQ(split.independent, (std::vector<int64_t>{4}));
  EXPECT_EQ(split.waiting, (std::vector<int64_t>{5}));
}

TEST(BatchDependencies, FailedRowsMatchNothing) {
  // The previous batch's failed row 3 holds no key, and a failed row here joins nothing.
  Split split = SplitRows({Row(4, "+12065550199", nullptr), Failed(5, "+12065550100")},
                          BatchKeys(kPrevious, DedupePolicy::kSkip), DedupePolicy::kSkip);
  EXPECT_EQ(split.independent, (std::vector<int64_t>{4, 5}));
  EXPECT_TRUE(split.waiting.empty());
}

}  // namespace
}  // namespace leadline::imports
