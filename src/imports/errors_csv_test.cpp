#include "imports/errors_csv.h"

#include <gtest/gtest.h>

#include "core/csv.h"

namespace leadline::imports {
namespace {

using Fields = std::vector<std::string>;

TEST(SplitCsvRecordTest, HonoursQuotesAsTheReaderDoes) {
  EXPECT_EQ(SplitCsvRecord("a,b,,c", ','), (Fields{"a", "b", "", "c"}));
  EXPECT_EQ(SplitCsvRecord("", ','), (Fields{""}));
  EXPECT_EQ(SplitCsvRecord("\"x,y\",\"say \"\"hi\"\"\"", ','), (Fields{"x,y", "say \"hi\""}));
  EXPECT_EQ(SplitCsvRecord("\"two\r\nlines\";z", ';'), (Fields{"two\r\nlines", "z"}));
  // A quote inside an unquoted field is text; text after a closing quote joins the field.
  EXPECT_EQ(SplitCsvRecord("5\" disk,\"ab\"c", ','), (Fields{"5\" disk", "abc"}));
  // An unclosed quote runs to the end.
  EXPECT_EQ(SplitCsvRecord("a,\"open,rest", ','), (Fields{"a", "open,rest"}));
}

TEST(SplitCsvRecordTest, InvertsAppendCsvField) {
  const Fields fields{"plain", "a,b", "q\"uote", "line\nbreak", "", "semi;colon"};
  for (char d : {',', ';', '\t', '|'}) {
    std::string text;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) text += d;
      AppendCsvField(text, fields[i], d);
    }
    EXPECT_EQ(SplitCsvRecord(text, d), fields) << text;
  }
}

TEST(ErrorsCsvTest, AFittingRowIsCopiedAsWritten) {
  ErrorsCsv csv("name,phone", ',');
  EXPECT_EQ(csv.HeaderLine(), "name,phone,_line,_error\r\n");
  std::string out;
  csv.AppendRow(out, "\"Ada, Countess\",12345", 7, "phone: not a valid phone number");
  EXPECT_EQ(out, "\"Ada, Countess\",12345,7,\"phone: not a valid phone number\"\r\n");
}

TEST(ErrorsCsvTest, ARowWithAnUnclosedQuoteIsWrittenQuoted) {
  ErrorsCsv csv("phone,notes", ',');
  std::string out;
  csv.AppendRow(out, "4155557004,\"unterminated", 2, "quoted field is never closed");
  EXPECT_EQ(out, "4155557004,unterminated,2,\"quoted field is never closed\"\r\n");
  bool unclosed = false;
  EXPECT_EQ(SplitCsvRecord(out.substr(0, out.size() - 2), ',', &unclosed).size(), 4u);
  EXPECT_FALSE(unclosed);
}

TEST(ErrorsCsvTest, RaggedRowsKeepLineAndErrorUnderTheirHeaders) {
  ErrorsCsv csv("name;phone;email", ';');
  std::string out;
  csv.AppendRow(out, "Ada", 2, "row has 1 columns, the header 3");
  csv.AppendRow(out, "Bob;1;b@x;extra;more", 3, "row has 5 columns, the header 3");
  EXPECT_EQ(out,
            "Ada;;;2;\"row has 1 columns, the header 3\"\r\n"
            "Bob;1;b@x;3;\"row has 5 columns, the header 3\";extra;more\r\n");
}

TEST(ErrorsCsvTest, AnUploadedErrorsCsvDoesNotStackItsColumns) {
  ErrorsCsv csv("name,phone,_line,_error", ',');
  EXPECT_EQ(csv.HeaderLine(), "name,phone,_line,_error\r\n");
  std::string out;
  csv.AppendRow(out, "Ada,123,7,\"phone: bad, really\"", 2, "phone: still bad");
  EXPECT_EQ(out, "Ada,123,2,\"phone: still bad\"\r\n");
}

}  // namespace
}  // namespace leadline::imports
