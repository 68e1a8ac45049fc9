// A read-only file for the import readers: sequential reads for CSV, positioned reads for the
// zip container of XLSX. Plain POSIX I/O so that a 500 MB upload is read in blocks, never whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/status.h"

namespace leadline::imports {

// Owns one file descriptor. Not thread-safe; move-only.
class InputFile {
 public:
  // kNotFound when the file does not exist, kInternal for other I/O failures.
  static Result<InputFile> Open(const std::string& path);

  InputFile(InputFile&& other) noexcept;
  InputFile& operator=(InputFile&& other) noexcept;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile();

  uint64_t size() const { return size_; }

  // Reads up to `n` bytes at the current position; 0 at the end of the file.
  Result<size_t> Read(char* out, size_t n);
  // Reads up to `n` bytes at `offset` without moving the position; short only at the end.
  Result<size_t> ReadAt(uint64_t offset, char* out, size_t n);

 private:
  InputFile(int fd, uint64_t size) : fd_(fd), size_(size) {}
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace leadline::imports
