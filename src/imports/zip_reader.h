// Reads members of a zip archive (the container of an XLSX workbook) one at a time and
// inflates them as the caller reads, so no member has to fit in memory. The central directory
// is authoritative, which makes members written with data descriptors (sizes after the data)
// work like any other. dnc/archive.h reads zips too, but it pushes every member through a
// callback from a mapped file; a pull reader that opens one named member is what a
// record-at-a-time reader needs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "imports/input_file.h"

namespace leadline::imports {

struct ZipEntry {
  std::string name;  // as stored, with '\' turned into '/'
  uint16_t flags = 0;
  uint16_t method = 0;  // 0 stored, 8 deflate
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t size = 0;
  uint64_t local_header_offset = 0;
};

class ZipMemberReader;

// Not thread-safe. Member readers borrow the archive's file: the ZipArchive must outlive them.
class ZipArchive {
 public:
  // Reads the central directory. kInvalidArgument when `path` is not a zip archive, is
  // corrupt, or needs ZIP64 (archives over 4 GB or with more than 65535 members).
  static Result<std::unique_ptr<ZipArchive>> Open(const std::string& path);

  const std::vector<ZipEntry>& entries() const { return entries_; }
  // The member called `name`, compared without regard to ASCII case (producers disagree on
  // the case of part names); nullptr when absent.
  const ZipEntry* Find(std::string_view name) const;
  uint64_t file_size() const { return file_.size(); }

  // Starts reading a member. kInvalidArgument for an encrypted member or an unsupported
  // compression method.
  Result<std::unique_ptr<ZipMemberReader>> OpenMember(const ZipEntry& entry);
  // A whole (small) member; kInvalidArgument when it inflates to more than `max_bytes`.
  Result<std::string> ReadMember(const ZipEntry& entry, size_t max_bytes);

 private:
  explicit ZipArchive(InputFile file) : file_(std::move(file)) {}
  Status ReadDirectory();

  InputFile file_;
  std::vector<ZipEntry> entries_;
};

class ZipMemberReader {
 public:
  ~ZipMemberReader();
  ZipMemberReader(const ZipMemberReader&) = delete;
  ZipMemberReader& operator=(const ZipMemberReader&) = delete;

  // Reads up to `n` bytes of the member's content; 0 at its end. kInvalidArgument when the
  // data is corrupt or does not match its CRC-32.
  Result<size_t> Read(char* out, size_t n);
  // Compressed bytes consumed so far, for progress.
  uint64_t compressed_read() const { return compressed_read_; }

 private:
  friend class ZipArchive;
  ZipMemberReader(InputFile& file, const ZipEntry& entry, uint64_t data_offset);
  Status Init();
  Status Finish();

  InputFile& file_;
  ZipEntry entry_;
  uint64_t data_offset_;
  uint64_t compressed_read_ = 0;
  uint64_t produced_ = 0;
  uint32_t crc_ = 0;
  bool done_ = false;
  struct Inflater;
  std::unique_ptr<Inflater> inflater_;  // deflated members only
};

}  // namespace leadline::imports
