#include "connectors/csv_writer.h"

#include <unistd.h>

#include "core/csv.h"

namespace leadline::connectors {

std::string CsvRow(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendCsvField(out, fields[i]);
  }
  out.append("\r\n");
  return out;
}

CsvFileWriter::~CsvFileWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

Status CsvFileWriter::Open(const std::string& path) {
  if (file_ != nullptr) return Internal("CSV file already open");
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) return Unavailable("cannot create the import file");
  path_ = path;
  return Status::Ok();
}

Status CsvFileWriter::WriteRow(const std::vector<std::string>& fields) {
  if (file_ == nullptr) return Internal("CSV file not open");
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) buffer_.push_back(',');
    AppendCsvField(buffer_, fields[i]);
  }
  buffer_.append("\r\n");
  if (buffer_.size() >= 1 << 16) return Flush();
  return Status::Ok();
}

Status CsvFileWriter::Flush() {
  if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
    return Unavailable("writing the import file failed");
  }
  buffer_.clear();
  return Status::Ok();
}

Status CsvFileWriter::Close() {
  if (file_ == nullptr) return Status::Ok();
  Status st = Flush();
  if (st.ok() && (std::fflush(file_) != 0 || ::fsync(fileno(file_)) != 0)) {
    st = Unavailable("writing the import file failed");
  }
  if (std::fclose(file_) != 0 && st.ok()) st = Unavailable("writing the import file failed");
  file_ = nullptr;
  return st;
}

}  // namespace leadline::connectors
