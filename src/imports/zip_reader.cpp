#include "imports/zip_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace leadline::imports {
namespace {

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr size_t kEndOfDirectorySize = 22;
constexpr size_t kMaxComment = 65535;
constexpr size_t kMaxDirectoryBytes = 64 << 20;
constexpr size_t kInputChunk = 64 << 10;

uint16_t Le16(const char* p) {
  return static_cast<uint16_t>(static_cast<unsigned char>(p[0]) |
                               (static_cast<unsigned char>(p[1]) << 8));
}
uint32_t Le32(const char* p) { return Le16(p) | (static_cast<uint32_t>(Le16(p + 2)) << 16); }

Status Corrupt(const std::string& what) { return InvalidArgument("corrupt zip archive: " + what); }

Status NeedsZip64() {
  return InvalidArgument(
      "ZIP64 archives are not supported (the workbook is over 4 GB or has "
      "too many parts); save it again or export it as CSV");
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

struct ZipMemberReader::Inflater {
  z_stream zs{};
  bool initialised = false;
  std::unique_ptr<char[]> in = std::make_unique_for_overwrite<char[]>(kInputChunk);
  ~Inflater() {
    if (initialised) inflateEnd(&zs);
  }
};

Result<std::unique_ptr<ZipArchive>> ZipArchive::Open(const std::string& path) {
  ASSIGN_OR_RETURN(InputFile file, InputFile::Open(path));
  std::unique_ptr<ZipArchive> archive(new ZipArchive(std::move(file)));
  RETURN_IF_ERROR(archive->ReadDirectory());
  return archive;
}

Status ZipArchive::ReadDirectory() {
  const uint64_t size = file_.size();
  if (size < kEndOfDirectorySize) return InvalidArgument("not a zip archive (too short)");
  // The end record is the last 22 bytes unless a comment of up to 64 KB follows it.
  size_t tail_len =
      static_cast<size_t>(std::min<uint64_t>(size, kEndOfDirectorySize + kMaxComment));
  std::string tail(tail_len, '\0');
  uint64_t tail_offset = size - tail_len;
  ASSIGN_OR_RETURN(size_t got, file_.ReadAt(tail_offset, tail.data(), tail_len));
  if (got != tail_len) return Corrupt("short read");
  size_t eocd = std::string::npos;
  for (size_t i = tail_len - kEndOfDirectorySize + 1; i-- > 0;) {
    if (Le32(tail.data() + i) == kEndOfDirectory) {
      eocd = i;
      break;
    }
  }
  if (eocd == std::string::npos) {
    return InvalidArgument("not a zip archive (no central directory)");
  }
  const char* e = tail.data() + eocd;
  if (Le16(e + 4) != 0 || Le16(e + 6) != 0) {
    return InvalidArgument("multi-part zip archives are not supported");
  }
  uint32_t count = Le16(e + 10);
  uint32_t dir_size = Le32(e + 12);
  uint32_t dir_offset = Le32(e + 16);
  if (count == 0xFFFF || dir_size == 0xFFFFFFFF || dir_offset == 0xFFFFFFFF) return NeedsZip64();
  if (uint64_t{dir_offset} + dir_size > tail_offset + eocd) return Corrupt("bad central directory");
  if (dir_size > kMaxDirectoryBytes) return Corrupt("central directory too large");

  std::string dir(dir_size, '\0');
  ASSIGN_OR_RETURN(got, file_.ReadAt(dir_offset, dir.data(), dir_size));
  if (got != dir_size) return Corrupt("short read");
  size_t p = 0;
  entries_.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    if (p + 46 > dir.size() || Le32(dir.data() + p) != kCentralHeader) {
      return Corrupt("bad central directory entry");
    }
    const char* h = dir.data() + p;
    ZipEntry entry;
    entry.flags = Le16(h + 8);
    entry.method = Le16(h + 10);
    entry.crc32 = Le32(h + 16);
    entry.compressed_size = Le32(h + 20);
    entry.size = Le32(h + 24);
    size_t name_len = Le16(h + 28), extra_len = Le16(h + 30), comment_len = Le16(h + 32);
    entry.local_header_offset = Le32(h + 42);
    if (p + 46 + name_len + extra_len + comment_len > dir.size()) {
      return Corrupt("bad central directory entry");
    }
    if (entry.compressed_size == 0xFFFFFFFF || entry.size == 0xFFFFFFFF ||
        entry.local_header_offset == 0xFFFFFFFF) {
      return NeedsZip64();
    }
    entry.name.assign(h + 46, name_len);
    std::replace(entry.name.begin(), entry.name.end(), '\\', '/');
    entries_.push_back(std::move(entry));
    p += 46 + name_len + extra_len + comment_len;
  }
  return Status::Ok();
}

const ZipEntry* ZipArchive::Find(std::string_view name) const {
  for (const ZipEntry& e : entries_) {
    if (EqualsIgnoreCase(e.name, name)) return &e;
  }
  return nullptr;
}

Result<std::unique_ptr<ZipMemberReader>> ZipArchive::OpenMember(const ZipEntry& entry) {
  if (entry.flags & 1) return InvalidArgument("encrypted workbooks are not supported");
  if (entry.method != 0 && entry.method != 8) {
    return InvalidArgument("zip compression method " + std::to_string(entry.method) +
                           " is not supported (only stored and deflate)");
  }
  char h[30];
  ASSIGN_OR_RETURN(size_t got, file_.ReadAt(entry.local_header_offset, h, sizeof h));
  if (got != sizeof h || Le32(h) != kLocalHeader) return Corrupt("bad local header");
  uint64_t data = entry.local_header_offset + 30 + Le16(h + 26) + Le16(h + 28);
  if (data + entry.compressed_size > file_.size()) return Corrupt("member runs past the end");
  std::unique_ptr<ZipMemberReader> reader(new ZipMemberReader(file_, entry, data));
  RETURN_IF_ERROR(reader->Init());
  return reader;
}

Result<std::string> ZipArchive::ReadMember(const ZipEntry& entry, size_t max_bytes) {
  ASSIGN_OR_RETURN(std::unique_ptr<ZipMemberReader> reader, OpenMember(entry));
  std::string out;
  for (;;) {
    size_t at = out.size();
    out.resize(at + kInputChunk);
    ASSIGN_OR_RETURN(size_t got, reader->Read(out.data() + at, kInputChunk));
    out.resize(at + got);
    if (got == 0) return out;
    if (out.size() > max_bytes) return InvalidArgument(entry.name + " is too large");
  }
}

ZipMemberReader::ZipMemberReader(InputFile& file, const ZipEntry& entry, uint64_t data_offset)
    : file_(file), entry_(entry), data_offset_(data_offset) {}

ZipMemberReader::~ZipMemberReader() = default;

Status ZipMemberReader::Init() {
  crc_ = static_cast<uint32_t>(crc32(0, nullptr, 0));
  if (entry_.method != 8) return Status::Ok();
  inflater_ = std::make_unique<Inflater>();
  if (inflateInit2(&inflater_->zs, -MAX_WBITS) != Z_OK) return Internal("inflateInit2 failed");
  inflater_->initialised = true;
  return Status::Ok();
}

Status ZipMemberReader::Finish() {
  done_ = true;
  if (produced_ != entry_.size || crc_ != entry_.crc32) {
    return Corrupt(entry_.name + " does not match its CRC-32");
  }
  return Status::Ok();
}

Result<size_t> ZipMemberReader::Read(char* out, size_t n) {
  if (done_ || n == 0) return size_t{0};
  n = std::min<size_t>(n, 1u << 30);  // zlib counts in uInt
  size_t produced = 0;
  if (entry_.method == 0) {
    uint64_t left = entry_.compressed_size - compressed_read_;
    size_t want = static_cast<size_t>(std::min<uint64_t>(left, n));
    if (want > 0) {
      ASSIGN_OR_RETURN(produced, file_.ReadAt(data_offset_ + compressed_read_, out, want));
      if (produced != want) return Corrupt(entry_.name + " is truncated");
      compressed_read_ += produced;
    }
  } else {
    z_stream& zs = inflater_->zs;
    for (;;) {
      if (zs.avail_in == 0 && compressed_read_ < entry_.compressed_size) {
        size_t want = static_cast<size_t>(
            std::min<uint64_t>(entry_.compressed_size - compressed_read_, kInputChunk));
        ASSIGN_OR_RETURN(size_t got,
                         file_.ReadAt(data_offset_ + compressed_read_, inflater_->in.get(), want));
        if (got != want) return Corrupt(entry_.name + " is truncated");
        compressed_read_ += got;
        zs.next_in = reinterpret_cast<Bytef*>(inflater_->in.get());
        zs.avail_in = static_cast<uInt>(got);
      }
      zs.next_out = reinterpret_cast<Bytef*>(out);
      zs.avail_out = static_cast<uInt>(n);
      int rc = inflate(&zs, Z_NO_FLUSH);
      produced = n - zs.avail_out;
      if (rc == Z_STREAM_END) {
        crc_ = static_cast<uint32_t>(
            crc32(crc_, reinterpret_cast<const Bytef*>(out), static_cast<uInt>(produced)));
        produced_ += produced;
        RETURN_IF_ERROR(Finish());
        return produced;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Corrupt(entry_.name + ": " + (zs.msg ? zs.msg : "inflate failed"));
      }
      if (produced > 0) break;
      if (zs.avail_in == 0 && compressed_read_ >= entry_.compressed_size) {
        return Corrupt(entry_.name + " is truncated");
      }
    }
  }
  crc_ = static_cast<uint32_t>(
      crc32(crc_, reinterpret_cast<const Bytef*>(out), static_cast<uInt>(produced)));
  produced_ += produced;
  if (entry_.method == 0 && compressed_read_ == entry_.compressed_size) {
    RETURN_IF_ERROR(Finish());
  }
  return produced;
}

}  // namespace leadline::imports
