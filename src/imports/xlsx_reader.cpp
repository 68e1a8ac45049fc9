// Streaming XLSX reader: the worksheet XML is inflated in small chunks and fed to expat, and
// the rows it completes are handed out one by one. Only the shared-string table is held whole.
#include "imports/xlsx_reader.h"

#include <expat.h>

#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "core/csv.h"
#include "imports/zip_reader.h"

namespace leadline::imports {
namespace {

constexpr size_t kChunk = 64 << 10;
constexpr size_t kMaxSmallPart = 64 << 20;  // workbook.xml and relationships
constexpr size_t kMaxSharedStringBytes = size_t{1} << 30;
constexpr int64_t kMaxColumns = 16384;  // Excel's limit: column XFD

std::string_view LocalName(const char* name) {
  const char* colon = std::strrchr(name, ':');
  return colon ? std::string_view(colon + 1) : std::string_view(name);
}

// The value of the attribute whose name without prefix is `local`; nullptr when absent.
// `prefixed`: only a prefixed attribute matches (r:id, not id).
const char* Attr(const char** atts, std::string_view local, bool prefixed = false) {
  for (; atts[0] != nullptr; atts += 2) {
    const char* colon = std::strrchr(atts[0], ':');
    if (prefixed && colon == nullptr) continue;
    if ((colon ? std::string_view(colon + 1) : std::string_view(atts[0])) == local) return atts[1];
  }
  return nullptr;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Resolves a relationship target against the folder of the part that names it.
std::string ResolveTarget(std::string_view base_dir, std::string_view target) {
  std::string joined = target.starts_with('/') ? std::string(target.substr(1))
                                               : std::string(base_dir) + std::string(target);
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= joined.size()) {
    size_t slash = joined.find('/', start);
    if (slash == std::string::npos) slash = joined.size();
    std::string part = joined.substr(start, slash - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(std::move(part));
    }
    start = slash + 1;
  }
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out.push_back('/');
    out += p;
  }
  return out;
}

// Receives expat's events with element names stripped of their namespace prefix.
class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  virtual void Start(std::string_view name, const char** atts) = 0;
  virtual void End(std::string_view name) = 0;
  virtual void Text(std::string_view text) = 0;
};

// An expat parser fed in pieces. Documents with a DTD are refused: workbooks never need one,
// and refusing it rules out entity tricks.
class XmlStream {
 public:
  XmlStream(XmlHandler& handler, std::string part) : handler_(handler), part_(std::move(part)) {
    parser_ = XML_ParserCreate(nullptr);
    if (parser_ == nullptr) throw std::bad_alloc();
    XML_SetUserData(parser_, this);
    XML_SetElementHandler(parser_, &XmlStream::OnStart, &XmlStream::OnEnd);
    XML_SetCharacterDataHandler(parser_, &XmlStream::OnText);
    XML_SetStartDoctypeDeclHandler(parser_, &XmlStream::OnDoctype);
  }
  ~XmlStream() { XML_ParserFree(parser_); }
  XmlStream(const XmlStream&) = delete;
  XmlStream& operator=(const XmlStream&) = delete;

  Status Feed(const char* data, size_t n, bool final) {
    if (XML_Parse(parser_, data, static_cast<int>(n), final ? 1 : 0) != XML_STATUS_ERROR) {
      return Status::Ok();
    }
    if (doctype_) return InvalidArgument(part_ + ": DTDs are not allowed in a workbook");
    return InvalidArgument(part_ + " is not well-formed XML (line " +
                           std::to_string(XML_GetCurrentLineNumber(parser_)) + ": " +
                           XML_ErrorString(XML_GetErrorCode(parser_)) + ")");
  }

 private:
  static void XMLCALL OnStart(void* self, const XML_Char* name, const XML_Char** atts) {
    static_cast<XmlStream*>(self)->handler_.Start(LocalName(name), atts);
  }
  static void XMLCALL OnEnd(void* self, const XML_Char* name) {
    static_cast<XmlStream*>(self)->handler_.End(LocalName(name));
  }
  static void XMLCALL OnText(void* self, const XML_Char* s, int len) {
    static_cast<XmlStream*>(self)->handler_.Text(std::string_view(s, static_cast<size_t>(len)));
  }
  static void XMLCALL OnDoctype(void* self, const XML_Char*, const XML_Char*, const XML_Char*,
                                int) {
    auto* stream = static_cast<XmlStream*>(self);
    stream->doctype_ = true;
    XML_StopParser(stream->parser_, XML_FALSE);
  }

  XML_Parser parser_;
  XmlHandler& handler_;
  std::string part_;
  bool doctype_ = false;
};

Status ParseWhole(std::string_view xml, XmlHandler& handler, const std::string& part) {
  XmlStream stream(handler, part);
  return stream.Feed(xml.data(), xml.size(), true);
}

struct Relationship {
  std::string id, type, target;
};

class RelationshipsHandler : public XmlHandler {
 public:
  void Start(std::string_view name, const char** atts) override {
    if (name != "Relationship") return;
    const char* mode = Attr(atts, "TargetMode");
    if (mode != nullptr && std::string_view(mode) == "External") return;
    const char* id = Attr(atts, "Id");
    const char* type = Attr(atts, "Type");
    const char* target = Attr(atts, "Target");
    if (id && type && target) rels.push_back({id, type, target});
  }
  void End(std::string_view) override {}
  void Text(std::string_view) override {}

  const Relationship* ByType(std::string_view suffix) const {
    for (const Relationship& r : rels) {
      if (EndsWith(r.type, suffix)) return &r;
    }
    return nullptr;
  }
  const Relationship* ById(std::string_view id) const {
    for (const Relationship& r : rels) {
      if (r.id == id) return &r;
    }
    return nullptr;
  }

  std::vector<Relationship> rels;
};

class WorkbookHandler : public XmlHandler {
 public:
  struct Sheet {
    std::string rel_id;
    bool hidden = false;
  };
  void Start(std::string_view name, const char** atts) override {
    if (name == "workbookPr") {
      const char* v = Attr(atts, "date1904");
      date1904 = v != nullptr && (std::string_view(v) == "1" || std::string_view(v) == "true");
      return;
    }
    if (name != "sheet") return;
    const char* id = Attr(atts, "id", /*prefixed=*/true);
    if (id == nullptr) return;
    const char* state = Attr(atts, "state");
    sheets.push_back({id, state != nullptr && std::string_view(state) != "visible"});
  }
  void End(std::string_view) override {}
  void Text(std::string_view) override {}

  std::vector<Sheet> sheets;
  bool date1904 = false;
};

// The date kind of every cell format (cellXfs, in index order): the `s` attribute of a cell
// indexes this list.
class StylesHandler : public XmlHandler {
 public:
  void Start(std::string_view name, const char** atts) override {
    if (name == "numFmt") {
      const char* id = Attr(atts, "numFmtId");
      const char* code = Attr(atts, "formatCode");
      if (id != nullptr && code != nullptr) custom_[std::atoi(id)] = code;
    } else if (name == "cellXfs") {
      in_cell_xfs_ = true;
    } else if (name == "xf" && in_cell_xfs_) {
      const char* id = Attr(atts, "numFmtId");
      const int fmt = id != nullptr ? std::atoi(id) : 0;
      auto it = custom_.find(fmt);
      kinds.push_back(DateKindOfFormat(fmt, it != custom_.end() ? it->second : std::string()));
    }
  }
  void End(std::string_view name) override {
    if (name == "cellXfs") in_cell_xfs_ = false;
  }
  void Text(std::string_view) override {}

  std::vector<XlsxDateKind> kinds;

 private:
  std::map<int, std::string> custom_;  // numFmts come before cellXfs in styles.xml
  bool in_cell_xfs_ = false;
};

// The shared-string table, packed in one buffer: rich-text runs (<r><t>) are concatenated and
// phonetic hints (<rPh>) left out, which is what a cell shows.
class SharedStrings : public XmlHandler {
 public:
  void Start(std::string_view name, const char** atts) override {
    if (name == "si") {
      in_si_ = true;
      current_.clear();
    } else if (name == "t") {
      capture_ = in_si_ && phonetic_depth_ == 0;
    } else if (name == "rPh") {
      ++phonetic_depth_;
    }
  }
  void End(std::string_view name) override {
    if (name == "t") {
      capture_ = false;
    } else if (name == "rPh") {
      --phonetic_depth_;
    } else if (name == "si") {
      in_si_ = false;
      DecodeOoxmlEscapes(current_);
      text_ += current_;
      ends_.push_back(text_.size());
      if (text_.size() > kMaxSharedStringBytes) too_large_ = true;
    }
  }
  void Text(std::string_view s) override {
    if (capture_) current_.append(s);
  }

  size_t size() const { return ends_.size(); }
  std::string_view Get(size_t i) const {
    size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(text_).substr(begin, ends_[i] - begin);
  }
  bool too_large() const { return too_large_; }

 private:
  std::string text_;
  std::vector<size_t> ends_;
  std::string current_;
  bool in_si_ = false;
  bool capture_ = false;
  int phonetic_depth_ = 0;
  bool too_large_ = false;
};

// 0-based column of a reference like "C5" or "AA12"; -1 when it has no letters.
int64_t ColumnOf(const char* ref) {
  int64_t col = 0;
  const char* p = ref;
  for (; *p != 0; ++p) {
    char c = *p;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') break;
    col = col * 26 + (c - 'A' + 1);
    if (col > kMaxColumns) return kMaxColumns;
  }
  return p == ref ? -1 : col - 1;
}

int64_t ParseRowNumber(const char* s) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s, s + std::strlen(s), v);
  return ec == std::errc() && v > 0 ? v : -1;
}

class XlsxReader final : public RecordReader, private XmlHandler {
 public:
  Status Open(const std::string& path) {
    auto archive = ZipArchive::Open(path);
    if (!archive.ok()) {
      if (archive.status().code() != StatusCode::kInvalidArgument) return archive.status();
      return InvalidArgument("not an XLSX workbook: " + archive.status().message());
    }
    zip_ = std::move(archive).value();
    std::string sheet_path, strings_path, styles_path;
    RETURN_IF_ERROR(ResolveParts(sheet_path, strings_path, styles_path));
    const ZipEntry* sheet = sheet_path.empty() ? nullptr : zip_->Find(sheet_path);
    if (sheet == nullptr) sheet = zip_->Find("xl/worksheets/sheet1.xml");
    if (sheet == nullptr) {
      return InvalidArgument("not an XLSX workbook: the archive has no worksheet");
    }
    if (const ZipEntry* strings = zip_->Find(strings_path)) RETURN_IF_ERROR(LoadStrings(*strings));
    if (const ZipEntry* styles = zip_->Find(styles_path)) {
      StylesHandler handler;
      ASSIGN_OR_RETURN(std::string xml, zip_->ReadMember(*styles, kMaxSmallPart));
      RETURN_IF_ERROR(ParseWhole(xml, handler, styles->name));
      date_kinds_ = std::move(handler.kinds);
    }
    sheet_compressed_ = sheet->compressed_size;
    ASSIGN_OR_RETURN(sheet_, zip_->OpenMember(*sheet));
    xml_ = std::make_unique<XmlStream>(static_cast<XmlHandler&>(*this), sheet->name);
    buf_ = std::make_unique_for_overwrite<char[]>(kChunk);
    return Status::Ok();
  }

  Result<bool> Next(Record& out) override {
    for (;;) {
      if (head_ < count_) {
        std::swap(out, pending_[head_++]);
        return true;
      }
      head_ = count_ = 0;
      if (done_) return false;
      ASSIGN_OR_RETURN(size_t got, sheet_->Read(buf_.get(), kChunk));
      if (got == 0) done_ = true;
      RETURN_IF_ERROR(xml_->Feed(buf_.get(), got, done_));
    }
  }

  uint64_t bytes_read() const override {
    return zip_->file_size() - sheet_compressed_ + sheet_->compressed_read();
  }
  uint64_t bytes_total() const override { return zip_->file_size(); }
  char delimiter() const override { return ','; }

 private:
  enum class CellType { kNumber, kShared, kInline, kBool, kText };

  // Finds the first visible worksheet, the shared strings and the styles through the
  // package's relationships, and whether dates count from 1904. Leaves the sheet path empty
  // when the workbook does not say.
  Status ResolveParts(std::string& sheet_path, std::string& strings_path,
                      std::string& styles_path) {
    std::string workbook_path = "xl/workbook.xml";
    if (const ZipEntry* root_rels = zip_->Find("_rels/.rels")) {
      RelationshipsHandler rels;
      ASSIGN_OR_RETURN(std::string xml, zip_->ReadMember(*root_rels, kMaxSmallPart));
      RETURN_IF_ERROR(ParseWhole(xml, rels, root_rels->name));
      if (const Relationship* doc = rels.ByType("/officeDocument")) {
        workbook_path = ResolveTarget("", doc->target);
      }
    }
    size_t slash = workbook_path.rfind('/');
    std::string dir = slash == std::string::npos ? "" : workbook_path.substr(0, slash + 1);
    std::string file = workbook_path.substr(dir.size());
    strings_path = dir + "sharedStrings.xml";
    styles_path = dir + "styles.xml";
    const ZipEntry* workbook = zip_->Find(workbook_path);
    const ZipEntry* workbook_rels = zip_->Find(dir + "_rels/" + file + ".rels");
    if (workbook == nullptr || workbook_rels == nullptr) return Status::Ok();

    WorkbookHandler book;
    ASSIGN_OR_RETURN(std::string book_xml, zip_->ReadMember(*workbook, kMaxSmallPart));
    RETURN_IF_ERROR(ParseWhole(book_xml, book, workbook->name));
    RelationshipsHandler rels;
    ASSIGN_OR_RETURN(std::string rels_xml, zip_->ReadMember(*workbook_rels, kMaxSmallPart));
    RETURN_IF_ERROR(ParseWhole(rels_xml, rels, workbook_rels->name));
    if (const Relationship* strings = rels.ByType("/sharedStrings")) {
      strings_path = ResolveTarget(dir, strings->target);
    }
    if (const Relationship* styles = rels.ByType("/styles")) {
      styles_path = ResolveTarget(dir, styles->target);
    }
    date1904_ = book.date1904;
    // Chart sheets are not worksheets; a hidden sheet is not what the user sees first.
    for (bool want_hidden : {false, true}) {
      for (const WorkbookHandler::Sheet& s : book.sheets) {
        if (s.hidden != want_hidden) continue;
        const Relationship* rel = rels.ById(s.rel_id);
        if (rel != nullptr && EndsWith(rel->type, "/worksheet")) {
          sheet_path = ResolveTarget(dir, rel->target);
          return Status::Ok();
        }
      }
    }
    return Status::Ok();
  }

  Status LoadStrings(const ZipEntry& entry) {
    ASSIGN_OR_RETURN(std::unique_ptr<ZipMemberReader> reader, zip_->OpenMember(entry));
    XmlStream stream(strings_, entry.name);
    auto chunk = std::make_unique_for_overwrite<char[]>(kChunk);
    for (;;) {
      ASSIGN_OR_RETURN(size_t got, reader->Read(chunk.get(), kChunk));
      RETURN_IF_ERROR(stream.Feed(chunk.get(), got, got == 0));
      if (strings_.too_large())
        return InvalidArgument("the workbook's shared strings are too large");
      if (got == 0) return Status::Ok();
    }
  }

  void Start(std::string_view name, const char** atts) override {
    if (name == "c") {
      if (!in_row_) return;
      in_cell_ = true;
      value_.clear();
      const char* ref = Attr(atts, "r");
      int64_t col = ref ? ColumnOf(ref) : -1;
      cell_col_ = col >= 0 ? col : last_col_ + 1;
      last_col_ = cell_col_;
      const char* style = Attr(atts, "s");
      const size_t style_index = style != nullptr ? std::strtoul(style, nullptr, 10) : 0;
      cell_date_ =
          style_index < date_kinds_.size() ? date_kinds_[style_index] : XlsxDateKind::kNone;
      const char* t = Attr(atts, "t");
      std::string_view type = t ? t : "n";
      cell_type_ = type == "n"           ? CellType::kNumber
                   : type == "s"         ? CellType::kShared
                   : type == "inlineStr" ? CellType::kInline
                   : type == "b"         ? CellType::kBool
                                         : CellType::kText;  // str (formula result), e, d
    } else if (name == "v") {
      capture_ = in_cell_;
    } else if (name == "t") {
      capture_ = in_inline_ && phonetic_depth_ == 0;
    } else if (name == "is") {
      in_inline_ = in_cell_;
      if (in_cell_) cell_type_ = CellType::kInline;
    } else if (name == "rPh") {
      ++phonetic_depth_;
    } else if (name == "row") {
      in_row_ = true;
      const char* r = Attr(atts, "r");
      int64_t number = r ? ParseRowNumber(r) : -1;
      row_number_ = number > 0 ? number : row_number_ + 1;
      last_col_ = -1;
      current_.fields.clear();
      current_.error.clear();
      current_.raw.clear();
    }
  }

  void End(std::string_view name) override {
    if (name == "v" || name == "t") {
      capture_ = false;
    } else if (name == "c") {
      if (in_cell_) EndCell();
      in_cell_ = false;
    } else if (name == "is") {
      in_inline_ = false;
    } else if (name == "rPh") {
      --phonetic_depth_;
    } else if (name == "row") {
      if (in_row_) EndRow();
      in_row_ = false;
    }
  }

  void Text(std::string_view s) override {
    if (capture_) value_.append(s);
  }

  void EndCell() {
    if (value_.empty()) return;  // styled but empty
    if (cell_col_ >= kMaxColumns) {
      if (current_.error.empty()) current_.error = "cell beyond column XFD";
      return;
    }
    auto col = static_cast<size_t>(cell_col_);
    if (col >= current_.fields.size()) current_.fields.resize(col + 1);
    std::string& f = current_.fields[col];
    switch (cell_type_) {
      case CellType::kShared: {
        size_t index = 0;
        auto [ptr, ec] = std::from_chars(value_.data(), value_.data() + value_.size(), index);
        if (ec != std::errc() || ptr != value_.data() + value_.size() || index >= strings_.size()) {
          if (current_.error.empty()) {
            current_.error = "invalid shared string in column " + std::to_string(col + 1);
          }
          return;
        }
        f.assign(strings_.Get(index));
        return;
      }
      case CellType::kNumber:
        f = FormatXlsxDate(value_, cell_date_, date1904_);  // FormatXlsxNumber unless a date
        return;
      case CellType::kBool:
        f = value_ == "1" ? "TRUE" : value_ == "0" ? "FALSE" : value_;
        return;
      case CellType::kInline:
      case CellType::kText:
        DecodeOoxmlEscapes(value_);
        f = value_;
        return;
    }
  }

  // A spreadsheet stores no empty cells, so rows are made as wide as the header: shorter rows
  // padded, empty cells past it dropped. Rows with nothing in them are skipped.
  void EndRow() {
    std::vector<std::string>& f = current_.fields;
    while (!f.empty() && f.back().empty()) f.pop_back();
    if (f.empty() && current_.error.empty()) return;
    if (!header_seen_) {
      header_seen_ = true;
      header_width_ = f.size();
    } else if (f.size() < header_width_) {
      f.resize(header_width_);
    }
    current_.line = row_number_;
    for (size_t i = 0; i < f.size(); ++i) {
      if (i > 0) current_.raw.push_back(',');
      AppendCsvField(current_.raw, f[i]);
    }
    if (count_ == pending_.size()) pending_.emplace_back();
    std::swap(pending_[count_++], current_);
  }

  std::unique_ptr<ZipArchive> zip_;
  std::unique_ptr<ZipMemberReader> sheet_;
  std::unique_ptr<XmlStream> xml_;
  std::unique_ptr<char[]> buf_;
  uint64_t sheet_compressed_ = 0;
  SharedStrings strings_;
  std::vector<XlsxDateKind> date_kinds_;  // by cell style index
  bool date1904_ = false;
  bool done_ = false;

  // Rows completed by the last chunk of XML, handed out in order by Next().
  std::vector<Record> pending_;
  size_t head_ = 0;
  size_t count_ = 0;

  Record current_;
  bool header_seen_ = false;
  size_t header_width_ = 0;
  bool in_row_ = false;
  int64_t row_number_ = 0;
  int64_t last_col_ = -1;
  bool in_cell_ = false;
  int64_t cell_col_ = 0;
  CellType cell_type_ = CellType::kNumber;
  XlsxDateKind cell_date_ = XlsxDateKind::kNone;
  bool in_inline_ = false;
  int phonetic_depth_ = 0;
  bool capture_ = false;
  std::string value_;
};

// A numeric cell's text without the whitespace around it; empty when there is nothing else.
std::string_view TrimNumber(std::string_view stored) {
  size_t b = stored.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return stored.substr(b, stored.find_last_not_of(" \t\r\n") - b + 1);
}

// The value of a trimmed numeric cell; nullopt unless it is a finite number and nothing else.
std::optional<double> ParseNumber(std::string_view v) {
  double x = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || ptr != v.data() + v.size() || !std::isfinite(x)) return std::nullopt;
  return x;
}

}  // namespace

std::string FormatXlsxNumber(std::string_view stored) {
  std::string_view v = TrimNumber(stored);
  if (v.empty()) return std::string(stored);
  // Most numeric cells in lead lists are integers (phone numbers, scores, ids) already written
  // the way Excel shows them.
  std::string_view integer = v.starts_with('-') ? v.substr(1) : v;
  if (!integer.empty() && integer.size() <= 15 && integer[0] != '0' &&
      integer.find_first_not_of("0123456789") == std::string_view::npos) {
    return std::string(v);
  }
  const std::optional<double> parsed = ParseNumber(v);
  if (!parsed) return std::string(stored);
  const double x = *parsed;
  if (x == 0) return "0";
  // %.14e gives exactly 15 significant digits: d.dddddddddddddde[+-]XX.
  char sci[40];
  std::snprintf(sci, sizeof sci, "%.14e", x);
  std::string_view s(sci);
  bool negative = s.front() == '-';
  if (negative) s.remove_prefix(1);
  size_t epos = s.find('e');
  std::string digits;
  digits.push_back(s[0]);
  digits.append(s.substr(2, epos - 2));
  int exponent = std::atoi(sci + (negative ? 1 : 0) + epos + 1);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  // Digits before the decimal point.
  int point = exponent + 1;
  std::string out = negative ? "-" : "";
  if (point <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-point), '0');
    out += digits;
  } else if (static_cast<size_t>(point) >= digits.size()) {
    out += digits;
    out.append(static_cast<size_t>(point) - digits.size(), '0');
  } else {
    out.append(digits, 0, static_cast<size_t>(point));
    out.push_back('.');
    out.append(digits, static_cast<size_t>(point), std::string::npos);
  }
  return out;
}

XlsxDateKind DateKindOfFormat(int num_fmt_id, std::string_view code) {
  if (code.empty()) {
    // The built-in formats (ECMA-376 part 1, 18.8.30) that show dates and times; 27-36 and
    // 50-58 are the East Asian date formats.
    if ((num_fmt_id >= 14 && num_fmt_id <= 17) || (num_fmt_id >= 27 && num_fmt_id <= 36) ||
        (num_fmt_id >= 50 && num_fmt_id <= 58)) {
      return XlsxDateKind::kDate;
    }
    if ((num_fmt_id >= 18 && num_fmt_id <= 21) || num_fmt_id == 45 || num_fmt_id == 47) {
      return XlsxDateKind::kTime;
    }
    if (num_fmt_id == 22) return XlsxDateKind::kDateTime;
    return XlsxDateKind::kNone;  // 46 is [h]:mm:ss, an elapsed time
  }
  // m is months or minutes; minutes only come with hours or seconds, so it decides alone
  // only in a month-only format ("mmmm").
  bool year_or_day = false, hour_or_second = false, month_or_minute = false;
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(code[i])));
    if (c == '"') {  // literal text
      size_t close = code.find('"', i + 1);
      if (close == std::string_view::npos) break;
      i = close;
    } else if (c == '\\' || c == '_' || c == '*') {  // escaped, padding or fill character
      ++i;
    } else if (c == '[') {  // colour, condition, locale; [h] [mm] [ss] are elapsed time
      size_t close = code.find(']', i + 1);
      if (close == std::string_view::npos) break;
      std::string_view inner = code.substr(i + 1, close - i - 1);
      if (!inner.empty() && inner.find_first_not_of("hHmMsS") == std::string_view::npos) {
        return XlsxDateKind::kNone;
      }
      i = close;
    } else if (code.substr(i).starts_with("AM/PM") || code.substr(i).starts_with("am/pm")) {
      hour_or_second = true;
      i += 4;
    } else if (c == 'y' || c == 'd') {
      year_or_day = true;
    } else if (c == 'h' || c == 's') {
      hour_or_second = true;
    } else if (c == 'm') {
      month_or_minute = true;
    } else if (c == ';') {
      break;  // the first section (positive numbers) decides
    }
  }
  if (year_or_day && hour_or_second) return XlsxDateKind::kDateTime;
  if (year_or_day || (month_or_minute && !hour_or_second)) return XlsxDateKind::kDate;
  if (hour_or_second) return XlsxDateKind::kTime;
  return XlsxDateKind::kNone;
}

std::string FormatXlsxDate(std::string_view stored, XlsxDateKind kind, bool date1904) {
  const std::optional<double> parsed =
      kind == XlsxDateKind::kNone ? std::nullopt : ParseNumber(TrimNumber(stored));
  // 2,958,465 is 9999-12-31, the last day Excel shows.
  if (!parsed || *parsed < 0 || *parsed >= 2958466) return FormatXlsxNumber(stored);
  const double x = *parsed;
  auto seconds = static_cast<int64_t>(std::llround(x * 86400.0));
  int64_t days = seconds / 86400;
  seconds %= 86400;
  char time_text[16];
  std::snprintf(time_text, sizeof time_text, "%02d:%02d:%02d", static_cast<int>(seconds / 3600),
                static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60));
  if (kind == XlsxDateKind::kTime) return time_text;
  std::string date_text;
  if (!date1904 && days == 60) {
    date_text = "1900-02-29";  // the day Excel counts that never was
  } else if (!date1904 && days == 0) {
    return FormatXlsxNumber(stored);  // Excel's "1900-01-00"
  } else {
    using namespace std::chrono;
    // The 1900 system counts from 1899-12-31 up to its phantom leap day, from 1899-12-30
    // after it.
    const sys_days epoch = date1904    ? sys_days(year{1904} / January / 1)
                           : days < 60 ? sys_days(year{1899} / December / 31)
                                       : sys_days(year{1899} / December / 30);
    const year_month_day ymd{epoch + std::chrono::days{days}};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    date_text = text;
  }
  if (kind == XlsxDateKind::kDate) return date_text;
  return date_text + "T" + time_text;
}

void DecodeOoxmlEscapes(std::string& s) {
  if (s.find("_x") == std::string::npos) return;
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '_' && i + 6 < s.size() && s[i + 1] == 'x' && s[i + 6] == '_') {
      int h0 = HexValue(s[i + 2]), h1 = HexValue(s[i + 3]), h2 = HexValue(s[i + 4]),
          h3 = HexValue(s[i + 5]);
      if (h0 >= 0 && h1 >= 0 && h2 >= 0 && h3 >= 0) {
        auto cp = static_cast<uint32_t>((h0 << 12) | (h1 << 8) | (h2 << 4) | h3);
        if (cp != 0) AppendUtf8(out, cp);
        i += 7;
        continue;
      }
    }
    out.push_back(s[i++]);
  }
  s = std::move(out);
}

Result<std::unique_ptr<RecordReader>> OpenXlsxReader(const std::string& path) {
  auto reader = std::make_unique<XlsxReader>();
  RETURN_IF_ERROR(reader->Open(path));
  return std::unique_ptr<RecordReader>(std::move(reader));
}

}  // namespace leadline::imports
