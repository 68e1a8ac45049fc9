// Writes XLSX workbooks of one worksheet: fixtures for tests and the import benchmark, and
// any place that hands a spreadsheet back. Built on a small zip writer that tests also use to
// assemble workbooks with hand-written parts.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace leadline::imports {

// A zip archive written front to back. Not thread-safe. Errors are kInternal (I/O) or
// kInvalidArgument (misuse: a member over 4 GB, Add during Begin/End).
class ZipWriter {
 public:
  static Result<std::unique_ptr<ZipWriter>> Create(const std::string& path);
  ~ZipWriter();  // closes the file; without Finish() the archive is incomplete
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;

  // Adds a whole member; its sizes and CRC go in the local header.
  Status Add(std::string_view name, std::string_view data, bool compress = true);
  // Streams a member: the local header has no sizes and a data descriptor follows the data,
  // as streaming producers write them.
  Status Begin(std::string_view name, bool compress = true);
  Status Write(std::string_view data);
  Status End();
  // Writes the central directory and closes the file.
  Status Finish();

 private:
  struct Member {
    std::string name;
    uint16_t flags = 0;
    uint16_t method = 0;
    uint32_t crc = 0;
    uint64_t compressed = 0;
    uint64_t size = 0;
    uint64_t offset = 0;
  };
  struct Deflater;
  explicit ZipWriter(std::FILE* f);
  Status Put(std::string_view bytes);
  Status PutLocalHeader(const Member& m);
  Status Compress(std::string_view data, bool finish);

  std::FILE* file_;
  uint64_t offset_ = 0;
  std::vector<Member> members_;
  bool streaming_ = false;
  std::unique_ptr<Deflater> deflater_;
};

struct XlsxWriteOptions {
  bool shared_strings = true;  // false: inline strings (t="inlineStr")
  bool deflate = true;         // false: stored members
  // Cells that are plain decimals ("42", "-3.5", "14155550123": no leading zero, no trailing
  // fractional zero, at most 15 digits) are written as numeric cells, as Excel stores what a
  // user types; everything else is a string.
  bool numbers = true;
};

// Streams a workbook row by row; the worksheet is compressed as it goes, so large fixtures
// need little memory (shared strings excepted). Cells must be valid UTF-8.
class XlsxWriter {
 public:
  static Result<std::unique_ptr<XlsxWriter>> Create(const std::string& path,
                                                    const XlsxWriteOptions& options = {});
  // Adds the next row (row numbers start at 1); empty cells are left out, as Excel does.
  Status AddRow(const std::vector<std::string>& cells);
  // Writes the remaining parts; the file is complete after this.
  Status Finish();

 private:
  XlsxWriter(std::unique_ptr<ZipWriter> zip, const XlsxWriteOptions& options)
      : zip_(std::move(zip)), options_(options) {}
  Status Flush();

  std::unique_ptr<ZipWriter> zip_;
  XlsxWriteOptions options_;
  std::string sheet_;  // worksheet XML not yet handed to the zip writer
  int64_t rows_ = 0;
  std::unordered_map<std::string, uint32_t> string_index_;
  std::vector<const std::string*> strings_;  // keys of string_index_, in index order
};

Status WriteXlsx(const std::string& path, const std::vector<std::vector<std::string>>& rows,
                 const XlsxWriteOptions& options = {});

// "A" for 0, "Z" for 25, "AA" for 26: the letters of a cell reference.
std::string ColumnName(size_t index);

// Escapes text for an XML element or attribute, including the _xHHHH_ escapes OOXML uses for
// control characters that XML 1.0 cannot carry.
void AppendXmlText(std::string& out, std::string_view s);

}  // namespace leadline::imports
