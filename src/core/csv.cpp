#include "core/csv.h"

namespace leadline {

void AppendCsvField(std::string& out, std::string_view value, char delimiter) {
  const char special[] = {delimiter, '"', '\r', '\n'};
  if (value.find_first_of(std::string_view(special, sizeof special)) == std::string_view::npos) {
    out.append(value);
    return;
  }
  AppendQuotedCsvField(out, value);
}

void AppendQuotedCsvField(std::string& out, std::string_view value) {
  out.push_back('"');
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

std::vector<std::string> SplitCsvRecord(std::string_view text, char delimiter, bool* unclosed) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  bool field_start = true;  // a quote opens a quoted field only as its first character
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c != '"') {
        fields.back() += c;
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == delimiter) {
      fields.emplace_back();
      field_start = true;
      continue;
    } else if (c == '"' && field_start) {
      quoted = true;
    } else {
      fields.back() += c;
    }
    field_start = false;
  }
  if (unclosed != nullptr) *unclosed = quoted;
  return fields;
}

}  // namespace leadline
