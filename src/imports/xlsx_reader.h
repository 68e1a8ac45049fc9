// The XLSX half of record_reader.h, and the cell formatting rules it applies, exposed for
// tests.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "imports/record_reader.h"

namespace leadline::imports {

// Opens the first visible worksheet of an XLSX workbook (the first worksheet when all are
// hidden), found through xl/workbook.xml and its relationships, else xl/worksheets/sheet1.xml.
// Shared strings are loaded up front; the sheet is inflated and parsed as records are read.
// kInvalidArgument: not a zip, no worksheet, ZIP64, encrypted, or malformed XML parts.
Result<std::unique_ptr<RecordReader>> OpenXlsxReader(const std::string& path);

// A numeric cell as text: the shortest plain decimal for the value rounded to 15 significant
// digits, as Excel shows it, never in E notation ("1.4155550123E10" -> "14155550123",
// "42.0" -> "42", "1.5E-3" -> "0.0015"). Text that is not a number is returned unchanged.
std::string FormatXlsxNumber(std::string_view stored);

// Decodes the _xHHHH_ escapes OOXML uses for control characters in strings ("_x000D_" is a
// carriage return, "_x005F_" a literal underscore). U+0000 is dropped.
void DecodeOoxmlEscapes(std::string& s);

}  // namespace leadline::imports
