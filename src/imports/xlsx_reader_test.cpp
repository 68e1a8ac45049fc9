// Tests for the streaming XLSX reader (and the writer and zip code it shares fixtures with):
// shared, inline and rich-text strings, numbers as Excel shows them, sparse rows, how the
// worksheet is found, and clear errors for files that are not workbooks.
#include "imports/xlsx_reader.h"

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
#include "imports/xlsx_writer.h"
#include "imports/zip_reader.h"

namespace leadline::imports {
namespace {

namespace fs = std::filesystem;

using Rows = std::vector<std::vector<std::string>>;

constexpr std::string_view kMainNs =
    R"(xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main")";
constexpr std::string_view kRelNs =
    R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships")";
constexpr std::string_view kRelsNs =
    R"(xmlns="http://schemas.openxmlformats.org/package/2006/relationships")";
constexpr std::string_view kWorksheetType =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet";
constexpr std::string_view kStringsType =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings";

std::string Sheet(std::string_view rows) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet " + std::string(kMainNs) +
         "><sheetData>" + std::string(rows) + "</sheetData></worksheet>";
}

std::string Strings(std::string_view items) {
  return "<?xml version=\"1.0\"?><sst " + std::string(kMainNs) + ">" + std::string(items) +
         "</sst>";
}

class XlsxReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("leadline-xlsx-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) { return (dir_ / name).string(); }

  // A workbook from hand-written parts: `parts` are (name, content); with `with_workbook`
  // the usual workbook.xml and relationships point at xl/worksheets/sheet1.xml, with
  // `workbook_pr` (e.g. a <workbookPr/>) before its sheets and `extra_rels` (more
  // <Relationship/> elements) after its own.
  std::string Workbook(const std::vector<std::pair<std::string, std::string>>& parts,
                       bool compress = true, bool with_workbook = true,
                       std::string_view workbook_pr = "", std::string_view extra_rels = "") {
    std::string path = Path("book.xlsx");
    auto zip = ZipWriter::Create(path);
    EXPECT_TRUE(zip.ok());
    if (with_workbook) {
      EXPECT_TRUE(
          (*zip)
              ->Add("xl/workbook.xml",
                    "<workbook " + std::string(kMainNs) + " " + std::string(kRelNs) + ">" +
                        std::string(workbook_pr) +
                        R"(<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>)",
                    compress)
              .ok());
      EXPECT_TRUE((*zip)
                      ->Add("xl/_rels/workbook.xml.rels",
                            "<Relationships " + std::string(kRelsNs) +
                                "><Relationship Id=\"rId1\" Type=\"" + std::string(kWorksheetType) +
                                "\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" "
                                "Type=\"" +
                                std::string(kStringsType) + "\" Target=\"sharedStrings.xml\"/>" +
                                std::string(extra_rels) + "</Relationships>",
                            compress)
                      .ok());
    }
    for (const auto& [name, content] : parts)
      EXPECT_TRUE((*zip)->Add(name, content, compress).ok());
    EXPECT_TRUE((*zip)->Finish().ok());
    return path;
  }

  std::vector<Record> ReadAll(const std::string& path) {
    std::vector<Record> out;
    auto reader = OpenXlsxReader(path);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) return out;
    Record r;
    for (;;) {
      auto more = (*reader)->Next(r);
      EXPECT_TRUE(more.ok()) << more.status().ToString();
      if (!more.ok() || !*more) break;
      out.push_back(r);
    }
    EXPECT_EQ((*reader)->bytes_read(), (*reader)->bytes_total());
    return out;
  }

  std::string OpenError(const std::string& path) {
    auto reader = OpenRecordReader(path);
    EXPECT_FALSE(reader.ok());
    if (reader.ok()) return {};
    EXPECT_EQ(reader.status().code(), StatusCode::kInvalidArgument);
    return reader.status().message();
  }

  static Rows Fields(const std::vector<Record>& records) {
    Rows rows;
    for (const Record& r : records) rows.push_back(r.fields);
    return rows;
  }

  fs::path dir_;
};

const Rows kSample = {
    {"First Name", "Email", "Phone", "Score", "Note"},
    {"Ann", "ann@example.com", "14155550123", "4.5", "comma, \"quotes\" & <tags>"},
    {"Zoë", "zoe@example.com", "+1 415 555 0124", "-3", "two\nlines\r\nand CR"},
    {"  padded  ", "", "0044123", "0", "_x000D_ literal"},
};

TEST_F(XlsxReaderTest, WriterRoundTripsWithSharedStrings) {
  ASSERT_TRUE(WriteXlsx(Path("a.xlsx"), kSample).ok());
  auto records = ReadAll(Path("a.xlsx"));
  EXPECT_EQ(Fields(records), kSample);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].line, 1);
  EXPECT_EQ(records[3].line, 4);
  EXPECT_EQ(records[1].raw,
            "Ann,ann@example.com,14155550123,4.5,\"comma, \"\"quotes\"\" & <tags>\"");
  for (const Record& r : records) EXPECT_TRUE(r.error.empty()) << r.error;
}

TEST_F(XlsxReaderTest, WriterRoundTripsWithInlineStringsAndStoredMembers) {
  XlsxWriteOptions options;
  options.shared_strings = false;
  options.deflate = false;
  ASSERT_TRUE(WriteXlsx(Path("a.xlsx"), kSample, options).ok());
  EXPECT_EQ(Fields(ReadAll(Path("a.xlsx"))), kSample);
  // The writer streams the worksheet with a data descriptor; both methods are exercised.
  auto zip = ZipArchive::Open(Path("a.xlsx"));
  ASSERT_TRUE(zip.ok());
  const ZipEntry* sheet = (*zip)->Find("xl/worksheets/sheet1.xml");
  ASSERT_NE(sheet, nullptr);
  EXPECT_EQ(sheet->method, 0);
  EXPECT_TRUE(sheet->flags & 0x08);
  EXPECT_EQ((*zip)->Find("XL/SharedStrings.XML"), (*zip)->Find("xl/sharedStrings.xml"));
}

TEST_F(XlsxReaderTest, DeflatedMembersWithDataDescriptor) {
  ASSERT_TRUE(WriteXlsx(Path("a.xlsx"), kSample).ok());
  auto zip = ZipArchive::Open(Path("a.xlsx"));
  ASSERT_TRUE(zip.ok());
  const ZipEntry* sheet = (*zip)->Find("xl/worksheets/sheet1.xml");
  ASSERT_NE(sheet, nullptr);
  EXPECT_EQ(sheet->method, 8);
  EXPECT_TRUE(sheet->flags & 0x08);
}

TEST_F(XlsxReaderTest, SharedStringsWithRichTextAndPhoneticRuns) {
  std::string path = Workbook({
      {"xl/sharedStrings.xml",
       Strings(
           "<si><t>email</t></si>"
           "<si><r><rPr><b/></rPr><t>Bold</t></r><r><t xml:space=\"preserve\"> and plain</t></r>"
           "</si>"
           "<si><t>漢字</t><rPh sb=\"0\" eb=\"2\"><t>かんじ</t></rPh></si>"
           "<si><t>a_x000D__x000A_b _x005F_x0041_</t></si>")},
      {"xl/worksheets/sheet1.xml", Sheet(R"(<row r="1"><c r="A1" t="s"><v>0</v></c></row>)"
                                         R"(<row r="2"><c r="A2" t="s"><v>1</v></c></row>)"
                                         R"(<row r="3"><c r="A3" t="s"><v>2</v></c></row>)"
                                         R"(<row r="4"><c r="A4" t="s"><v>3</v></c></row>)"
                                         R"(<row r="5"><c r="A5" t="s"><v>99</v></c></row>)")},
  });
  auto records = ReadAll(path);
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[1].fields[0], "Bold and plain");
  EXPECT_EQ(records[2].fields[0], "漢字");
  EXPECT_EQ(records[3].fields[0], "a\r\nb _x0041_");
  EXPECT_EQ(records[4].error, "invalid shared string in column 1");
}

TEST_F(XlsxReaderTest, InlineStringsIncludingRichText) {
  std::string path = Workbook(
      {{"xl/worksheets/sheet1.xml",
        Sheet(
            R"(<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c>)"
            R"(<c r="B1" t="inlineStr"><is><r><t>rich </t></r><r><rPr><i/></rPr><t>text</t></r></is></c></row>)"
            R"(<row r="2"><c r="A2" t="inlineStr"><is><t>Ann &amp; Bob</t></is></c>)"
            R"(<c r="B2" t="inlineStr"><is><t>x</t></is></c></row>)")}});
  EXPECT_EQ(Fields(ReadAll(path)), (Rows{{"name", "rich text"}, {"Ann & Bob", "x"}}));
}

TEST_F(XlsxReaderTest, NumbersBooleansFormulasAndErrors) {
  std::string path =
      Workbook({{"xl/worksheets/sheet1.xml",
                 Sheet(R"(<row r="1"><c r="A1" t="inlineStr"><is><t>h</t></is></c></row>)"
                       R"(<row r="2">)"
                       R"(<c r="A2"><v>14155550123</v></c>)"
                       R"(<c r="B2"><v>1.4155550123E10</v></c>)"
                       R"(<c r="C2" t="n"><v>42.0</v></c>)"
                       R"(<c r="D2"><v>0.30000000000000004</v></c>)"
                       R"(<c r="E2"><v>1.5E-3</v></c>)"
                       R"(<c r="F2" t="b"><v>1</v></c>)"
                       R"(<c r="G2" t="b"><v>0</v></c>)"
                       R"(<c r="H2" t="str"><f>A2&amp;"x"</f><v>14155550123x</v></c>)"
                       R"(<c r="I2" t="e"><v>#N/A</v></c>)"
                       R"(<c r="J2"><f>1+1</f><v>2</v></c>)"
                       R"(<c r="K2"><v>-7.25</v></c>)"
                       R"(<c r="L2"><v>4.4155550123E+11</v></c>)"
                       "</row>")}});
  auto records = ReadAll(path);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"14155550123", "14155550123", "42", "0.3",
                                                         "0.0015", "TRUE", "FALSE", "14155550123x",
                                                         "#N/A", "2", "-7.25", "441555501230"}));
}

TEST_F(XlsxReaderTest, GapsMissingReferencesAndEmptyRows) {
  std::string path =
      Workbook({{"xl/worksheets/sheet1.xml",
                 Sheet(R"(<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c>)"
                       R"(<c r="B1" t="inlineStr"><is><t>b</t></is></c>)"
                       R"(<c r="C1" t="inlineStr"><is><t>c</t></is></c>)"
                       R"(<c r="D1" t="inlineStr"><is><t>d</t></is></c></row>)"
                       // Gap: B and D absent.
                       R"(<row r="2"><c r="A2"><v>1</v></c><c r="C2"><v>3</v></c></row>)"
                       // Empty rows: no cells, and styled empty cells.
                       R"(<row r="3"/>)"
                       R"(<row r="4"><c r="A4" s="1"/><c r="B4" s="2"><v></v></c></row>)"
                       // No references at all: cells in order, row after 4.
                       R"(<row><c><v>5</v></c><c><v>6</v></c></row>)"
                       // Mixed: a reference, then cells that follow it.
                       R"(<row r="9"><c r="B9"><v>2</v></c><c><v>3</v></c></row>)"
                       // Wider than the header: empty cells past it dropped.
                       R"(<row r="10"><c r="A10"><v>1</v></c><c r="H10" s="1"/></row>)"
                       // Wider than the header with data: kept.
                       R"(<row r="11"><c r="E11"><v>5</v></c></row>)")}});
  auto records = ReadAll(path);
  EXPECT_EQ(Fields(records), (Rows{{"a", "b", "c", "d"},
                                   {"1", "", "3", ""},
                                   {"5", "6", "", ""},
                                   {"", "2", "3", ""},
                                   {"1", "", "", ""},
                                   {"", "", "", "", "5"}}));
  ASSERT_EQ(records.size(), 6u);
  EXPECT_EQ(records[1].line, 2);
  EXPECT_EQ(records[2].line, 5);
  EXPECT_EQ(records[3].line, 9);
  EXPECT_EQ(records[1].raw, "1,,3,");
}

TEST_F(XlsxReaderTest, NamespacePrefixedElements) {
  std::string sheet =
      R"(<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)"
      R"(<x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>h</x:t></x:is></x:c>)"
      R"(</x:row><x:row r="2"><x:c r="A2"><x:v>7</x:v></x:c></x:row></x:sheetData></x:worksheet>)";
  EXPECT_EQ(Fields(ReadAll(Workbook({{"xl/worksheets/sheet1.xml", sheet}}))), (Rows{{"h"}, {"7"}}));
}

TEST_F(XlsxReaderTest, FindsTheFirstVisibleWorksheetThroughRelationships) {
  std::string path = Path("book.xlsx");
  auto zip = ZipWriter::Create(path);
  ASSERT_TRUE(zip.ok());
  ASSERT_TRUE(
      (*zip)
          ->Add(
              "_rels/.rels",
              "<Relationships " + std::string(kRelsNs) +
                  R"(><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/book/main.xml"/></Relationships>)")
          .ok());
  ASSERT_TRUE(
      (*zip)
          ->Add("book/main.xml",
                "<workbook " + std::string(kMainNs) + " " + std::string(kRelNs) +
                    R"(><sheets><sheet name="Hidden" sheetId="1" state="hidden" r:id="rA"/>)"
                    R"(<sheet name="Chart" sheetId="2" r:id="rC"/>)"
                    R"(<sheet name="Leads" sheetId="3" r:id="rB"/></sheets></workbook>)")
          .ok());
  ASSERT_TRUE((*zip)
                  ->Add("book/_rels/main.xml.rels",
                        "<Relationships " + std::string(kRelsNs) +
                            "><Relationship Id=\"rA\" Type=\"" + std::string(kWorksheetType) +
                            "\" Target=\"sheets/hidden.xml\"/>"
                            "<Relationship Id=\"rC\" Type=\"http://schemas.openxmlformats.org/"
                            "officeDocument/2006/relationships/chartsheet\" "
                            "Target=\"charts/c.xml\"/>"
                            "<Relationship Id=\"rB\" Type=\"" +
                            std::string(kWorksheetType) +
                            "\" Target=\"./sheets/../sheets/leads.xml\"/>"
                            "<Relationship Id=\"rS\" Type=\"" +
                            std::string(kStringsType) +
                            "\" Target=\"/book/strings.xml\"/>"
                            "</Relationships>")
                  .ok());
  ASSERT_TRUE((*zip)->Add("book/strings.xml", Strings("<si><t>from strings</t></si>")).ok());
  ASSERT_TRUE(
      (*zip)
          ->Add("book/sheets/hidden.xml",
                Sheet(R"(<row r="1"><c r="A1" t="inlineStr"><is><t>hidden</t></is></c></row>)"))
          .ok());
  ASSERT_TRUE(
      (*zip)
          ->Add("book/sheets/leads.xml", Sheet(R"(<row r="1"><c r="A1" t="s"><v>0</v></c></row>)"))
          .ok());
  ASSERT_TRUE((*zip)->Finish().ok());
  EXPECT_EQ(Fields(ReadAll(path)), (Rows{{"from strings"}}));
}

TEST_F(XlsxReaderTest, FallsBackToSheet1WithoutAWorkbookPart) {
  std::string path =
      Workbook({{"xl/worksheets/sheet1.xml",
                 Sheet(R"(<row r="1"><c r="A1" t="inlineStr"><is><t>only</t></is></c></row>)")}},
               /*compress=*/false, /*with_workbook=*/false);
  EXPECT_EQ(Fields(ReadAll(path)), (Rows{{"only"}}));
}

TEST_F(XlsxReaderTest, ManyRowsAcrossInflateAndParseChunks) {
  std::string path = Path("many.xlsx");
  auto writer = XlsxWriter::Create(path);
  ASSERT_TRUE(writer.ok());
  const int kRows = 20000;
  ASSERT_TRUE((*writer)->AddRow({"id", "email", "phone", "note"}).ok());
  for (int i = 0; i < kRows; ++i) {
    ASSERT_TRUE((*writer)
                    ->AddRow({std::to_string(i), "user" + std::to_string(i) + "@example.com",
                              "1415555" + std::to_string(1000 + i % 9000),
                              i % 7 == 0 ? "" : "note " + std::to_string(i % 13)})
                    .ok());
  }
  ASSERT_TRUE((*writer)->Finish().ok());
  auto records = ReadAll(path);
  ASSERT_EQ(records.size(), size_t{kRows} + 1);
  for (int i = 0; i < kRows; ++i) {
    const Record& r = records[static_cast<size_t>(i) + 1];
    ASSERT_EQ(r.fields.size(), 4u);
    EXPECT_EQ(r.fields[0], std::to_string(i));
    EXPECT_EQ(r.fields[1], "user" + std::to_string(i) + "@example.com");
    EXPECT_EQ(r.fields[3], i % 7 == 0 ? "" : "note " + std::to_string(i % 13));
    EXPECT_EQ(r.line, i + 2);
  }
}

TEST_F(XlsxReaderTest, OpenRecordReaderDetectsXlsx) {
  ASSERT_TRUE(WriteXlsx(Path("a.xlsx"), kSample).ok());
  auto reader = OpenRecordReader(Path("a.xlsx"));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->delimiter(), ',');
  Record r;
  ASSERT_TRUE(*(*reader)->Next(r));
  EXPECT_EQ(r.fields, kSample[0]);
  // Forced to CSV, a workbook is refused rather than read as garbage.
  ReaderOptions csv;
  csv.format = FileFormat::kCsv;
  auto forced = OpenRecordReader(Path("a.xlsx"), csv);
  ASSERT_FALSE(forced.ok());
  EXPECT_NE(forced.status().message().find("zip"), std::string::npos);
}

TEST_F(XlsxReaderTest, ClearErrorsForFilesThatAreNotWorkbooks) {
  std::string text = Path("plain.txt");
  std::ofstream(text) << "just,text\n";
  auto not_zip = OpenXlsxReader(text);
  ASSERT_FALSE(not_zip.ok());
  EXPECT_EQ(not_zip.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(not_zip.status().message().find("not an XLSX workbook"), std::string::npos);
  ReaderOptions xlsx;
  xlsx.format = FileFormat::kXlsx;
  EXPECT_NE(OpenRecordReader(text, xlsx).status().message().find("not an XLSX workbook"),
            std::string::npos);

  // A zip with a signature but no central directory.
  std::string truncated = Path("truncated.xlsx");
  std::ofstream(truncated, std::ios::binary)
      << std::string("PK\x03\x04", 4) << std::string(100, 'x');
  EXPECT_NE(OpenError(truncated).find("not an XLSX workbook"), std::string::npos);

  // A zip without any worksheet.
  std::string docx = Workbook({{"word/document.xml", "<document/>"}}, true, false);
  EXPECT_NE(OpenError(docx).find("no worksheet"), std::string::npos);
}

TEST_F(XlsxReaderTest, RefusesZip64) {
  std::string path = Path("zip64.xlsx");
  std::string bytes("PK\x03\x04", 4);
  bytes += std::string(26, '\0');
  // End of central directory whose counts say "see the ZIP64 record".
  bytes += std::string("PK\x05\x06", 4);
  bytes += std::string(4, '\0');
  bytes += std::string("\xFF\xFF\xFF\xFF", 4);
  bytes += std::string("\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 8);
  bytes += std::string(2, '\0');
  std::ofstream(path, std::ios::binary) << bytes;
  EXPECT_NE(OpenError(path).find("ZIP64"), std::string::npos);
}

TEST_F(XlsxReaderTest, MalformedXmlAndDtdsAreErrors) {
  std::string bad = Workbook({{"xl/worksheets/sheet1.xml", Sheet("<row><c><v>1</c></row>")}});
  auto reader = OpenXlsxReader(bad);
  ASSERT_TRUE(reader.ok());
  Record r;
  auto next = (*reader)->Next(r);
  ASSERT_FALSE(next.ok());
  EXPECT_NE(next.status().message().find("not well-formed"), std::string::npos);

  std::string dtd = Workbook(
      {{"xl/sharedStrings.xml",
        R"(<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaa">]><sst><si><t>&a;</t></si></sst>)"},
       {"xl/worksheets/sheet1.xml", Sheet("")}});
  EXPECT_NE(OpenError(dtd).find("DTD"), std::string::npos);
}

TEST_F(XlsxReaderTest, CorruptMemberFailsItsCrc) {
  XlsxWriteOptions stored;
  stored.deflate = false;
  ASSERT_TRUE(WriteXlsx(Path("a.xlsx"), kSample, stored).ok());
  std::string bytes;
  {
    std::ifstream in(Path("a.xlsx"), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  size_t at = bytes.find("ann@example.com");
  ASSERT_NE(at, std::string::npos);
  bytes[at] = 'b';  // still well-formed XML, so only the CRC can tell
  std::ofstream(Path("a.xlsx"), std::ios::binary | std::ios::trunc) << bytes;
  auto reader = OpenXlsxReader(Path("a.xlsx"));
  ASSERT_FALSE(reader.ok());  // shared strings are read at open
  EXPECT_NE(reader.status().message().find("CRC"), std::string::npos);
}

TEST(XlsxNumberFormat, AsExcelShowsThem) {
  EXPECT_EQ(FormatXlsxNumber("0"), "0");
  EXPECT_EQ(FormatXlsxNumber("-0"), "0");
  EXPECT_EQ(FormatXlsxNumber("42"), "42");
  EXPECT_EQ(FormatXlsxNumber("42.0"), "42");
  EXPECT_EQ(FormatXlsxNumber("14155550123"), "14155550123");
  EXPECT_EQ(FormatXlsxNumber("1.4155550123E10"), "14155550123");
  EXPECT_EQ(FormatXlsxNumber("1.4155550123e+10"), "14155550123");
  EXPECT_EQ(FormatXlsxNumber("447911123456"), "447911123456");
  EXPECT_EQ(FormatXlsxNumber("1E+20"), "100000000000000000000");
  EXPECT_EQ(FormatXlsxNumber("1.5E-3"), "0.0015");
  EXPECT_EQ(FormatXlsxNumber("0.1"), "0.1");
  EXPECT_EQ(FormatXlsxNumber("2.9999999999999996"), "3");
  EXPECT_EQ(FormatXlsxNumber("-123.456"), "-123.456");
  EXPECT_EQ(FormatXlsxNumber("45123.5"), "45123.5");
  EXPECT_EQ(FormatXlsxNumber("not a number"), "not a number");
  EXPECT_EQ(FormatXlsxNumber(""), "");
}

TEST_F(XlsxReaderTest, DateCellsComeOutAsIsoDates) {
  // Styles: 1 a custom day-first date, 2 built-in 22 (date and time), 3 built-in 20 (time),
  // 4 an elapsed time ([h]:mm, stays a number), 0 General.
  const std::string styles =
      "<styleSheet " + std::string(kMainNs) +
      R"(><numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>)"
      R"(<numFmt numFmtId="165" formatCode="[h]:mm"/></numFmts>)"
      R"(<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>)"
      R"(<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="22"/>)"
      R"(<xf numFmtId="20"/><xf numFmtId="165"/></cellXfs></styleSheet>)";
  std::string path = Workbook(
      {{"xl/styles.xml", styles},
       {"xl/worksheets/sheet1.xml",
        Sheet(R"(<row r="1"><c r="A1" t="inlineStr"><is><t>Phone</t></is></c>)"
              R"(<c r="B1" t="inlineStr"><is><t>Signed up</t></is></c>)"
              R"(<c r="C1" t="inlineStr"><is><t>Called</t></is></c>)"
              R"(<c r="D1" t="inlineStr"><is><t>Best time</t></is></c>)"
              R"(<c r="E1" t="inlineStr"><is><t>Talked</t></is></c></row>)"
              R"(<row r="2"><c r="A2" s="0"><v>14155550123</v></c><c r="B2" s="1"><v>45352</v></c>)"
              R"(<c r="C2" s="2"><v>45352.572916666664</v></c><c r="D2" s="3"><v>0.75</v></c>)"
              R"(<c r="E2" s="4"><v>1.5</v></c></row>)"
              // A string in a date-styled cell stays the string; a style index past the
              // list is General.
              R"(<row r="3"><c r="A3" s="9"><v>14155550124</v></c>)"
              R"(<c r="B3" s="1" t="inlineStr"><is><t>next week</t></is></c></row>)")}});
  EXPECT_EQ(Fields(ReadAll(path)),
            (Rows{{"Phone", "Signed up", "Called", "Best time", "Talked"},
                  {"14155550123", "2024-03-01", "2024-03-01T13:45:00", "18:00:00", "1.5"},
                  {"14155550124", "next week", "", "", ""}}));
}

TEST_F(XlsxReaderTest, DatesOfA1904Workbook) {
  // The styles found through the workbook's relationships, at a path of their own.
  std::string path = Workbook(
      {{"xl/theme/looks.xml",
        "<styleSheet " + std::string(kMainNs) +
            R"(><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>)"},
       {"xl/worksheets/sheet1.xml",
        Sheet(R"(<row r="1"><c r="A1" t="inlineStr"><is><t>Day</t></is></c></row>)"
              R"(<row r="2"><c r="A2" s="1"><v>43890</v></c></row>)")}},
      /*compress=*/true, /*with_workbook=*/true, R"(<workbookPr date1904="1"/>)",
      R"(<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/)"
      R"(relationships/styles" Target="theme/looks.xml"/>)");
  EXPECT_EQ(Fields(ReadAll(path)), (Rows{{"Day"}, {"2024-03-01"}}));
}

TEST(XlsxDateFormat, KnowsDateFormatsByIdAndCode) {
  EXPECT_EQ(DateKindOfFormat(14, ""), XlsxDateKind::kDate);
  EXPECT_EQ(DateKindOfFormat(22, ""), XlsxDateKind::kDateTime);
  EXPECT_EQ(DateKindOfFormat(20, ""), XlsxDateKind::kTime);
  EXPECT_EQ(DateKindOfFormat(46, ""), XlsxDateKind::kNone);  // [h]:mm:ss
  EXPECT_EQ(DateKindOfFormat(0, ""), XlsxDateKind::kNone);
  EXPECT_EQ(DateKindOfFormat(3, ""), XlsxDateKind::kNone);
  EXPECT_EQ(DateKindOfFormat(164, "yyyy-mm-dd"), XlsxDateKind::kDate);
  EXPECT_EQ(DateKindOfFormat(164, "dd/mm/yyyy hh:mm"), XlsxDateKind::kDateTime);
  EXPECT_EQ(DateKindOfFormat(164, "mm:ss"), XlsxDateKind::kTime);
  EXPECT_EQ(DateKindOfFormat(164, "h:mm AM/PM"), XlsxDateKind::kTime);
  EXPECT_EQ(DateKindOfFormat(164, "mmmm"), XlsxDateKind::kDate);
  EXPECT_EQ(DateKindOfFormat(164, "[$-409]mmmm d, yyyy;@"), XlsxDateKind::kDate);
  EXPECT_EQ(DateKindOfFormat(164, "[h]:mm"), XlsxDateKind::kNone);
  EXPECT_EQ(DateKindOfFormat(164, "0.00"), XlsxDateKind::kNone);
  EXPECT_EQ(DateKindOfFormat(164, "General"), XlsxDateKind::kNone);
  EXPECT_EQ(DateKindOfFormat(164, "[Red]#,##0.00"), XlsxDateKind::kNone);
  EXPECT_EQ(DateKindOfFormat(164, "#,##0 \"days\""), XlsxDateKind::kNone);
  EXPECT_EQ(DateKindOfFormat(164, "0.0\\d"), XlsxDateKind::kNone);  // an escaped literal d
  EXPECT_EQ(DateKindOfFormat(164, "0_);[Red](0)"), XlsxDateKind::kNone);
}

TEST(XlsxDateFormat, SerialNumbersAsIsoText) {
  using K = XlsxDateKind;
  EXPECT_EQ(FormatXlsxDate("45352", K::kDate, false), "2024-03-01");
  EXPECT_EQ(FormatXlsxDate("45352.572916666664", K::kDate, false), "2024-03-01");
  EXPECT_EQ(FormatXlsxDate("45352.572916666664", K::kDateTime, false), "2024-03-01T13:45:00");
  EXPECT_EQ(FormatXlsxDate("45352.99999999", K::kDateTime, false), "2024-03-02T00:00:00");
  EXPECT_EQ(FormatXlsxDate("0.75", K::kTime, false), "18:00:00");
  EXPECT_EQ(FormatXlsxDate("1", K::kDate, false), "1900-01-01");
  EXPECT_EQ(FormatXlsxDate("59", K::kDate, false), "1900-02-28");
  EXPECT_EQ(FormatXlsxDate("60", K::kDate, false), "1900-02-29");
  EXPECT_EQ(FormatXlsxDate("61", K::kDate, false), "1900-03-01");
  EXPECT_EQ(FormatXlsxDate("2958465", K::kDate, false), "9999-12-31");
  EXPECT_EQ(FormatXlsxDate("0", K::kDate, true), "1904-01-01");
  EXPECT_EQ(FormatXlsxDate("43890", K::kDate, true), "2024-03-01");
  // Not a date Excel can show: the number as it is.
  EXPECT_EQ(FormatXlsxDate("2958466", K::kDate, false), "2958466");
  EXPECT_EQ(FormatXlsxDate("-1", K::kDate, false), "-1");
  EXPECT_EQ(FormatXlsxDate("0", K::kDate, false), "0");
  EXPECT_EQ(FormatXlsxDate("soon", K::kDate, false), "soon");
  EXPECT_EQ(FormatXlsxDate("4.5E1", K::kNone, false), "45");
}

TEST(XlsxEscapes, DecodesOoxmlEscapes) {
  std::string s = "a_x000D_b_x0009_c_x005F_x0041_ d_xZZZZ_ e_x0000_f _x20AC_";
  DecodeOoxmlEscapes(s);
  EXPECT_EQ(s, "a\rb\tc_x0041_ d_xZZZZ_ ef €");
  std::string out;
  AppendXmlText(out, "a\rb\x01_x0041_<&>\"");
  EXPECT_EQ(out, "a&#13;b_x0001__x005F_x0041_&lt;&amp;&gt;&quot;");
  EXPECT_EQ(ColumnName(0), "A");
  EXPECT_EQ(ColumnName(25), "Z");
  EXPECT_EQ(ColumnName(26), "AA");
  EXPECT_EQ(ColumnName(16383), "XFD");
}

// Rows per second on a generated 100,000-row workbook. Run with
// --gtest_also_run_disabled_tests --gtest_filter='*XlsxReaderTest.DISABLED_Throughput*'.
TEST_F(XlsxReaderTest, DISABLED_Throughput) {
  std::string path = Path("big.xlsx");
  auto start = std::chrono::steady_clock::now();
  auto writer = XlsxWriter::Create(path);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)
                  ->AddRow({"first_name", "last_name", "email", "phone", "company", "status",
                            "tags", "score"})
                  .ok());
  for (int i = 0; i < 100'000; ++i) {
    ASSERT_TRUE((*writer)
                    ->AddRow({"Ann" + std::to_string(i % 977), "Smith-" + std::to_string(i % 131),
                              "ann.smith" + std::to_string(i) + "@example.com",
                              "1415555" + std::to_string(1000 + i % 9000),
                              "Acme, Inc. " + std::to_string(i % 50), "new", "vip;west",
                              std::to_string(i % 100)})
                    .ok());
  }
  ASSERT_TRUE((*writer)->Finish().ok());
  double write_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("XLSX: wrote 100000 rows (%.1f MB) in %.3f s\n",
              static_cast<double>(fs::file_size(path)) / 1e6, write_s);
  for (int run = 0; run < 3; ++run) {
    start = std::chrono::steady_clock::now();
    std::clock_t cpu_start = std::clock();
    auto reader = OpenXlsxReader(path);
    ASSERT_TRUE(reader.ok());
    Record r;
    int64_t rows = 0;
    while (*(*reader)->Next(r)) ++rows;
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    std::printf("XLSX: read %lld rows in %.3f s wall (%.0f rows/s), %.3f s CPU (%.0f rows/s)\n",
                static_cast<long long>(rows), seconds, static_cast<double>(rows) / seconds, cpu,
                static_cast<double>(rows) / cpu);
    EXPECT_EQ(rows, 100'001);
  }
}

}  // namespace
}  // namespace leadline::imports
