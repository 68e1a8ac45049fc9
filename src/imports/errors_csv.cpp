#include "imports/errors_csv.h"

#include "core/csv.h"
#include "imports/row_mapper.h"

namespace leadline::imports {

ErrorsCsv::ErrorsCsv(std::string_view header_raw, char delimiter)
    : delimiter_(delimiter), header_(SplitCsvRecord(header_raw, delimiter)) {
  for (const std::string& name : header_) {
    const bool keep = name != kLineColumn && name != kErrorColumn;
    keep_.push_back(keep);
    keeps_all_ = keeps_all_ && keep;
  }
}

std::string ErrorsCsv::HeaderLine() const {
  std::string out;
  for (size_t i = 0; i < header_.size(); ++i) {
    if (!keep_[i]) continue;
    AppendCsvField(out, header_[i], delimiter_);
    out += delimiter_;
  }
  out += kLineColumn;
  out += delimiter_;
  out += kErrorColumn;
  out += "\r\n";
  return out;
}

void ErrorsCsv::AppendRow(std::string& out, std::string_view raw, int64_t line,
                          std::string_view error) const {
  bool unclosed = false;
  const std::vector<std::string> cells = SplitCsvRecord(raw, delimiter_, &unclosed);
  // A quote the row never closed (it failed for that) would swallow _line and _error: the
  // cells are written out again, quoted as they must be.
  if (keeps_all_ && !unclosed && cells.size() == header_.size()) {
    out += raw;
    out += delimiter_;
  } else {
    for (size_t i = 0; i < header_.size(); ++i) {
      if (!keep_[i]) continue;
      if (i < cells.size()) AppendCsvField(out, cells[i], delimiter_);
      out += delimiter_;
    }
  }
  out += std::to_string(line);
  out += delimiter_;
  AppendQuotedCsvField(out, error);
  for (size_t i = header_.size(); i < cells.size(); ++i) {
    out += delimiter_;
    AppendCsvField(out, cells[i], delimiter_);
  }
  out += "\r\n";
}

}  // namespace leadline::imports
