// National registry loads against a real database: files larger than one read chunk, lines in
// the registry's own format and in the others the parser accepts, CR LF and LF, gzip, and
// malformed lines after a chunk boundary. The stored snapshot is compared bit for bit with
// the numbers written.
#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <set>

#include "dnc/registry.h"
#include "support/test_db.h"

namespace leadline::dnc {
namespace {

using testing::TestDatabase;

std::string Gzip(const std::string& s) {
  z_stream zs{};
  deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, s.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(s.data()));
  zs.avail_in = static_cast<uInt>(s.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

class RegistryLoad : public ::testing::Test {
 protected:
  void SetUp() override { db_ = TestDatabase::Create(); }

  static RegistryLoadOptions Full() {
    RegistryLoadOptions o;
    o.kind = RegistryFileKind::kFull;
    o.as_of = "2026-03-01";
    o.source_name = "test";
    return o;
  }

  // Every stored number as a key (NPA * 10^7 + number + 10^10).
  std::set<uint64_t> Stored() {
    auto snap = ReadRegistrySnapshot(db_->owner_pool(), nullptr);
    EXPECT_TRUE(snap.ok()) << snap.status().ToString();
    std::set<uint64_t> out;
    if (!snap.ok()) return out;
    for (int npa = 200; npa < 1000; ++npa) {
      if (!(*snap)->HasArea(npa)) continue;
      for (uint32_t n = 0; n < AreaBitmap::kNumbers; ++n) {
        uint64_t key = 10'000'000'000ull + npa * 10'000'000ull + n;
        if ((*snap)->Contains(key)) out.insert(key);
      }
    }
    return out;
  }

  std::unique_ptr<TestDatabase> db_;
};

TEST_F(RegistryLoad, LargeMixedFileRoundTripsExactly) {
  // ~6 MB: lines cross the 4 MB read chunks. Mostly the registry's format ("NPA,NNNNNNN" and
  // CR LF), with some lines in the other accepted forms and some duplicates.
  std::mt19937_64 rng(42);
  std::set<uint64_t> want;
  std::string text = "AreaCode,PhoneNumber\r\n";
  const int npas[] = {206, 425, 503, 999};
  for (int i = 0; i < 450000; ++i) {
    int npa = npas[rng() % 4];
    uint32_t n = static_cast<uint32_t>(rng() % 10'000'000);
    want.insert(10'000'000'000ull + npa * 10'000'000ull + n);
    char line[64];
    switch (rng() % 10) {
      case 0:
        std::snprintf(line, sizeof line, "(%03d) %03u-%04u\n", npa, n / 10000, n % 10000);
        break;
      case 1:
        std::snprintf(line, sizeof line, "%03d,%07u\n", npa, n);
        break;
      case 2:
        std::snprintf(line, sizeof line, "%03d-%03u-%04u\r\n", npa, n / 10000, n % 10000);
        break;
      default:
        std::snprintf(line, sizeof line, "%03d,%07u\r\n", npa, n);
    }
    text += line;
    if (i % 1000 == 0) text += line;  // a duplicate
  }
  text += "206,0000001";  // the last line without a line end
  want.insert(12060000001ull);
  ASSERT_GT(text.size(), 5u << 20);

  auto r = LoadRegistry(db_->owner_pool(), text, Full());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->added, want.size());
  EXPECT_EQ(r->total, want.size());
  EXPECT_EQ(r->area_codes, 4);
  EXPECT_EQ(r->lines, 450000u + 450 + 1);
  EXPECT_EQ(Stored(), want);

  // The same numbers gzipped: the same snapshot.
  auto g = LoadRegistry(db_->owner_pool(), Gzip(text), Full());
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->total, want.size());
  EXPECT_EQ(Stored(), want);
}

TEST_F(RegistryLoad, MalformedLinesAfterAChunkBoundaryFailWithTheirLineNumber) {
  std::string good;
  for (int i = 0; i < 400000; ++i) {
    char line[32];
    std::snprintf(line, sizeof line, "206,%07d\r\n", i);
    good += line;
  }
  ASSERT_GT(good.size(), 4u << 20);
  for (const std::string& bad : {std::string("206,55501x0\r\n"), std::string("199,5550100\r\n"),
                                 std::string("206,5550100,D\r\n"), std::string("206,555010\n")}) {
    auto r = LoadRegistry(db_->owner_pool(), good + bad + "206,5550101\r\n", Full());
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kValidationFailed) << bad;
    EXPECT_NE(r.status().message().find("400001"), std::string::npos)
        << bad << ": " << r.status().ToString();
  }
  EXPECT_TRUE(Stored().empty()) << "a failed load stores nothing";

  // In a change file a line without a flag is an addition, in either format.
  auto full = LoadRegistry(db_->owner_pool(), "206,5550100\n", Full());
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  RegistryLoadOptions changes = Full();
  changes.kind = RegistryFileKind::kChanges;
  auto c = LoadRegistry(db_->owner_pool(), "206,5550101\r\n206-555-0102\n206,5550100,D\n", changes);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->added, 2u);
  EXPECT_EQ(c->removed, 1u);
  EXPECT_EQ(Stored(), (std::set<uint64_t>{12065550101ull, 12065550102ull}));
}

}  // namespace
}  // namespace leadline::dnc
