// errors.csv: every failed row of an import with its cells as the file had them, then the line
// it was on (_line) and why it failed (_error), under the file's own header, so that the file
// can be fixed in a spreadsheet and uploaded again (an import ignores _line and _error).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace leadline::imports {

class ErrorsCsv {
 public:
  // `header_raw`: the file's header record as written; `delimiter`: the file's.
  ErrorsCsv(std::string_view header_raw, char delimiter);

  // The header, then _line and _error; CRLF at the end. Columns named _line or _error (an
  // errors.csv uploaded again) are left out, so a second round trip does not repeat them.
  std::string HeaderLine() const;

  // Appends one failed row (the reason always quoted): its cells under the header's columns (left
  // out where the header leaves a column out; empty where the row is short), then _line and _error,
  // then any cells the row has beyond the header's width (so nothing is dropped, and the row still
  // fails as too long until it is fixed). A row that fits the header is copied as written.
  void AppendRow(std::string& out, std::string_view raw, int64_t line,
                 std::string_view error) const;

 private:
  char delimiter_;
  std::vector<std::string> header_;
  std::vector<bool> keep_;  // per header column
  bool keeps_all_ = true;
};

}  // namespace leadline::imports
