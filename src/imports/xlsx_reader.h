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

// What a cell's number format shows a number as. Dates are stored as serial day numbers;
// only the cell's style says the number is one.
enum class XlsxDateKind { kNone, kDate, kDateTime, kTime };

// The kind for number format `num_fmt_id` with `format_code` (empty for the built-in formats,
// which are known by id): a code with year or day fields is a date, with hours or seconds a
// time, both a date and time; elapsed-time codes ("[h]:mm") and everything else kNone.
XlsxDateKind DateKindOfFormat(int num_fmt_id, std::string_view format_code);

// A serial date number as ISO 8601 text: "2024-03-01" (kDate), "2024-03-01T13:45:00"
// (kDateTime), "13:45:00" (kTime), rounded to the second. Serials count days from 1899-12-30
// (Excel's 1900 system, with its phantom 1900-02-29 at 60), or from 1904-01-01 with
// `date1904`. Anything else (kNone, not a number, out of Excel's range) is returned as
// FormatXlsxNumber would.
std::string FormatXlsxDate(std::string_view stored, XlsxDateKind kind, bool date1904);

// Decodes the _xHHHH_ escapes OOXML uses for control characters in strings ("_x000D_" is a
// carriage return, "_x005F_" a literal underscore). U+0000 is dropped.
void DecodeOoxmlEscapes(std::string& s);

}  // namespace leadline::imports
