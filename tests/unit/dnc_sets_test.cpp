// In-process DNC sets, registry file parsing and archives, and the calling-hours window.
#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <set>

#include "dnc/archive.h"
#include "dnc/compliance_gate.h"
#include "dnc/phone_set.h"
#include "dnc/registry.h"

namespace leadline::dnc {
namespace {

TEST(PhoneKey, ExactForE164) {
  EXPECT_EQ(PhoneKey("+12065550100").value_or(0), 12065550100ull);
  EXPECT_EQ(PhoneKey("+442079460958").value_or(0), 442079460958ull);
  EXPECT_EQ(PhoneKey("+123456789012345").value_or(0), 123456789012345ull);
  for (const char* bad :
       {"", "+", "12065550100", "+0206555010", "+1206555010a", "+123456", "+1234567890123456"}) {
    EXPECT_FALSE(PhoneKey(bad).has_value()) << bad;
  }
}

TEST(PhoneTable, NoFalsePositivesOrNegatives) {
  std::mt19937_64 rng(42);
  std::set<uint64_t> members;
  std::vector<std::pair<uint64_t, int64_t>> entries;
  while (members.size() < 50000) {
    uint64_t k = 12000000000ull + rng() % 8000000000ull;
    if (members.insert(k).second) entries.emplace_back(k, kNeverExpires);
  }
  PhoneTable t = PhoneTable::Build(entries);
  EXPECT_EQ(t.size(), members.size());
  for (uint64_t k : members) EXPECT_TRUE(t.Find(k).has_value());
  int probes = 0;
  for (int i = 0; i < 200000; ++i) {
    uint64_t k = 12000000000ull + rng() % 8000000000ull;
    EXPECT_EQ(t.Find(k).has_value(), members.contains(k));
    ++probes;
  }
  EXPECT_EQ(probes, 200000);
}

TEST(OrgList, ExpiryRemovalAndMerge) {
  const int64_t now = 1'800'000'000'000'000;
  OrgList base({{12065550100ull, kNeverExpires}, {12065550101ull, now + 10}});
  EXPECT_TRUE(base.Contains(12065550100ull, now));
  EXPECT_TRUE(base.Contains(12065550101ull, now));
  EXPECT_FALSE(base.Contains(12065550101ull, now + 10)) << "expired at its expires_at";
  EXPECT_FALSE(base.Contains(12065550102ull, now));

  auto next = base.With({{12065550100ull, kRemoved}, {12065550102ull, kNeverExpires}});
  EXPECT_FALSE(next->Contains(12065550100ull, now));
  EXPECT_TRUE(next->Contains(12065550102ull, now));
  EXPECT_TRUE(base.Contains(12065550100ull, now)) << "the old list is unchanged";

  // Enough changes to force a merge of the delta into the base.
  std::shared_ptr<const OrgList> list = next;
  std::vector<std::pair<uint64_t, int64_t>> many;
  for (uint64_t i = 0; i < OrgList::kMaxDelta + 10; ++i)
    many.emplace_back(13000000000ull + i, kNeverExpires);
  list = list->With(many);
  EXPECT_TRUE(list->Contains(13000000000ull, now));
  EXPECT_TRUE(list->Contains(12065550102ull, now));
  EXPECT_FALSE(list->Contains(12065550100ull, now));
  list = list->With({{13000000000ull, kRemoved}});
  EXPECT_FALSE(list->Contains(13000000000ull, now));
}

TEST(RegistryLine, FormatsAndFlags) {
  RegistryLine l;
  ASSERT_TRUE(ParseRegistryLine("206,5550100", &l));
  EXPECT_EQ(l.npa, 206);
  EXPECT_EQ(l.number, 5550100u);
  EXPECT_FALSE(l.deletion);
  ASSERT_TRUE(ParseRegistryLine("206-555-0100", &l));
  EXPECT_EQ(l.number, 5550100u);
  ASSERT_TRUE(ParseRegistryLine("(206) 555 0100", &l));
  ASSERT_TRUE(ParseRegistryLine("2065550100", &l));
  ASSERT_TRUE(ParseRegistryLine("206,5550100,D", &l));
  EXPECT_TRUE(l.deletion);
  ASSERT_TRUE(ParseRegistryLine("206,5550100,Add", &l));
  EXPECT_FALSE(l.deletion);
  ASSERT_TRUE(ParseRegistryLine("206,0000000", &l));
  EXPECT_EQ(l.number, 0u);
  for (const char* bad : {"", "AreaCode,PhoneNumber", "206,555010", "206,55501000", "106,5550100",
                          "206,5550100,X", "206,5550100,D7"}) {
    EXPECT_FALSE(ParseRegistryLine(bad, &l)) << bad;
  }
}

TEST(AreaBitmap, MatchesGetBitNumbering) {
  AreaBitmap b;
  EXPECT_TRUE(b.Set(9));
  EXPECT_FALSE(b.Set(9));
  EXPECT_EQ(b.data()[1], 0x02) << "bit n is byte n/8, bit n%8 (PostgreSQL get_bit)";
  EXPECT_TRUE(b.Test(9));
  EXPECT_TRUE(b.Set(AreaBitmap::kNumbers - 1));
  EXPECT_EQ(b.Count(), 2u);
  EXPECT_TRUE(b.Clear(9));
  EXPECT_FALSE(b.Test(9));
}

std::string Gzip(const std::string& s) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
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

std::string RawDeflate(const std::string& s) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
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

void Put16(std::string& s, uint16_t v) {
  s += static_cast<char>(v & 0xFF);
  s += static_cast<char>(v >> 8);
}
void Put32(std::string& s, uint32_t v) {
  Put16(s, static_cast<uint16_t>(v & 0xFFFF));
  Put16(s, static_cast<uint16_t>(v >> 16));
}

// A minimal zip writer for tests: members stored (method 0) or deflated (method 8).
std::string Zip(const std::vector<std::tuple<std::string, std::string, bool>>& members) {
  std::string out, central;
  for (const auto& [name, content, deflated] : members) {
    std::string data = deflated ? RawDeflate(content) : content;
    uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(content.data()),
                                               static_cast<uInt>(content.size())));
    uint32_t offset = static_cast<uint32_t>(out.size());
    Put32(out, 0x04034b50);
    Put16(out, 20);
    Put16(out, 0);
    Put16(out, deflated ? 8 : 0);
    Put16(out, 0);
    Put16(out, 0);
    Put32(out, crc);
    Put32(out, static_cast<uint32_t>(data.size()));
    Put32(out, static_cast<uint32_t>(content.size()));
    Put16(out, static_cast<uint16_t>(name.size()));
    Put16(out, 0);
    out += name;
    out += data;
    Put32(central, 0x02014b50);
    Put16(central, 20);
    Put16(central, 20);
    Put16(central, 0);
    Put16(central, deflated ? 8 : 0);
    Put16(central, 0);
    Put16(central, 0);
    Put32(central, crc);
    Put32(central, static_cast<uint32_t>(data.size()));
    Put32(central, static_cast<uint32_t>(content.size()));
    Put16(central, static_cast<uint16_t>(name.size()));
    Put16(central, 0);
    Put16(central, 0);
    Put16(central, 0);
    Put16(central, 0);
    Put32(central, 0);
    Put32(central, offset);
    central += name;
  }
  uint32_t cd_offset = static_cast<uint32_t>(out.size());
  out += central;
  Put32(out, 0x06054b50);
  Put16(out, 0);
  Put16(out, 0);
  Put16(out, static_cast<uint16_t>(members.size()));
  Put16(out, static_cast<uint16_t>(members.size()));
  Put32(out, static_cast<uint32_t>(central.size()));
  Put32(out, cd_offset);
  Put16(out, 0);
  return out;
}

std::string Collect(std::string_view bytes, std::vector<std::string>* names = nullptr) {
  std::string all;
  Status st = ForEachChunk(bytes, [&](std::string_view name, std::string_view chunk) {
    if (names && (names->empty() || names->back() != name)) names->emplace_back(name);
    all.append(chunk);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return all;
}

TEST(Archive, PlainGzipAndZip) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "206," + std::to_string(5550000 + i % 9999) + "\n";
  EXPECT_EQ(DetectArchive(text), ArchiveKind::kPlain);
  EXPECT_EQ(Collect(text), text);
  std::string gz = Gzip(text);
  EXPECT_EQ(DetectArchive(gz), ArchiveKind::kGzip);
  EXPECT_EQ(Collect(gz), text);
  EXPECT_EQ(Collect(gz + Gzip("x\n")), text + "x\n") << "concatenated gzip members";
  std::string zip =
      Zip({{"206.txt", text, true}, {"dir/", "", false}, {"425.txt", "425,1234567\n", false}});
  EXPECT_EQ(DetectArchive(zip), ArchiveKind::kZip);
  std::vector<std::string> names;
  EXPECT_EQ(Collect(zip, &names), text + "425,1234567\n");
  EXPECT_EQ(names, (std::vector<std::string>{"206.txt", "425.txt"}));
  EXPECT_FALSE(
      ForEachChunk(zip.substr(0, zip.size() / 2), [](auto, auto) { return Status::Ok(); }).ok());
}

TEST(NationalSnapshot, ContainsOnlyLoadedNanpNumbers) {
  auto area = std::make_shared<AreaBitmap>();
  area->Set(5550100);
  auto snap = std::make_shared<NationalSnapshot>()->With(206, area, 1, 7);
  EXPECT_TRUE(snap->Contains(12065550100ull));
  EXPECT_FALSE(snap->Contains(12065550101ull));
  EXPECT_FALSE(snap->Contains(14255550100ull));
  EXPECT_FALSE(snap->Contains(442065550100ull));
  EXPECT_EQ(snap->numbers(), 1u);
  EXPECT_EQ(snap->area_codes(), 1);
  EXPECT_EQ(snap->version(), 7);
}

TEST(NationalSnapshot, BatchLookupsMatchSingleOnes) {
  std::mt19937_64 rng(3);
  std::shared_ptr<const NationalSnapshot> snap = std::make_shared<NationalSnapshot>();
  for (int npa : {206, 425, 999}) {
    auto area = std::make_shared<AreaBitmap>();
    for (int i = 0; i < 100000; ++i) area->Set(static_cast<uint32_t>(rng() % 10'000'000));
    snap = snap->With(npa, area, area->Count(), 1);
  }
  std::vector<uint64_t> keys;
  for (int i = 0; i < 200000; ++i) {
    switch (i % 4) {
      case 0:  // a loaded area code
        keys.push_back(10'000'000'000ull + (i % 8 ? 206 : 999) * 10'000'000ull +
                       rng() % 10'000'000);
        break;
      case 1:  // another NANP area code
        keys.push_back(13'000'000'000ull + rng() % 1'000'000'000);
        break;
      case 2:  // outside NANP, and out-of-range keys
        keys.push_back(i % 3 ? 442'079'460'958ull + i : (i % 2 ? 0 : ~0ull));
        break;
      default:
        keys.push_back(14'250'000'000ull + rng() % 10'000'000);
    }
  }
  for (size_t n : {size_t{0}, size_t{1}, size_t{15}, size_t{17}, keys.size()}) {
    std::unique_ptr<bool[]> out(new bool[n + 1]);
    snap->ContainsBatch(keys.data(), n, out.get());
    size_t hits = 0;
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(out[i], snap->Contains(keys[i])) << i;
      hits += out[i];
    }
    if (n == keys.size()) {
      EXPECT_GT(hits, 500u);
    }
  }
}

// Not a test: the in-process lookup rates that bench/run.sh reports (BENCH_ONLY=dnc). Runs only
// with LEADLINE_DNC_BENCH=1; prints one "RESULT" line. A full-size registry snapshot (330 area
// codes, 258 million numbers, 412 MB) and a 100,000-number organization list, probed with
// random keys in the loaded area codes (each lookup touches the bitmap), on one thread.
TEST(DncLookupBench, InProcessLookupsPerSecond) {
  if (std::getenv("LEADLINE_DNC_BENCH") == nullptr) GTEST_SKIP() << "LEADLINE_DNC_BENCH not set";
  using Clock = std::chrono::steady_clock;
  std::mt19937_64 rng(11);
  std::shared_ptr<const NationalSnapshot> snap = std::make_shared<NationalSnapshot>();
  std::vector<int> npas;
  for (int npa = 201; npa <= 999 && npas.size() < 330; ++npa) {
    if (npa / 10 % 10 != 9 && npa % 100 != 11) npas.push_back(npa);
  }
  for (int npa : npas) {
    auto area = std::make_shared<AreaBitmap>();
    uint32_t count = 0;
    while (count < 781'818)
      count += area->Set(2'000'000 + static_cast<uint32_t>(rng() % 8'000'000));
    snap = snap->With(npa, area, count, 1);
  }
  constexpr size_t kKeys = 20'000'000;
  // Every key in a loaded area code: each lookup reads the bitmap (the costly case).
  constexpr uint64_t kLoadedTenths = 10;
  std::vector<uint64_t> keys(kKeys);
  for (auto& k : keys) {
    uint64_t r = rng();
    if (r % 10 < kLoadedTenths) {
      k = 10'000'000'000ull + npas[r % npas.size()] * 10'000'000ull + 2'000'000 +
          (r >> 20) % 8'000'000;
    } else {
      k = 12'000'000'000ull + (r >> 8) % 8'000'000'000ull;
    }
  }
  auto rate = [&](auto&& body) {
    double best = 0;
    for (int rep = 0; rep < 3; ++rep) {
      auto t0 = Clock::now();
      body();
      double s = std::chrono::duration<double>(Clock::now() - t0).count();
      best = std::max(best, kKeys / s);
    }
    return best;
  };
  size_t hits_single = 0, hits_batch = 0, hits_org = 0;
  double single = rate([&] {
    size_t h = 0;
    for (uint64_t k : keys) h += snap->Contains(k);
    hits_single = h;
  });
  std::unique_ptr<bool[]> out(new bool[1000]);
  double batch = rate([&] {
    size_t h = 0;
    for (size_t i = 0; i < kKeys; i += 1000) {
      snap->ContainsBatch(keys.data() + i, 1000, out.get());
      for (int j = 0; j < 1000; ++j) h += out[j];
    }
    hits_batch = h;
  });
  EXPECT_EQ(hits_single, hits_batch);
  std::vector<std::pair<uint64_t, int64_t>> entries;
  for (int i = 0; i < 100000; ++i) entries.emplace_back(keys[i * 7], kNeverExpires);
  OrgList org(entries);
  double org_rate = rate([&] {
    size_t h = 0;
    for (uint64_t k : keys) h += org.Contains(k, 0);
    hits_org = h;
  });
  EXPECT_GE(hits_org, 100000u);
  std::printf(
      "RESULT dnc_inprocess national_single_per_s=%.0f national_batch1000_per_s=%.0f "
      "org_single_per_s=%.0f national_numbers=%llu national_mb=%zu hit_share=%.4f\n",
      single, batch, org_rate, static_cast<unsigned long long>(snap->numbers()),
      snap->memory_bytes() >> 20, static_cast<double>(hits_single) / kKeys);
}

std::chrono::system_clock::time_point Utc(int y, int mo, int d, int h, int mi) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// The window is [08:00, 21:00) local time; checked in several zones, with DST.
TEST(CallingHours, EdgesInSeveralZones) {
  struct Case {
    const char* zone;
    int utc_offset_hours;  // on 2026-07-15 (summer)
  };
  for (Case c :
       {Case{"America/New_York", -4}, Case{"America/Los_Angeles", -7}, Case{"America/Chicago", -5},
        Case{"Pacific/Honolulu", -10}, Case{"America/Phoenix", -7}, Case{"Europe/London", 1}}) {
    auto local = [&](int h, int m) {
      return Utc(2026, 7, 15, h, m) - std::chrono::hours(c.utc_offset_hours);
    };
    auto inside = [&](int h, int m) {
      auto r = ComplianceGate::CheckCallingHours({c.zone}, local(h, m));
      EXPECT_EQ(r.size(), 1u);
      EXPECT_TRUE(r[0].known) << c.zone;
      return r[0].inside;
    };
    EXPECT_FALSE(inside(7, 59)) << c.zone;
    EXPECT_TRUE(inside(8, 0)) << c.zone;
    EXPECT_TRUE(inside(20, 59)) << c.zone;
    EXPECT_FALSE(inside(21, 0)) << c.zone;
  }
  auto r = ComplianceGate::CheckCallingHours({"America/New_York"}, Utc(2026, 1, 15, 13, 0));
  EXPECT_EQ(r[0].local_time, "2026-01-15T08:00:00") << "winter: UTC-5";
  EXPECT_TRUE(r[0].inside);
  EXPECT_FALSE(ComplianceGate::CheckCallingHours({"Not/AZone"}, Utc(2026, 1, 15, 13, 0))[0].known);
}

TEST(CallingHours, MultiZonePrefixNeedsEveryZoneInside) {
  // +1208 2xx spans America/Boise (UTC-6 in summer) and America/Los_Angeles (UTC-7).
  std::vector<std::string> zones = {"America/Boise", "America/Los_Angeles"};
  auto all_inside = [&](std::chrono::system_clock::time_point t) {
    bool ok = true;
    for (const auto& z : ComplianceGate::CheckCallingHours(zones, t)) ok = ok && z.inside;
    return ok;
  };
  // 08:00 in Los Angeles is 09:00 in Boise: the first moment inside both.
  EXPECT_FALSE(all_inside(Utc(2026, 7, 15, 14, 59)));  // LA 07:59, Boise 08:59
  EXPECT_TRUE(all_inside(Utc(2026, 7, 15, 15, 0)));    // LA 08:00
  // 21:00 in Boise is 20:00 in Los Angeles: the first moment outside.
  EXPECT_TRUE(all_inside(Utc(2026, 7, 16, 2, 59)));  // Boise 20:59
  EXPECT_FALSE(all_inside(Utc(2026, 7, 16, 3, 0)));  // Boise 21:00
}

}  // namespace
}  // namespace leadline::dnc
