// Chooses the reader for an import file: the zip signature means XLSX, anything else is
// treated as CSV text (whose reader refuses binary content).
#include "imports/record_reader.h"

#include <cstring>

#include "imports/csv_reader.h"
#include "imports/input_file.h"
#include "imports/xlsx_reader.h"

namespace leadline::imports {

Result<std::unique_ptr<RecordReader>> OpenRecordReader(const std::string& path,
                                                       const ReaderOptions& options) {
  ASSIGN_OR_RETURN(InputFile file, InputFile::Open(path));
  char magic[4] = {};
  ASSIGN_OR_RETURN(size_t got, file.ReadAt(0, magic, sizeof magic));
  bool zip = got == sizeof magic && std::memcmp(magic, "PK\x03\x04", 4) == 0;
  FileFormat format = options.format.value_or(zip ? FileFormat::kXlsx : FileFormat::kCsv);
  if (format == FileFormat::kXlsx) {
    if (!zip) return InvalidArgument("not an XLSX workbook (the file is not a zip archive)");
    return OpenXlsxReader(path);
  }
  return OpenCsvReader(path, options.delimiter);
}

}  // namespace leadline::imports
