// Unit tests for the phone prefix -> time zone table, against the real data file and small
// hand-written tables.
#include "phone/phone_timezones.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#ifndef LEADLINE_SOURCE_DIR
#error "define LEADLINE_SOURCE_DIR as the repository root (a string literal) to build this test"
#endif

namespace leadline::phone {
namespace {

using Zones = std::vector<std::string>;

const std::string kDataFile =
    std::string(LEADLINE_SOURCE_DIR) + "/data/phone-timezones/map_data.txt";

PhoneTimezones LoadRealTable() {
  Result<PhoneTimezones> r = PhoneTimezones::LoadFromFile(kDataFile);
  if (r.ok()) return std::move(r).value();
  ADD_FAILURE() << "cannot load " << kDataFile << ": " << r.status().ToString();
  return *PhoneTimezones::LoadFromString("0|Etc/UTC");  // lets the remaining checks fail cleanly
}

// The shipped table, loaded once for the whole suite (it is immutable, so sharing is safe).
const PhoneTimezones& RealTable() {
  static const PhoneTimezones table = LoadRealTable();
  return table;
}

PhoneTimezones Table(std::string_view text) {
  Result<PhoneTimezones> r = PhoneTimezones::LoadFromString(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : *PhoneTimezones::LoadFromString("0|Etc/UTC");
}

// --- the shipped data ---

TEST(PhoneTimezonesData, LoadsEveryEntry) {
  // 3,295 prefix lines in the shipped file; a big drop would mean lines were skipped.
  EXPECT_GT(RealTable().size(), 3000u);
}

TEST(PhoneTimezonesData, UsSingleZonePrefix) {
  EXPECT_EQ(RealTable().ZonesFor("+12065550100"), Zones{"America/Los_Angeles"});
  EXPECT_EQ(RealTable().ZonesFor("+12125550100"), Zones{"America/New_York"});
  EXPECT_EQ(RealTable().ZonesFor("+13125550100"), Zones{"America/Chicago"});
}

TEST(PhoneTimezonesData, MultiZonePrefix) {
  // Idaho's 208 area code spans Mountain and Pacific time; "12082" lists both.
  EXPECT_EQ(RealTable().ZonesFor("+12082024567"), (Zones{"America/Boise", "America/Los_Angeles"}));
  const Zones uk = RealTable().ZonesFor("+447011123456");  // "4470": UK personal numbers
  EXPECT_EQ(uk, (Zones{"Europe/Guernsey", "Europe/Isle_of_Man", "Europe/London"}));
}

TEST(PhoneTimezonesData, LongestPrefixWins) {
  const PhoneTimezones& t = RealTable();
  EXPECT_EQ(t.ZonesFor("+12082011234"), Zones{"America/Denver"});       // "1208201"
  EXPECT_EQ(t.ZonesFor("+12082151234"), Zones{"America/Los_Angeles"});  // "1208215"
  EXPECT_EQ(t.ZonesFor("+12082021234"), (Zones{"America/Boise", "America/Los_Angeles"}));
  EXPECT_EQ(t.ZonesFor("+442079460958"), Zones{"Europe/London"});    // "442"
  EXPECT_EQ(t.ZonesFor("+441481123456"), Zones{"Europe/Guernsey"});  // "441481" over "441"
  EXPECT_EQ(t.ZonesFor("+441534123456"), Zones{"Europe/Jersey"});    // "441534" over "441"
  EXPECT_EQ(t.ZonesFor("+441611234567"), Zones{"Europe/London"});    // "441"
}

TEST(PhoneTimezonesData, CountryLevelEntries) {
  EXPECT_EQ(RealTable().ZonesFor("+493012345678"), Zones{"Europe/Berlin"});
  EXPECT_EQ(RealTable().ZonesFor("+919876543210"), Zones{"Asia/Calcutta"});
  // A +1 number outside every area-code entry falls back to the whole-country list.
  EXPECT_GT(RealTable().ZonesFor("+15555550100").size(), 10u);
}

TEST(PhoneTimezonesData, UnknownPrefixIsEmpty) {
  EXPECT_TRUE(RealTable().ZonesFor("+99912345678").empty());
  EXPECT_TRUE(RealTable().ZonesFor("+80012345678").empty());
}

TEST(PhoneTimezonesData, MalformedQueriesAreEmpty) {
  const PhoneTimezones& t = RealTable();
  EXPECT_TRUE(t.ZonesFor("").empty());
  EXPECT_TRUE(t.ZonesFor("+").empty());
  EXPECT_TRUE(t.ZonesFor("12065550100").empty());      // no '+'
  EXPECT_TRUE(t.ZonesFor("+1 206 555 0100").empty());  // not E.164
  EXPECT_TRUE(t.ZonesFor("+1206555010a").empty());
  EXPECT_TRUE(t.ZonesFor("+1206555010012345").empty());  // 16 digits
}

TEST(PhoneTimezonesData, ConcurrentReaders) {
  const PhoneTimezones& t = RealTable();
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&t, &failures, i] {
      for (int n = 0; n < 2000; ++n) {
        if (t.ZonesFor("+12065550100") != Zones{"America/Los_Angeles"}) ++failures[i];
        if (t.ZonesFor("+12082011234") != Zones{"America/Denver"}) ++failures[i];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

// --- parsing rules on small tables ---

TEST(PhoneTimezonesParse, CommentsBlankLinesAndCrlf) {
  PhoneTimezones t = Table(
      "# header\r\n"
      "\r\n"
      "  # indented comment\n"
      "1|America/New_York&America/Chicago\r\n"
      "1206|America/Los_Angeles\r\n"
      "44 | Europe/London \n");  // no trailing newline needed either
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.ZonesFor("+12065550100"), Zones{"America/Los_Angeles"});
  EXPECT_EQ(t.ZonesFor("+13125550100"), (Zones{"America/New_York", "America/Chicago"}));
  EXPECT_EQ(t.ZonesFor("+442079460958"), Zones{"Europe/London"});
  EXPECT_TRUE(t.ZonesFor("+33123456789").empty());
}

TEST(PhoneTimezonesParse, LongestPrefixWinsRegardlessOfFileOrder) {
  PhoneTimezones t = Table("1234567|Zone/Long\n12|Zone/Short\n12345|Zone/Mid");
  EXPECT_EQ(t.ZonesFor("+12345678"), Zones{"Zone/Long"});
  EXPECT_EQ(t.ZonesFor("+12345999"), Zones{"Zone/Mid"});
  EXPECT_EQ(t.ZonesFor("+12999999"), Zones{"Zone/Short"});
  EXPECT_EQ(t.ZonesFor("+12"), Zones{"Zone/Short"});
  EXPECT_TRUE(t.ZonesFor("+1").empty());
  EXPECT_TRUE(t.ZonesFor("+13456789").empty());
}

TEST(PhoneTimezonesParse, PrefixesDifferingByLeadingZerosStayDistinct) {
  PhoneTimezones t = Table("10|Zone/A\n100|Zone/B\n1000|Zone/C");
  EXPECT_EQ(t.ZonesFor("+1012345"), Zones{"Zone/A"});
  EXPECT_EQ(t.ZonesFor("+1001234"), Zones{"Zone/B"});
  EXPECT_EQ(t.ZonesFor("+1000123"), Zones{"Zone/C"});
}

TEST(PhoneTimezonesParse, SharedZoneListsAreReturnedIntact) {
  PhoneTimezones t = Table("1201|America/New_York\n1202|America/New_York\n1203|Etc/GMT+5");
  EXPECT_EQ(t.ZonesFor("+12015550100"), Zones{"America/New_York"});
  EXPECT_EQ(t.ZonesFor("+12025550100"), Zones{"America/New_York"});
  EXPECT_EQ(t.ZonesFor("+12035550100"), Zones{"Etc/GMT+5"});
}

TEST(PhoneTimezonesParse, RejectsMalformedTables) {
  const char* bad[] = {
      "",                                               // no entries
      "# only a comment\n",                             // no entries
      "1206 America/Los_Angeles",                       // no '|'
      "|America/Los_Angeles",                           // empty prefix
      "12a6|America/Los_Angeles",                       // non-digit prefix
      "+1206|America/Los_Angeles",                      // '+' not allowed in the file
      "1234567890123456|Etc/UTC",                       // 16 digits
      "1206|",                                          // no zone
      "1206|America/Los_Angeles&",                      // empty zone
      "1206|America/Los Angeles",                       // space in a zone name
      "1206|America/Los_Angeles\n1206|America/Denver",  // duplicate prefix
  };
  for (const char* text : bad) {
    Result<PhoneTimezones> r = PhoneTimezones::LoadFromString(text);
    EXPECT_FALSE(r.ok()) << "accepted: " << text;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << text;
    }
  }
}

TEST(PhoneTimezonesParse, ErrorNamesTheLine) {
  Result<PhoneTimezones> r = PhoneTimezones::LoadFromString("# c\n1|Etc/UTC\nbroken\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 3"), std::string::npos) << r.status().message();
}

TEST(PhoneTimezonesParse, FifteenDigitPrefixIsAllowed) {
  PhoneTimezones t = Table("123456789012345|Etc/UTC");
  EXPECT_EQ(t.ZonesFor("+123456789012345"), Zones{"Etc/UTC"});
  EXPECT_TRUE(t.ZonesFor("+12345678901234").empty());
}

// --- files and paths ---

TEST(PhoneTimezonesFile, MissingFileIsNotFound) {
  Result<PhoneTimezones> r = PhoneTimezones::LoadFromFile(kDataFile + ".does-not-exist");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST(PhoneTimezonesFile, DirectoryIsRejected) {
  Result<PhoneTimezones> r =
      PhoneTimezones::LoadFromFile(std::string(LEADLINE_SOURCE_DIR) + "/data/phone-timezones");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

// The binary carries the table: it must be the repository's file as of this build, whole.
TEST(PhoneTimezonesEmbedded, IsTheRepositorysTable) {
  std::ifstream in(kDataFile, std::ios::binary);
  ASSERT_TRUE(in) << kDataFile;
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(EmbeddedPhoneTimezonesText(), file);
}

TEST(LoadPhoneTimezones, NoFileGivesTheBuiltInTable) {
  Result<PhoneTimezones> r = LoadPhoneTimezones("");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size(), RealTable().size());
  EXPECT_EQ(r->ZonesFor("+12065550100"), Zones{"America/Los_Angeles"});
}

TEST(LoadPhoneTimezones, AFileReplacesTheBuiltInTable) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "leadline_phone_tz_override.txt";
  {
    std::ofstream out(path);
    out << "# a table of one prefix\n1206|Pacific/Honolulu\n";
  }
  Result<PhoneTimezones> r = LoadPhoneTimezones(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size(), 1u);
  EXPECT_EQ(r->ZonesFor("+12065550100"), Zones{"Pacific/Honolulu"});
  EXPECT_TRUE(r->ZonesFor("+14155550100").empty());
}

// A named file that is missing is an error, not a quiet fall-back to the built-in table.
TEST(LoadPhoneTimezones, AMissingFileIsAnError) {
  Result<PhoneTimezones> r = LoadPhoneTimezones("/nonexistent/map_data.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

// setenv/unsetenv are only safe while no other thread reads the environment: these tests run
// on the main thread and restore the variable before returning.
class EnvironmentFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* v = std::getenv("LEADLINE_PHONE_TZ_FILE")) saved_ = v;
  }
  void TearDown() override {
    if (saved_) {
      setenv("LEADLINE_PHONE_TZ_FILE", saved_->c_str(), 1);
    } else {
      unsetenv("LEADLINE_PHONE_TZ_FILE");
    }
  }
  std::optional<std::string> saved_;
};

TEST_F(EnvironmentFileTest, TheVariableNamesTheFile) {
  setenv("LEADLINE_PHONE_TZ_FILE", "/nonexistent/map_data.txt", 1);
  EXPECT_EQ(PhoneTimezonesFileFromEnvironment(), "/nonexistent/map_data.txt");
}

TEST_F(EnvironmentFileTest, UnsetOrEmptyMeansTheBuiltInTable) {
  unsetenv("LEADLINE_PHONE_TZ_FILE");
  EXPECT_EQ(PhoneTimezonesFileFromEnvironment(), "");
  setenv("LEADLINE_PHONE_TZ_FILE", "", 1);
  EXPECT_EQ(PhoneTimezonesFileFromEnvironment(), "");
}

}  // namespace
}  // namespace leadline::phone
