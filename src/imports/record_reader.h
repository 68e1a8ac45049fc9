// Streaming readers of import files: CSV (RFC 4180 with the quirks of real exports) and XLSX
// (first worksheet). Both yield records in file order and never hold the whole file in memory.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace leadline::imports {

enum class FileFormat { kCsv, kXlsx };

// One record of an import file. The first record of a file is its header.
//
// CSV: ragged rows keep the number of fields they have. A record whose quote never closes (by
// the end of the file, or within 16 MiB) is reported as its first physical line with `error`
// set, and reading resumes on the next line, so a stray quote costs one row.
// XLSX: a spreadsheet stores no empty cells, so rows are padded with "" to the header's width
// and empty cells past it are dropped; numbers read as Excel shows them (15 significant
// digits, never E notation: a phone stored as 1.4155550123E10 reads "14155550123"); booleans
// read TRUE/FALSE; formulas read their cached value.
struct Record {
  int64_t line = 0;  // CSV: 1-based physical line the record starts on (lines inside quoted
                     // fields count); XLSX: the sheet's row number
  std::vector<std::string> fields;  // cell values; valid UTF-8 without NUL whenever `error` is
                                    // empty (may be incomplete when it is not)
  std::string raw;    // the record as written (CSV: its text without the line end; XLSX: cells
                      // re-encoded as one CSV line), so a failed row can be given back. CSV:
                      // the bytes as in the file, even when they are not valid UTF-8
  std::string error;  // non-empty when the record is unusable (invalid UTF-8, a NUL byte, a
                      // quote never closed, ...); the reader goes on with the next record
};

// A reader is used by one thread at a time. Next() reuses the storage already in `out`, so
// passing the same Record on every call avoids allocations.
class RecordReader {
 public:
  virtual ~RecordReader() = default;
  // Reads the next record into `out`; false at the end. Blank lines are skipped (CSV: also
  // lines of only spaces and delimiters, as spreadsheets export cleared rows; XLSX: rows
  // without a value). Only an I/O failure or a file that cannot be read at all (not a zip, no
  // worksheet, malformed worksheet XML) is an error.
  virtual Result<bool> Next(Record& out) = 0;
  // Progress: bytes of the input consumed so far, and the input's size.
  virtual uint64_t bytes_read() const = 0;
  virtual uint64_t bytes_total() const = 0;
  // CSV: the delimiter in use (detected or given); XLSX: ','.
  virtual char delimiter() const = 0;
};

struct ReaderOptions {
  std::optional<FileFormat> format;  // nullopt: detect (a zip signature means XLSX)
  std::optional<char> delimiter;     // CSV only; nullopt: detect from the first lines
};

// Opens `path`. kInvalidArgument when the content is neither CSV text nor an XLSX workbook
// (UTF-16 or binary text, legacy .xls, a zip that is not a workbook, ZIP64, encryption), with
// a message fit for the user; kNotFound when the file does not exist. CSV: the BOM is
// skipped; the delimiter, when not given, is the one of ',' ';' '\t' '|' that splits the first
// records into a consistent number of columns (',' by default). XLSX: the first visible
// worksheet.
Result<std::unique_ptr<RecordReader>> OpenRecordReader(const std::string& path,
                                                       const ReaderOptions& options = {});

}  // namespace leadline::imports
