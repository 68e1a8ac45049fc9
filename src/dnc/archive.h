// Reads the bytes of a possibly compressed upload: plain text, gzip, or a zip archive of one
// or many files (the national registry ships zip files, one text file per area code).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace leadline::dnc {

enum class ArchiveKind { kPlain, kGzip, kZip };

// By magic bytes: "PK\3\4" zip, 1f 8b gzip, anything else plain.
ArchiveKind DetectArchive(std::string_view bytes);

// Calls `sink(name, chunk)` with the decompressed content in order, in chunks of up to a few
// MB (a chunk may end in the middle of a line; names are "" for plain and gzip). Zip members
// that are directories are skipped; stored and deflated members are supported, zip64 sizes
// too; encrypted members are refused. `sink` returning an error stops and returns it.
// `release`, when set, is called with input ranges that have been fully consumed, so a caller
// that mapped a large file can drop its pages as it goes.
// Errors: kValidationFailed for a corrupt or unsupported archive.
Status ForEachChunk(
    std::string_view bytes,
    const std::function<Status(std::string_view name, std::string_view chunk)>& sink,
    const std::function<void(std::string_view consumed)>& release = nullptr);

}  // namespace leadline::dnc
