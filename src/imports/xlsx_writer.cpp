#include "imports/xlsx_writer.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>

namespace leadline::imports {
namespace {

constexpr size_t kFlushBytes = 256 << 10;
constexpr uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;  // 1980-01-01: fixed, for reproducible files

void Put16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>(v >> 8));
}
void Put32(std::string& out, uint32_t v) {
  Put16(out, static_cast<uint16_t>(v & 0xFFFF));
  Put16(out, static_cast<uint16_t>(v >> 16));
}

Status IoError(const char* what) {
  return Internal(std::string("zip writer: ") + what + ": " + std::strerror(errno));
}

bool IsPlainNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  size_t int_begin = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  size_t int_digits = i - int_begin;
  if (int_digits == 0 || (int_digits > 1 && s[int_begin] == '0')) return false;
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t frac_begin = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    frac_digits = i - frac_begin;
    if (frac_digits == 0 || s[i - 1] == '0') return false;
  }
  if (i != s.size() || int_digits + frac_digits > 15) return false;
  return s != "-0";
}

constexpr std::string_view kContentTypes =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
    "\n"
    R"(<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">)"
    R"(<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>)"
    R"(<Default Extension="xml" ContentType="application/xml"/>)"
    R"(<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>)"
    R"(<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>)"
    R"(<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>)"
    R"(</Types>)";

constexpr std::string_view kRootRels =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
    "\n"
    R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>)"
    R"(</Relationships>)";

constexpr std::string_view kWorkbook =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
    "\n"
    R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
    R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)"
    R"(<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>)";

constexpr std::string_view kWorkbookRels =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
    "\n"
    R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>)"
    R"(<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>)"
    R"(</Relationships>)";

constexpr std::string_view kSheetStart =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
    "\n"
    R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)";

void AppendTextElement(std::string& out, std::string_view s) {
  bool edge_space = !s.empty() && (s.front() == ' ' || s.back() == ' ' || s.front() == '\n' ||
                                   s.back() == '\n' || s.front() == '\t' || s.back() == '\t');
  out += edge_space ? R"(<t xml:space="preserve">)" : "<t>";
  AppendXmlText(out, s);
  out += "</t>";
}

}  // namespace

struct ZipWriter::Deflater {
  z_stream zs{};
  bool initialised = false;
  ~Deflater() {
    if (initialised) deflateEnd(&zs);
  }
};

ZipWriter::ZipWriter(std::FILE* f) : file_(f) {}

ZipWriter::~ZipWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

Result<std::unique_ptr<ZipWriter>> ZipWriter::Create(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return IoError("open");
  return std::unique_ptr<ZipWriter>(new ZipWriter(f));
}

Status ZipWriter::Put(std::string_view bytes) {
  if (file_ == nullptr) return InvalidArgument("zip writer is finished");
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    return IoError("write");
  }
  offset_ += bytes.size();
  return Status::Ok();
}

Status ZipWriter::PutLocalHeader(const Member& m) {
  if (m.offset > 0xFFFFFFFFu) return InvalidArgument("zip archive over 4 GB");
  std::string h;
  Put32(h, 0x04034b50);
  Put16(h, 20);
  Put16(h, m.flags);
  Put16(h, m.method);
  Put16(h, 0);
  Put16(h, kDosDate);
  Put32(h, m.crc);
  Put32(h, static_cast<uint32_t>(m.compressed));
  Put32(h, static_cast<uint32_t>(m.size));
  Put16(h, static_cast<uint16_t>(m.name.size()));
  Put16(h, 0);
  h += m.name;
  return Put(h);
}

// Deflates `data` onto the file, counting compressed bytes on the current member.
Status ZipWriter::Compress(std::string_view data, bool finish) {
  z_stream& zs = deflater_->zs;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  char out[64 << 10];
  for (;;) {
    zs.next_out = reinterpret_cast<Bytef*>(out);
    zs.avail_out = sizeof out;
    int rc = deflate(&zs, finish ? Z_FINISH : Z_NO_FLUSH);
    if (rc == Z_STREAM_ERROR) return Internal("deflate failed");
    size_t produced = sizeof out - zs.avail_out;
    RETURN_IF_ERROR(Put(std::string_view(out, produced)));
    members_.back().compressed += produced;
    if (finish ? rc == Z_STREAM_END : (zs.avail_in == 0 && zs.avail_out != 0)) return Status::Ok();
  }
}

Status ZipWriter::Add(std::string_view name, std::string_view data, bool compress) {
  if (streaming_) return InvalidArgument("zip writer: Add during a streamed member");
  Member m;
  m.name = std::string(name);
  m.method = compress ? 8 : 0;
  m.offset = offset_;
  m.size = data.size();
  m.crc = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
  std::string body;
  if (compress) {
    z_stream zs{};
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
      return Internal("deflateInit2 failed");
    }
    body.resize(deflateBound(&zs, static_cast<uLong>(data.size())));
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(body.data());
    zs.avail_out = static_cast<uInt>(body.size());
    int rc = deflate(&zs, Z_FINISH);
    body.resize(body.size() - zs.avail_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) return Internal("deflate failed");
  } else {
    body = std::string(data);
  }
  m.compressed = body.size();
  if (m.size > 0xFFFFFFFFu || m.compressed > 0xFFFFFFFFu) {
    return InvalidArgument("zip member over 4 GB");
  }
  RETURN_IF_ERROR(PutLocalHeader(m));
  RETURN_IF_ERROR(Put(body));
  members_.push_back(std::move(m));
  return Status::Ok();
}

Status ZipWriter::Begin(std::string_view name, bool compress) {
  if (streaming_) return InvalidArgument("zip writer: Begin during a streamed member");
  Member m;
  m.name = std::string(name);
  m.flags = 0x08;  // sizes and CRC in a data descriptor after the data
  m.method = compress ? 8 : 0;
  m.offset = offset_;
  m.crc = static_cast<uint32_t>(crc32(0, nullptr, 0));
  RETURN_IF_ERROR(PutLocalHeader(m));
  members_.push_back(std::move(m));
  streaming_ = true;
  if (compress) {
    deflater_ = std::make_unique<Deflater>();
    if (deflateInit2(&deflater_->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
      return Internal("deflateInit2 failed");
    }
    deflater_->initialised = true;
  }
  return Status::Ok();
}

Status ZipWriter::Write(std::string_view data) {
  if (!streaming_) return InvalidArgument("zip writer: Write outside Begin/End");
  Member& m = members_.back();
  m.crc = static_cast<uint32_t>(
      crc32(m.crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
  m.size += data.size();
  if (deflater_) return Compress(data, false);
  RETURN_IF_ERROR(Put(data));
  m.compressed += data.size();
  return Status::Ok();
}

Status ZipWriter::End() {
  if (!streaming_) return InvalidArgument("zip writer: End without Begin");
  if (deflater_) RETURN_IF_ERROR(Compress({}, true));
  deflater_.reset();
  streaming_ = false;
  const Member& m = members_.back();
  if (m.size > 0xFFFFFFFFu || m.compressed > 0xFFFFFFFFu) {
    return InvalidArgument("zip member over 4 GB");
  }
  std::string d;
  Put32(d, 0x08074b50);
  Put32(d, m.crc);
  Put32(d, static_cast<uint32_t>(m.compressed));
  Put32(d, static_cast<uint32_t>(m.size));
  return Put(d);
}

Status ZipWriter::Finish() {
  if (streaming_) return InvalidArgument("zip writer: Finish during a streamed member");
  uint64_t directory_offset = offset_;
  std::string dir;
  for (const Member& m : members_) {
    Put32(dir, 0x02014b50);
    Put16(dir, 20);
    Put16(dir, 20);
    Put16(dir, m.flags);
    Put16(dir, m.method);
    Put16(dir, 0);
    Put16(dir, kDosDate);
    Put32(dir, m.crc);
    Put32(dir, static_cast<uint32_t>(m.compressed));
    Put32(dir, static_cast<uint32_t>(m.size));
    Put16(dir, static_cast<uint16_t>(m.name.size()));
    Put16(dir, 0);  // extra
    Put16(dir, 0);  // comment
    Put16(dir, 0);  // disk
    Put16(dir, 0);  // internal attributes
    Put32(dir, 0);  // external attributes
    Put32(dir, static_cast<uint32_t>(m.offset));
    dir += m.name;
  }
  if (members_.size() > 0xFFFF || directory_offset > 0xFFFFFFFFu) {
    return InvalidArgument("zip archive over 4 GB or 65535 members");
  }
  const auto directory_size = static_cast<uint32_t>(dir.size());
  Put32(dir, 0x06054b50);
  Put16(dir, 0);
  Put16(dir, 0);
  Put16(dir, static_cast<uint16_t>(members_.size()));
  Put16(dir, static_cast<uint16_t>(members_.size()));
  Put32(dir, directory_size);
  Put32(dir, static_cast<uint32_t>(directory_offset));
  Put16(dir, 0);
  RETURN_IF_ERROR(Put(dir));
  std::FILE* f = file_;
  file_ = nullptr;
  if (std::fclose(f) != 0) return IoError("close");
  return Status::Ok();
}

std::string ColumnName(size_t index) {
  std::string name;
  for (size_t n = index + 1; n > 0; n = (n - 1) / 26) {
    name.insert(name.begin(), static_cast<char>('A' + (n - 1) % 26));
  }
  return name;
}

void AppendXmlText(std::string& out, std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\r':
        out += "&#13;";  // a literal CR would be read back as LF
        break;
      case '_':
        // An underscore that would read as the start of an _xHHHH_ escape is escaped itself.
        if (i + 6 < s.size() && s[i + 1] == 'x' && s[i + 6] == '_' &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 3])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 4])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 5]))) {
          out += "_x005F_";
        } else {
          out.push_back(c);
        }
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
          static constexpr char kHex[] = "0123456789ABCDEF";
          out += "_x00";
          out.push_back(kHex[(c >> 4) & 0xF]);
          out.push_back(kHex[c & 0xF]);
          out.push_back('_');
        } else {
          out.push_back(c);
        }
    }
  }
}

Result<std::unique_ptr<XlsxWriter>> XlsxWriter::Create(const std::string& path,
                                                       const XlsxWriteOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<ZipWriter> zip, ZipWriter::Create(path));
  RETURN_IF_ERROR(zip->Begin("xl/worksheets/sheet1.xml", options.deflate));
  std::unique_ptr<XlsxWriter> writer(new XlsxWriter(std::move(zip), options));
  writer->sheet_ = kSheetStart;
  return writer;
}

Status XlsxWriter::AddRow(const std::vector<std::string>& cells) {
  ++rows_;
  std::string row_number = std::to_string(rows_);
  sheet_ += "<row r=\"" + row_number + "\">";
  for (size_t i = 0; i < cells.size(); ++i) {
    const std::string& cell = cells[i];
    if (cell.empty()) continue;
    std::string ref = ColumnName(i) + row_number;
    if (options_.numbers && IsPlainNumber(cell)) {
      sheet_ += "<c r=\"" + ref + "\"><v>" + cell + "</v></c>";
    } else if (options_.shared_strings) {
      auto [it, inserted] =
          string_index_.try_emplace(cell, static_cast<uint32_t>(string_index_.size()));
      if (inserted) strings_.push_back(&it->first);
      sheet_ += "<c r=\"" + ref + "\" t=\"s\"><v>" + std::to_string(it->second) + "</v></c>";
    } else {
      sheet_ += "<c r=\"" + ref + "\" t=\"inlineStr\"><is>";
      AppendTextElement(sheet_, cell);
      sheet_ += "</is></c>";
    }
  }
  sheet_ += "</row>";
  if (sheet_.size() >= kFlushBytes) return Flush();
  return Status::Ok();
}

Status XlsxWriter::Flush() {
  RETURN_IF_ERROR(zip_->Write(sheet_));
  sheet_.clear();
  return Status::Ok();
}

Status XlsxWriter::Finish() {
  sheet_ += "</sheetData></worksheet>";
  RETURN_IF_ERROR(Flush());
  RETURN_IF_ERROR(zip_->End());
  std::string sst =
      R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
      "\n"
      R"(<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count=")" +
      std::to_string(strings_.size()) + "\" uniqueCount=\"" + std::to_string(strings_.size()) +
      "\">";
  for (const std::string* s : strings_) {
    sst += "<si>";
    AppendTextElement(sst, *s);
    sst += "</si>";
  }
  sst += "</sst>";
  RETURN_IF_ERROR(zip_->Add("xl/sharedStrings.xml", sst, options_.deflate));
  RETURN_IF_ERROR(zip_->Add("xl/workbook.xml", kWorkbook, options_.deflate));
  RETURN_IF_ERROR(zip_->Add("xl/_rels/workbook.xml.rels", kWorkbookRels, options_.deflate));
  RETURN_IF_ERROR(zip_->Add("_rels/.rels", kRootRels, options_.deflate));
  RETURN_IF_ERROR(zip_->Add("[Content_Types].xml", kContentTypes, options_.deflate));
  return zip_->Finish();
}

Status WriteXlsx(const std::string& path, const std::vector<std::vector<std::string>>& rows,
                 const XlsxWriteOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<XlsxWriter> writer, XlsxWriter::Create(path, options));
  for (const auto& row : rows) RETURN_IF_ERROR(writer->AddRow(row));
  return writer->Finish();
}

}  // namespace leadline::imports
