// Writes RFC 4180 CSV: fields containing a comma, a double quote, CR or LF are quoted, quotes
// inside doubled; rows end with CRLF. Used for the files connectors hand to the import job.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace leadline::connectors {

// One row (fields joined by commas, CRLF at the end).
std::string CsvRow(const std::vector<std::string>& fields);

// Buffered writer over a file it owns. Not thread-safe.
class CsvFileWriter {
 public:
  CsvFileWriter() = default;
  ~CsvFileWriter();
  CsvFileWriter(const CsvFileWriter&) = delete;
  CsvFileWriter& operator=(const CsvFileWriter&) = delete;

  // Creates or truncates `path`. kUnavailable when it cannot be opened.
  Status Open(const std::string& path);
  Status WriteRow(const std::vector<std::string>& fields);
  // Flushes, fsyncs and closes; kUnavailable on a write error (e.g. disk full).
  Status Close();

 private:
  Status Flush();
  std::FILE* file_ = nullptr;
  std::string path_;
  std::string buffer_;
};

}  // namespace leadline::connectors
