// Tests for the streaming CSV reader: quoting, line ends, delimiters, blank lines, text
// checks, recovery from stray quotes, and records across read-block boundaries.
#include "imports/csv_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "imports/record_reader.h"

namespace leadline::imports {
namespace {

namespace fs = std::filesystem;

using Rows = std::vector<std::vector<std::string>>;

class CsvReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("leadline-csv-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(std::string_view content, const std::string& name = "in.csv") {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary).write(content.data(), std::streamsize(content.size()));
    return path;
  }

  std::unique_ptr<RecordReader> Open(std::string_view content,
                                     std::optional<char> delimiter = std::nullopt,
                                     const CsvTuning& tuning = {}) {
    auto r = OpenCsvReader(Write(content), delimiter, tuning);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : nullptr;
  }

  std::vector<Record> ReadAll(std::string_view content,
                              std::optional<char> delimiter = std::nullopt,
                              const CsvTuning& tuning = {}) {
    std::vector<Record> out;
    auto reader = Open(content, delimiter, tuning);
    if (!reader) return out;
    Record r;
    for (;;) {
      auto more = reader->Next(r);
      EXPECT_TRUE(more.ok()) << more.status().ToString();
      if (!more.ok() || !*more) break;
      out.push_back(r);
    }
    EXPECT_EQ(reader->bytes_read(), reader->bytes_total());
    return out;
  }

  static Rows Fields(const std::vector<Record>& records) {
    Rows rows;
    for (const Record& r : records) rows.push_back(r.fields);
    return rows;
  }

  fs::path dir_;
};

TEST_F(CsvReaderTest, ReadsHeaderAndRowsWithLf) {
  auto records = ReadAll("email,first_name\na@x.com,Ann\nb@x.com,Bob\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(Fields(records),
            (Rows{{"email", "first_name"}, {"a@x.com", "Ann"}, {"b@x.com", "Bob"}}));
  EXPECT_EQ(records[0].line, 1);
  EXPECT_EQ(records[2].line, 3);
  EXPECT_EQ(records[1].raw, "a@x.com,Ann");
  for (const Record& r : records) EXPECT_TRUE(r.error.empty());
}

TEST_F(CsvReaderTest, CrlfAndLoneCrAndMixedLineEnds) {
  EXPECT_EQ(Fields(ReadAll("a,b\r\n1,2\r\n3,4\r\n")), (Rows{{"a", "b"}, {"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(Fields(ReadAll("a,b\r1,2\r3,4")), (Rows{{"a", "b"}, {"1", "2"}, {"3", "4"}}));
  auto mixed = ReadAll("a,b\r\n1,2\n3,4\r5,6");
  EXPECT_EQ(Fields(mixed), (Rows{{"a", "b"}, {"1", "2"}, {"3", "4"}, {"5", "6"}}));
  ASSERT_EQ(mixed.size(), 4u);
  EXPECT_EQ(mixed[3].line, 4);
  EXPECT_EQ(mixed[1].raw, "1,2");
}

TEST_F(CsvReaderTest, LastRecordWithoutLineEnd) {
  auto records = ReadAll("a,b\n1,2");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(records[1].raw, "1,2");
}

TEST_F(CsvReaderTest, EmptyFileAndHeaderOnly) {
  EXPECT_TRUE(ReadAll("").empty());
  EXPECT_TRUE(ReadAll("\xEF\xBB\xBF").empty());
  EXPECT_EQ(ReadAll("a,b\n").size(), 1u);
}

TEST_F(CsvReaderTest, StripsUtf8Bom) {
  auto records = ReadAll(
      "\xEF\xBB\xBF"
      "email,name\nx@y.z,Zoë\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].fields[0], "email");
  EXPECT_EQ(records[0].raw, "email,name");
  EXPECT_EQ(records[1].fields[1], "Zoë");
}

TEST_F(CsvReaderTest, QuotedDelimitersNewlinesAndEscapedQuotes) {
  std::string text =
      "name,note,city\n"
      "\"Smith, Ann\",\"line one\nline two\",Paris\n"
      "\"say \"\"hi\"\"\",\"\",\"\"\"\"\n"
      "Bob,\"crlf\r\ninside\",Rome\n";
  auto records = ReadAll(text);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[1].fields,
            (std::vector<std::string>{"Smith, Ann", "line one\nline two", "Paris"}));
  EXPECT_EQ(records[2].fields, (std::vector<std::string>{"say \"hi\"", "", "\""}));
  EXPECT_EQ(records[3].fields, (std::vector<std::string>{"Bob", "crlf\r\ninside", "Rome"}));
  // Physical lines: the quoted newline moves every later record down one line.
  EXPECT_EQ(records[1].line, 2);
  EXPECT_EQ(records[2].line, 4);
  EXPECT_EQ(records[3].line, 5);
  EXPECT_EQ(records[1].raw, "\"Smith, Ann\",\"line one\nline two\",Paris");
  EXPECT_EQ(records[2].raw, "\"say \"\"hi\"\"\",\"\",\"\"\"\"");
  EXPECT_EQ(records[3].raw, "Bob,\"crlf\r\ninside\",Rome");
}

TEST_F(CsvReaderTest, LineNumbersCountEveryKindOfLineEndInsideQuotes) {
  auto records = ReadAll("h\n\"a\rb\r\nc\nd\"\nnext\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].line, 2);
  EXPECT_EQ(records[1].fields[0], "a\rb\r\nc\nd");
  EXPECT_EQ(records[2].line, 6);
}

TEST_F(CsvReaderTest, TextAfterClosingQuoteIsKept) {
  auto records = ReadAll("a,b\n\"ab\"c,x\"y\"z\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"abc", "x\"y\"z"}));
}

TEST_F(CsvReaderTest, DetectsDelimiters) {
  struct Case {
    std::string text;
    char delimiter;
  };
  std::vector<Case> cases = {
      {"a,b,c\n1,2,3\n", ','},
      {"a;b;c\n1;2,5;3\n", ';'},
      {"a\tb\tc\n1\t2\t3\n", '\t'},
      {"a|b|c\n1|2|3\n", '|'},
      {"single\nvalue\n", ','},
      {"", ','},
      // Delimiters inside quotes do not count.
      {"\"a;b;c;d\",e\n\"1;2;3;4\",5\n", ','},
      // A comma inside one header of a semicolon file: both split consistently, and the
      // semicolon gives more columns.
      {"Name;Street, No;City\nBob;Main, 5;Paris\n", ';'},
      // The header has no comma at all.
      {"name;amount\nBob;1,5\nAnn;2\nCid;3,25\n", ';'},
      {"\xEF\xBB\xBFid;email\n1;a@b.c\n", ';'},
  };
  for (const Case& c : cases) {
    auto reader = Open(c.text);
    ASSERT_NE(reader, nullptr);
    EXPECT_EQ(reader->delimiter(), c.delimiter) << c.text;
  }
  auto semicolon = ReadAll("a;b\n\"x;y\";z\n");
  EXPECT_EQ(Fields(semicolon), (Rows{{"a", "b"}, {"x;y", "z"}}));
  EXPECT_EQ(DetectDelimiter("a|b\n1|2"), '|');
}

TEST_F(CsvReaderTest, ExplicitDelimiterWins) {
  auto reader = Open("a;b,c\n1;2,3\n", ';');
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->delimiter(), ';');
  EXPECT_EQ(Fields(ReadAll("a;b,c\n1;2,3\n", ',')), (Rows{{"a;b", "c"}, {"1;2", "3"}}));
  EXPECT_FALSE(OpenCsvReader(Write("a"), '"').ok());
}

TEST_F(CsvReaderTest, SkipsBlankLinesAndKeepsLineNumbers) {
  auto records = ReadAll("\n\r\nemail,name\n\n  \n,,\n \t, \na@b.c,Ann\r\n\r\n\nb@c.d,Bob\n\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].line, 3);
  EXPECT_EQ(records[1].line, 8);
  EXPECT_EQ(records[2].line, 11);
  EXPECT_EQ(records[2].fields[1], "Bob");
  // A quoted empty field is data, not a blank line.
  auto quoted = ReadAll("a\n\"\"\n");
  ASSERT_EQ(quoted.size(), 2u);
  EXPECT_EQ(quoted[1].fields, (std::vector<std::string>{""}));
}

TEST_F(CsvReaderTest, RaggedRowsAreReturnedAsIs) {
  EXPECT_EQ(Fields(ReadAll("a,b,c\n1\n1,2,3,4,5\n1,2,\n")),
            (Rows{{"a", "b", "c"}, {"1"}, {"1", "2", "3", "4", "5"}, {"1", "2", ""}}));
}

TEST_F(CsvReaderTest, InvalidUtf8FailsOnlyItsRecord) {
  auto records = ReadAll(
      "a,b\n"
      "ok,caf\xE9\n"          // Latin-1
      "\xC0\xAF,x\n"          // overlong '/'
      "x,\xED\xA0\x80\n"      // surrogate
      "x,\xF4\x90\x80\x80\n"  // above U+10FFFF
      "x,\xE2\x82\n"          // truncated sequence
      "fine,\xE2\x82\xAC\n");
  ASSERT_EQ(records.size(), 7u);
  EXPECT_EQ(records[1].error, "invalid UTF-8 in column 2 (save the file as UTF-8)");
  EXPECT_EQ(records[1].raw, "ok,caf\xE9");
  EXPECT_EQ(records[1].line, 2);
  EXPECT_NE(records[2].error.find("column 1"), std::string::npos);
  EXPECT_NE(records[3].error.find("column 2"), std::string::npos);
  EXPECT_NE(records[4].error.find("column 2"), std::string::npos);
  EXPECT_NE(records[5].error.find("column 2"), std::string::npos);
  EXPECT_TRUE(records[6].error.empty());
  EXPECT_EQ(records[6].fields[1], "€");
}

TEST_F(CsvReaderTest, NulByteFailsItsRecord) {
  std::string text = "a,b\n" + std::string(200, 'x') + ",y\n";
  text += std::string("x,nul\0here\n", 11);
  text += "next,row\n";
  auto records = ReadAll(text);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[2].error, "NUL byte in column 2");
  EXPECT_TRUE(records[3].error.empty());
}

TEST_F(CsvReaderTest, UnterminatedQuoteAtEndCostsOneLine) {
  auto records = ReadAll("a,b\n1,\"oops\n2,x\n3,y\n");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[1].line, 2);
  EXPECT_EQ(records[1].raw, "1,\"oops");
  EXPECT_EQ(records[1].error, "quoted field is never closed");
  EXPECT_EQ(records[2].fields, (std::vector<std::string>{"2", "x"}));
  EXPECT_EQ(records[2].line, 3);
  EXPECT_EQ(records[3].line, 4);
  EXPECT_TRUE(records[3].error.empty());

  auto last = ReadAll("a\n\"never closed");
  ASSERT_EQ(last.size(), 2u);
  EXPECT_FALSE(last[1].error.empty());
  EXPECT_EQ(last[1].raw, "\"never closed");
}

TEST_F(CsvReaderTest, OverlongRecordIsCutAtItsFirstLine) {
  std::string text = "a,b\n1,\"stray\n";
  for (int i = 0; i < 20; ++i) text += "x" + std::to_string(i) + ",y\n";
  text += "z,\"w\"\nlast,row\n";
  CsvTuning tuning;
  tuning.block_size = 16;
  tuning.max_record_bytes = 64;
  auto records = ReadAll(text, std::nullopt, tuning);
  ASSERT_GE(records.size(), 3u);
  EXPECT_EQ(records[1].raw, "1,\"stray");
  EXPECT_NE(records[1].error.find("longer than"), std::string::npos);
  EXPECT_EQ(records[2].fields, (std::vector<std::string>{"x0", "y"}));
  EXPECT_EQ(records[2].line, 3);
  EXPECT_EQ(records.back().fields, (std::vector<std::string>{"last", "row"}));
  EXPECT_EQ(records.back().line, 24);

  // A single line longer than the limit, with no line end in the buffer: bigger than the part
  // of the file read up front to detect the delimiter.
  std::string huge = "a\n" + std::string(100 << 10, 'q') + "\nafter\n";
  auto cut = ReadAll(huge, std::nullopt, tuning);
  ASSERT_EQ(cut.size(), 3u);
  EXPECT_FALSE(cut[1].error.empty());
  EXPECT_EQ(cut[2].fields, (std::vector<std::string>{"after"}));
  EXPECT_EQ(cut[2].line, 3);
}

// Every block size must give what one big block gives: records, lines and raw text.
TEST_F(CsvReaderTest, RecordsAcrossBlockBoundaries) {
  std::string text =
      "\xEF\xBB\xBF"
      "id;name;note\r\n"
      "1;\"Smith; Ann\";\"multi\r\nline \"\"quoted\"\"\"\r\n"
      "\r\n"
      "2;Bob;\"\"\"\"\r"
      "3;Cid;plain\n"
      "4;\"\";\"x\"\"\"\n"
      "5;caf\xE9;bad\n"
      "6;last;\"end\"";
  auto expected = ReadAll(text);
  ASSERT_EQ(expected.size(), 7u);
  EXPECT_EQ(expected[1].fields[2], "multi\r\nline \"quoted\"");
  for (size_t block : {1, 2, 3, 4, 5, 7, 11, 64}) {
    CsvTuning tuning;
    tuning.block_size = block;
    auto got = ReadAll(text, std::nullopt, tuning);
    ASSERT_EQ(got.size(), expected.size()) << "block " << block;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].fields, expected[i].fields) << "block " << block << " record " << i;
      EXPECT_EQ(got[i].line, expected[i].line) << "block " << block << " record " << i;
      EXPECT_EQ(got[i].raw, expected[i].raw) << "block " << block << " record " << i;
      EXPECT_EQ(got[i].error, expected[i].error) << "block " << block << " record " << i;
    }
  }
}

// A file over the real 1 MiB block, with multi-line quoted records everywhere, so some of them
// straddle the boundary.
TEST_F(CsvReaderTest, FileLargerThanOneBlock) {
  std::string text = "id,note,tail\n";
  int64_t line = 2;
  std::vector<int64_t> lines;
  const int kRows = 40000;
  for (int i = 0; i < kRows; ++i) {
    lines.push_back(line);
    text += std::to_string(i) + ",\"note " + std::to_string(i) + "\nsecond \"\"line\"\"\",t" +
            std::to_string(i) + (i % 3 == 0 ? "\r\n" : "\n");
    line += 2;
  }
  ASSERT_GT(text.size(), size_t{1} << 20);
  auto records = ReadAll(text);
  ASSERT_EQ(records.size(), size_t{kRows} + 1);
  for (int i = 0; i < kRows; ++i) {
    const Record& r = records[static_cast<size_t>(i) + 1];
    ASSERT_EQ(r.fields.size(), 3u);
    EXPECT_EQ(r.fields[0], std::to_string(i));
    EXPECT_EQ(r.fields[1], "note " + std::to_string(i) + "\nsecond \"line\"");
    EXPECT_EQ(r.line, lines[static_cast<size_t>(i)]);
    EXPECT_EQ(r.raw, std::to_string(i) + ",\"note " + std::to_string(i) +
                         "\nsecond \"\"line\"\"\",t" + std::to_string(i));
  }
}

TEST_F(CsvReaderTest, RawTextReassemblesTheFile) {
  std::string text = "a,b\n\"x\ny\",\"q\"\"\"\n plain , spaced \n\"\",\n";
  std::string joined;
  for (const Record& r : ReadAll(text)) joined += r.raw + "\n";
  EXPECT_EQ(joined, text);
}

TEST_F(CsvReaderTest, ProgressReachesTheFileSize) {
  auto reader = Open("a,b\n1,2\n3,4\n");
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->bytes_total(), 12u);
  Record r;
  ASSERT_TRUE(*reader->Next(r));
  EXPECT_EQ(reader->bytes_read(), 4u);
  while (*reader->Next(r)) {
  }
  EXPECT_EQ(reader->bytes_read(), 12u);
}

TEST_F(CsvReaderTest, RefusesWhatIsNotText) {
  auto refused = [&](std::string_view content) {
    auto r = OpenCsvReader(Write(content), std::nullopt);
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_NE(refused(std::string_view("\xFF\xFE"
                                     "a\0,\0b\0",
                                     8))
                .find("UTF-16"),
            std::string::npos);
  EXPECT_NE(refused("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest").find(".xls"), std::string::npos);
  EXPECT_NE(refused(std::string_view("PK\x03\x04\0\0", 6)).find("zip"), std::string::npos);
  EXPECT_NE(refused(std::string(64, '\0')).find("NUL"), std::string::npos);
  auto missing = OpenCsvReader((dir_ / "missing.csv").string(), std::nullopt);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST_F(CsvReaderTest, OpenRecordReaderPicksCsv) {
  auto r = OpenRecordReader(Write("a;b\n1;2\n"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->delimiter(), ';');
  ReaderOptions options;
  options.format = FileFormat::kXlsx;
  auto xlsx = OpenRecordReader(Write("a;b\n1;2\n"), options);
  ASSERT_FALSE(xlsx.ok());
  EXPECT_EQ(xlsx.status().code(), StatusCode::kInvalidArgument);
}

// Throughput on a generated 1,000,000-row file (about 100 MB). Run with
// --gtest_also_run_disabled_tests --gtest_filter='*CsvReaderTest.DISABLED_Throughput*'.
TEST_F(CsvReaderTest, DISABLED_Throughput) {
  std::string path = (dir_ / "big.csv").string();
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::string chunk = "first_name,last_name,email,phone,company,status,source,tags,score\n";
    for (int i = 0; i < 1'000'000; ++i) {
      chunk += "Ann" + std::to_string(i % 977) + ",Smith-" + std::to_string(i % 131) +
               ",ann.smith" + std::to_string(i) + "@example-mail.com,+1415555" +
               std::to_string(1000 + i % 9000) + ",\"Acme, Inc. " + std::to_string(i % 50) +
               "\",new,web,\"vip;west\"," + std::to_string(i % 100) + "\n";
      if (chunk.size() > (1 << 20)) {
        std::fwrite(chunk.data(), 1, chunk.size(), f);
        chunk.clear();
      }
    }
    std::fwrite(chunk.data(), 1, chunk.size(), f);
    std::fclose(f);
  }
  for (int run = 0; run < 3; ++run) {
    auto start = std::chrono::steady_clock::now();
    std::clock_t cpu_start = std::clock();
    auto reader = OpenCsvReader(path, std::nullopt);
    ASSERT_TRUE(reader.ok());
    Record r;
    int64_t rows = 0;
    size_t fields = 0;
    while (*(*reader)->Next(r)) {
      ++rows;
      fields += r.fields.size();
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    double mb = static_cast<double>((*reader)->bytes_total()) / 1e6;
    std::printf(
        "CSV: %lld rows, %.1f MB in %.3f s wall (%.0f MB/s, %.0f rows/s), %.3f s CPU (%.0f MB/s, "
        "%.0f rows/s), %zu fields\n",
        static_cast<long long>(rows), mb, seconds, mb / seconds,
        static_cast<double>(rows) / seconds, cpu, mb / cpu, static_cast<double>(rows) / cpu,
        fields);
    EXPECT_EQ(rows, 1'000'001);
  }
}

}  // namespace
}  // namespace leadline::imports
