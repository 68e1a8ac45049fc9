#include "dnc/archive.h"

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace leadline::dnc {
namespace {

constexpr size_t kChunk = 4 << 20;

uint16_t Le16(const char* p) {
  return static_cast<uint16_t>(static_cast<unsigned char>(p[0]) |
                               (static_cast<unsigned char>(p[1]) << 8));
}
uint32_t Le32(const char* p) { return Le16(p) | (static_cast<uint32_t>(Le16(p + 2)) << 16); }
uint64_t Le64(const char* p) { return Le32(p) | (static_cast<uint64_t>(Le32(p + 4)) << 32); }

Status Corrupt(std::string what) { return ValidationFailed("corrupt archive: " + what); }

// Inflates `in` (raw deflate when `window_bits` < 0, gzip when 16 + 15) into chunks.
// Gzip streams may have several members; each is inflated in turn.
Status Inflate(std::string_view in, int window_bits, std::string_view name,
               const std::function<Status(std::string_view, std::string_view)>& sink,
               const std::function<void(std::string_view)>& release) {
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) return Internal("inflateInit2 failed");
  std::unique_ptr<z_stream, void (*)(z_stream*)> guard(&zs, [](z_stream* z) { inflateEnd(z); });
  std::vector<char> out(kChunk);
  size_t pos = 0;
  size_t released = 0;
  for (;;) {
    if (release && pos - released >= kChunk * 4) {
      release(in.substr(released, pos - released));
      released = pos;
    }
    // zlib counts in uInt; small slices also let consumed input be released early.
    size_t avail = std::min<size_t>(in.size() - pos, kChunk);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + pos));
    zs.avail_in = static_cast<uInt>(avail);
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    int rc = inflate(&zs, Z_NO_FLUSH);
    pos += avail - zs.avail_in;
    size_t produced = out.size() - zs.avail_out;
    if (produced > 0) RETURN_IF_ERROR(sink(name, std::string_view(out.data(), produced)));
    if (rc == Z_STREAM_END) {
      if (window_bits > 0 && pos < in.size()) {
        if (inflateReset(&zs) != Z_OK) return Corrupt("bad gzip member");
        continue;
      }
      if (release) release(in.substr(released));
      return Status::Ok();
    }
    if (rc == Z_BUF_ERROR && produced == 0 && pos >= in.size()) return Corrupt("truncated data");
    if (rc != Z_OK && rc != Z_BUF_ERROR) return Corrupt(zs.msg ? zs.msg : "inflate failed");
  }
}

Status ForEachZipMember(std::string_view z,
                        const std::function<Status(std::string_view, std::string_view)>& sink,
                        const std::function<void(std::string_view)>& release) {
  const char* d = z.data();
  // End of central directory: 22 bytes plus a comment of up to 64 KB, from the end.
  if (z.size() < 22) return Corrupt("too short");
  size_t eocd = std::string_view::npos;
  size_t lowest = z.size() > 22 + 65535 ? z.size() - 22 - 65535 : 0;
  for (size_t i = z.size() - 22 + 1; i-- > lowest;) {
    if (Le32(d + i) == 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd == std::string_view::npos) return Corrupt("no central directory");
  uint64_t entries = Le16(d + eocd + 10);
  uint64_t cd_offset = Le32(d + eocd + 16);
  if ((entries == 0xFFFF || cd_offset == 0xFFFFFFFF) && eocd >= 20 &&
      Le32(d + eocd - 20) == 0x07064b50) {
    uint64_t z64 = Le64(d + eocd - 20 + 8);
    if (z64 + 56 > z.size() || Le32(d + z64) != 0x06064b50) return Corrupt("bad zip64 record");
    entries = Le64(d + z64 + 32);
    cd_offset = Le64(d + z64 + 48);
  }
  uint64_t p = cd_offset;
  for (uint64_t e = 0; e < entries; ++e) {
    if (p + 46 > z.size() || Le32(d + p) != 0x02014b50) return Corrupt("bad central header");
    uint16_t flags = Le16(d + p + 8);
    uint16_t method = Le16(d + p + 10);
    uint64_t csize = Le32(d + p + 20);
    uint64_t usize = Le32(d + p + 24);
    uint16_t name_len = Le16(d + p + 28);
    uint16_t extra_len = Le16(d + p + 30);
    uint16_t comment_len = Le16(d + p + 32);
    uint64_t local = Le32(d + p + 42);
    if (p + 46 + name_len + extra_len > z.size()) return Corrupt("bad central header");
    std::string_view name(d + p + 46, name_len);
    // Zip64 extra field: the 0xFFFFFFFF fields, in order.
    const char* x = d + p + 46 + name_len;
    const char* x_end = x + extra_len;
    while (x + 4 <= x_end) {
      uint16_t id = Le16(x), len = Le16(x + 2);
      const char* f = x + 4;
      if (id == 0x0001) {
        if (usize == 0xFFFFFFFF && f + 8 <= x + 4 + len) usize = Le64(f), f += 8;
        if (csize == 0xFFFFFFFF && f + 8 <= x + 4 + len) csize = Le64(f), f += 8;
        if (local == 0xFFFFFFFF && f + 8 <= x + 4 + len) local = Le64(f), f += 8;
      }
      x += 4 + len;
    }
    p += 46 + name_len + extra_len + comment_len;
    if (!name.empty() && name.back() == '/') continue;
    if (flags & 1) return ValidationFailed("encrypted zip members are not supported");
    if (local + 30 > z.size() || Le32(d + local) != 0x04034b50) return Corrupt("bad local header");
    uint64_t data = local + 30 + Le16(d + local + 26) + Le16(d + local + 28);
    if (data + csize > z.size()) return Corrupt("member runs past the end");
    std::string_view body(d + data, csize);
    if (method == 0) {
      for (size_t off = 0; off < body.size(); off += kChunk) {
        RETURN_IF_ERROR(sink(name, body.substr(off, kChunk)));
        if (release) release(body.substr(off, kChunk));
      }
    } else if (method == 8) {
      RETURN_IF_ERROR(Inflate(body, -MAX_WBITS, name, sink, release));
    } else {
      return ValidationFailed("zip compression method " + std::to_string(method) +
                              " is not supported (only stored and deflate)");
    }
    (void)usize;
  }
  return Status::Ok();
}

}  // namespace

ArchiveKind DetectArchive(std::string_view b) {
  if (b.size() >= 4 && std::memcmp(b.data(), "PK\x03\x04", 4) == 0) return ArchiveKind::kZip;
  if (b.size() >= 2 && static_cast<unsigned char>(b[0]) == 0x1f &&
      static_cast<unsigned char>(b[1]) == 0x8b) {
    return ArchiveKind::kGzip;
  }
  return ArchiveKind::kPlain;
}

Status ForEachChunk(std::string_view bytes,
                    const std::function<Status(std::string_view, std::string_view)>& sink,
                    const std::function<void(std::string_view)>& release) {
  switch (DetectArchive(bytes)) {
    case ArchiveKind::kZip:
      return ForEachZipMember(bytes, sink, release);
    case ArchiveKind::kGzip:
      return Inflate(bytes, 16 + MAX_WBITS, "", sink, release);
    case ArchiveKind::kPlain:
      for (size_t off = 0; off < bytes.size(); off += kChunk) {
        RETURN_IF_ERROR(sink("", bytes.substr(off, kChunk)));
        if (release) release(bytes.substr(off, kChunk));
      }
      return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace leadline::dnc
