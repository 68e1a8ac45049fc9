// The CSV half of record_reader.h. Exposed so that tests can shrink the read block and the
// record limit, which puts records across block boundaries without writing huge files.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "imports/record_reader.h"

namespace leadline::imports {

struct CsvTuning {
  size_t block_size = 1 << 20;  // bytes per read() call
  // A record longer than this (in practice: a stray opening quote that swallows the rest of
  // the file) is cut at the end of its first line and reported with an error.
  size_t max_record_bytes = 16 << 20;
};

// Opens a CSV file. `delimiter` nullopt: detected (see DetectDelimiter). kInvalidArgument
// when the start of the file is not text (NUL bytes, UTF-16, legacy .xls, gzip, zip).
Result<std::unique_ptr<RecordReader>> OpenCsvReader(const std::string& path,
                                                    std::optional<char> delimiter,
                                                    const CsvTuning& tuning = {});

// Picks the delimiter among ',', ';', '\t' and '|' from the first records of `head` (the start
// of the file, BOM already removed): the candidate that splits the header into more than one
// column and gives the most records that column count wins; ties go to the earlier candidate.
// ',' when no candidate splits the header. Quotes are honoured, so delimiters inside quoted
// fields do not count.
char DetectDelimiter(std::string_view head);

}  // namespace leadline::imports
