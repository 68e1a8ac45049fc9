// RFC 4180 fields: the one quoting rule every CSV Leadline writes follows (exports, the files
// connectors hand to imports, errors.csv), and the split of one record's text back into fields.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace leadline {

// Appends one field: quoted when it contains the delimiter, a double quote, CR or LF (quotes
// doubled inside); an empty value is an empty field.
void AppendCsvField(std::string& out, std::string_view value, char delimiter = ',');
// The same field, always quoted.
void AppendQuotedCsvField(std::string& out, std::string_view value);

// The fields of one record's text as a CSV reader returned it (quotes honoured, so delimiters
// and line breaks inside quoted fields stay in their field; a doubled quote is one quote). Text
// after a closing quote up to the next delimiter belongs to that field, and an unclosed quote
// runs to the end: what a lenient reader does, so nothing of the text is dropped. `unclosed`,
// when given, says whether the text ended inside a quoted field.
std::vector<std::string> SplitCsvRecord(std::string_view text, char delimiter,
                                        bool* unclosed = nullptr);

}  // namespace leadline
