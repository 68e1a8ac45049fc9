// Streaming CSV reader: RFC 4180 plus what real exports do (BOM, any line end, other
// delimiters, blank lines, stray quotes). Reads fixed blocks; only the record in progress is
// ever kept across a block boundary.
#include "imports/csv_reader.h"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "imports/input_file.h"

namespace leadline::imports {
namespace {

constexpr char kCandidates[] = {',', ';', '\t', '|'};
constexpr size_t kDetectRecords = 20;
// Enough of the file's start to recognise binary content and to detect the delimiter.
constexpr size_t kSniffBytes = 64 << 10;

enum class Parse { kRecord, kBlank, kNeedMore, kUnterminated };

struct Parsed {
  size_t raw_len = 0;     // the record's text without its line end
  size_t consumed = 0;    // raw_len plus the line end
  int64_t line_ends = 0;  // physical line ends consumed, the record's own included
};

// Physical line ends in [p, end): "\r\n", "\n" and a lone "\r" count once each. `end` must
// not split a "\r\n" pair (callers stop at a quote).
int64_t CountLineEnds(const char* p, const char* end) {
  int64_t n = 0;
  for (; p < end; ++p) {
    if (*p == '\n') {
      ++n;
    } else if (*p == '\r' && (p + 1 == end || p[1] != '\n')) {
      ++n;
    }
  }
  return n;
}

bool IsBlankField(const std::string& f) { return f.find_first_not_of(" \t") == std::string::npos; }

// One record at a time from a byte range. Stateless between records, so a record that runs
// past the available bytes is simply parsed again once more bytes are there.
class CsvParser {
 public:
  explicit CsvParser(char delimiter) : delim_(delimiter) {
    std::memset(stop_, 0, sizeof stop_);
    stop_[static_cast<unsigned char>(delimiter)] = true;
    stop_[static_cast<unsigned char>('\r')] = true;
    stop_[static_cast<unsigned char>('\n')] = true;
  }

  char delimiter() const { return delim_; }

  // Parses the record at `begin` into `fields`, reusing the strings already there. `eof`: no
  // bytes follow `end`. Requires begin < end.
  Parse Next(const char* const begin, const char* const end, bool eof,
             std::vector<std::string>& fields, Parsed& info) const {
    const char* p = begin;
    size_t n = 0;
    int64_t line_ends = 0;
    bool quoted = false;
    for (;;) {
      if (n == fields.size()) fields.emplace_back();
      std::string& f = fields[n++];
      f.clear();
      if (p < end && *p == '"') {
        quoted = true;
        ++p;
        for (;;) {
          const char* q = static_cast<const char*>(std::memchr(p, '"', end - p));
          if (q == nullptr) return eof ? Parse::kUnterminated : Parse::kNeedMore;
          line_ends += CountLineEnds(p, q);
          f.append(p, q);
          if (q + 1 == end && !eof) return Parse::kNeedMore;  // might be the first of ""
          if (q + 1 < end && q[1] == '"') {
            f.push_back('"');
            p = q + 2;
            continue;
          }
          p = q + 1;
          break;
        }
        // Anything between the closing quote and the delimiter is kept as written ("ab"c is
        // abc), as spreadsheets do, rather than failing the row.
      }
      const char* q = p;
      while (q < end && !stop_[static_cast<unsigned char>(*q)]) ++q;
      f.append(p, q);
      p = q;
      if (p == end) {
        if (!eof) return Parse::kNeedMore;
        info.raw_len = info.consumed = static_cast<size_t>(p - begin);
        break;
      }
      if (*p == delim_) {
        ++p;
        continue;
      }
      info.raw_len = static_cast<size_t>(p - begin);
      if (*p == '\r') {
        if (p + 1 == end && !eof) return Parse::kNeedMore;  // "\r\n" split across blocks
        ++p;
        if (p < end && *p == '\n') ++p;
      } else {
        ++p;
      }
      info.consumed = static_cast<size_t>(p - begin);
      ++line_ends;
      break;
    }
    fields.resize(n);
    info.line_ends = line_ends;
    // Spreadsheets export cleared rows as ",,,": as useless as a blank line.
    if (!quoted && std::all_of(fields.begin(), fields.end(), IsBlankField)) return Parse::kBlank;
    return Parse::kRecord;
  }

 private:
  char delim_;
  bool stop_[256];  // ends an unquoted field: the delimiter, '\r', '\n'
};

// Offset of the first byte of `s` that is not part of well-formed UTF-8 (overlong forms,
// surrogates and code points above U+10FFFF are ill-formed), or npos.
size_t FindInvalidUtf8(std::string_view s) {
  const auto* const start = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = start + s.size();
  const auto* p = start;
  while (p < end) {
    // Most exports are ASCII: test eight bytes at a time.
    while (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      if (w & 0x8080808080808080ULL) break;
      p += 8;
    }
    if (p == end) break;
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    ptrdiff_t len;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
    } else {
      return static_cast<size_t>(p - start);
    }
    if (end - p < len) return static_cast<size_t>(p - start);
    for (ptrdiff_t i = 1; i < len; ++i) {
      if ((p[i] & 0xC0) != 0x80) return static_cast<size_t>(p - start);
    }
    if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F) || (c == 0xF0 && p[1] < 0x90) ||
        (c == 0xF4 && p[1] > 0x8F)) {
      return static_cast<size_t>(p - start);
    }
    p += len;
  }
  return std::string_view::npos;
}

// Sets `error` when a field is not storable text. A record's text is valid exactly when all
// its fields are (fields only lose ASCII quotes and delimiters), so the common case costs one
// pass over the record.
void CheckText(Record& r) {
  bool has_nul = std::memchr(r.raw.data(), 0, r.raw.size()) != nullptr;
  if (!has_nul && FindInvalidUtf8(r.raw) == std::string_view::npos) return;
  for (size_t i = 0; i < r.fields.size(); ++i) {
    const std::string& f = r.fields[i];
    if (FindInvalidUtf8(f) != std::string_view::npos) {
      r.error = "invalid UTF-8 in column " + std::to_string(i + 1) + " (save the file as UTF-8)";
      return;
    }
    if (std::memchr(f.data(), 0, f.size()) != nullptr) {
      r.error = "NUL byte in column " + std::to_string(i + 1);
      return;
    }
  }
  r.error = "invalid UTF-8";  // not reached: the text's fault lies in some field
}

// Refuses what is clearly not CSV text, with a message that says what to do instead.
Status SniffText(std::string_view head) {
  auto starts = [&](std::string_view magic) { return head.substr(0, magic.size()) == magic; };
  if (starts("\xFF\xFE") || starts("\xFE\xFF")) {
    return InvalidArgument("the file is UTF-16 text; save it as CSV UTF-8");
  }
  if (starts("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
    return InvalidArgument(
        "legacy .xls workbooks are not supported; save the sheet as .xlsx or CSV");
  }
  if (starts("\x1F\x8B"))
    return InvalidArgument("the file is gzip-compressed; upload the CSV itself");
  if (starts(std::string_view("PK\x03\x04", 4))) {
    return InvalidArgument("the file is a zip archive (an XLSX workbook?), not CSV text");
  }
  // UTF-16 without a BOM or a binary format: NULs everywhere. A stray NUL in text only fails
  // its record.
  if (static_cast<size_t>(std::count(head.begin(), head.end(), '\0')) * 100 > head.size()) {
    return InvalidArgument("the file is not CSV text (it contains NUL bytes)");
  }
  return Status::Ok();
}

char DetectDelimiterIn(std::string_view head, bool complete) {
  char best = ',';
  double best_score = -1;
  size_t best_columns = 0;
  std::vector<std::string> fields;
  for (char c : kCandidates) {
    CsvParser parser(c);
    const char* p = head.data();
    const char* const end = p + head.size();
    size_t columns = 0, records = 0, matching = 0;
    while (p < end && records < kDetectRecords) {
      Parsed info;
      Parse r = parser.Next(p, end, complete, fields, info);
      if (r == Parse::kNeedMore || r == Parse::kUnterminated) break;
      p += info.consumed;
      if (r == Parse::kBlank) continue;
      if (records == 0) columns = fields.size();
      if (fields.size() == columns) ++matching;
      ++records;
    }
    if (columns < 2) continue;
    double score = static_cast<double>(matching) / static_cast<double>(records);
    if (score > best_score || (score == best_score && columns > best_columns)) {
      best = c;
      best_score = score;
      best_columns = columns;
    }
  }
  return best;
}

class CsvReader final : public RecordReader {
 public:
  CsvReader(InputFile file, const CsvTuning& tuning)
      : file_(std::move(file)), tuning_(tuning), parser_(',') {
    tuning_.block_size = std::max<size_t>(tuning_.block_size, 1);
    tuning_.max_record_bytes = std::max<size_t>(tuning_.max_record_bytes, 1);
  }

  Status Start(std::optional<char> delimiter) {
    while (end_ < kSniffBytes && !eof_) RETURN_IF_ERROR(Fill());
    std::string_view head(buf_.get(), end_);
    RETURN_IF_ERROR(SniffText(head));
    if (head.substr(0, 3) == "\xEF\xBB\xBF") begin_ = 3;
    parser_ = CsvParser(delimiter ? *delimiter : DetectDelimiterIn(head.substr(begin_), eof_));
    return Status::Ok();
  }

  Result<bool> Next(Record& out) override {
    out.error.clear();
    for (;;) {
      if (begin_ == end_ || skipping_ || skip_lf_) {
        if (begin_ == end_) {
          if (eof_) return false;
          RETURN_IF_ERROR(Fill());
          continue;
        }
        if (skip_lf_) {
          skip_lf_ = false;
          if (buf_[begin_] == '\n') ++begin_;
          continue;
        }
        SkipRestOfLine();
        continue;
      }
      const char* b = buf_.get() + begin_;
      const char* e = buf_.get() + end_;
      Parsed info;
      switch (parser_.Next(b, e, eof_, out.fields, info)) {
        case Parse::kNeedMore:
          if (end_ - begin_ >= tuning_.max_record_bytes) {
            CutAtFirstLine(out, TooLong());
            return true;
          }
          RETURN_IF_ERROR(Fill());
          continue;
        case Parse::kUnterminated:
          CutAtFirstLine(out, "quoted field is never closed");
          return true;
        case Parse::kBlank:
          begin_ += info.consumed;
          line_ += info.line_ends;
          continue;
        case Parse::kRecord:
          if (info.consumed > tuning_.max_record_bytes) {
            CutAtFirstLine(out, TooLong());
            return true;
          }
          out.line = line_;
          out.raw.assign(b, info.raw_len);
          begin_ += info.consumed;
          line_ += info.line_ends;
          CheckText(out);
          return true;
      }
    }
  }

  uint64_t bytes_read() const override { return base_offset_ + begin_; }
  uint64_t bytes_total() const override { return file_.size(); }
  char delimiter() const override { return parser_.delimiter(); }

 private:
  // Moves the record in progress to the front and appends one block.
  Status Fill() {
    if (begin_ > 0) {
      std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
      base_offset_ += begin_;
      end_ -= begin_;
      begin_ = 0;
    }
    if (capacity_ - end_ < tuning_.block_size) {
      size_t capacity = std::max(capacity_ * 2, end_ + tuning_.block_size);
      auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
      if (end_ > 0) std::memcpy(bigger.get(), buf_.get(), end_);
      buf_ = std::move(bigger);
      capacity_ = capacity;
    }
    ASSIGN_OR_RETURN(size_t got, file_.Read(buf_.get() + end_, tuning_.block_size));
    if (got == 0) eof_ = true;
    end_ += got;
    return Status::Ok();
  }

  std::string TooLong() const {
    return "record longer than " + std::to_string(tuning_.max_record_bytes) +
           " bytes (a quote that is never closed?)";
  }

  // Gives up on the record at begin_ (its quote never closes): reports its first physical line
  // with `error` and goes on with the next line, so one stray quote costs one row, not the
  // rest of the file.
  void CutAtFirstLine(Record& out, std::string error) {
    const char* b = buf_.get() + begin_;
    const char* e = buf_.get() + end_;
    const char* nl = b;
    while (nl < e && *nl != '\n' && *nl != '\r') ++nl;
    out.line = line_;
    out.fields.clear();
    out.error = std::move(error);
    size_t len = static_cast<size_t>(nl - b);
    out.raw.assign(b, std::min(len, tuning_.max_record_bytes));
    if (nl == e) {
      // No line end in sight: drop bytes until there is one.
      begin_ = end_;
      skipping_ = true;
      return;
    }
    const char* p = nl + 1;
    if (*nl == '\r') {
      if (p < e && *p == '\n') {
        ++p;
      } else if (p == e) {
        skip_lf_ = true;
      }
    }
    begin_ = static_cast<size_t>(p - buf_.get());
    line_ += 1;
  }

  void SkipRestOfLine() {
    const char* b = buf_.get() + begin_;
    const char* e = buf_.get() + end_;
    const char* nl = b;
    while (nl < e && *nl != '\n' && *nl != '\r') ++nl;
    if (nl == e) {
      begin_ = end_;
      return;
    }
    skipping_ = false;
    skip_lf_ = *nl == '\r';
    begin_ = static_cast<size_t>(nl + 1 - buf_.get());
    line_ += 1;
  }

  InputFile file_;
  CsvTuning tuning_;
  CsvParser parser_;
  std::unique_ptr<char[]> buf_;
  size_t capacity_ = 0;
  size_t begin_ = 0;          // next unparsed byte
  size_t end_ = 0;            // end of the bytes read
  uint64_t base_offset_ = 0;  // file offset of buf_[0]
  bool eof_ = false;
  bool skipping_ = false;  // dropping the rest of an over-long line
  bool skip_lf_ = false;   // a cut line ended in '\r' at the end of the buffer
  int64_t line_ = 1;       // physical line at begin_
};

}  // namespace

char DetectDelimiter(std::string_view head) { return DetectDelimiterIn(head, true); }

Result<std::unique_ptr<RecordReader>> OpenCsvReader(const std::string& path,
                                                    std::optional<char> delimiter,
                                                    const CsvTuning& tuning) {
  if (delimiter &&
      (*delimiter == '"' || *delimiter == '\r' || *delimiter == '\n' || *delimiter == '\0')) {
    return InvalidArgument("the delimiter cannot be a quote, a line break or NUL");
  }
  ASSIGN_OR_RETURN(InputFile file, InputFile::Open(path));
  auto reader = std::make_unique<CsvReader>(std::move(file), tuning);
  RETURN_IF_ERROR(reader->Start(delimiter));
  return std::unique_ptr<RecordReader>(std::move(reader));
}

}  // namespace leadline::imports
