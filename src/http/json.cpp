// JSON parsing (simdjson DOM, converted into an owned json::Value tree) and a streaming writer.
// simdjson is confined to this file so the rest of the code base sees only json.h.
#include "http/json.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <unordered_set>

#include <fmt/format.h>

namespace leadline::json {
namespace {

// Deep enough for any request body we accept, shallow enough that converting it recursively
// cannot exhaust the stack.
constexpr int kMaxDepth = 64;

std::string ParseErrorReason(simdjson::error_code code) {
  switch (code) {
    case simdjson::UTF8_ERROR:
      return "invalid UTF-8";
    case simdjson::EMPTY:
      return "malformed JSON: empty document";
    case simdjson::DEPTH_ERROR:
      return "malformed JSON: nesting deeper than 64 levels";
    case simdjson::STRING_ERROR:
      return "malformed JSON: invalid string";
    case simdjson::UNCLOSED_STRING:
      return "malformed JSON: unterminated string";
    case simdjson::UNESCAPED_CHARS:
      return "malformed JSON: unescaped control character in string";
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
      return "malformed JSON: invalid number";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      return "malformed JSON: invalid literal";
    case simdjson::TRAILING_CONTENT:
      return "malformed JSON: trailing content";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "malformed JSON: unexpected end of input";
    case simdjson::CAPACITY:
      return "malformed JSON: document too large";
    case simdjson::MEMALLOC:
      return "malformed JSON: out of memory";
    case simdjson::TAPE_ERROR:
      return "malformed JSON: syntax error";
    default:
      return std::string("malformed JSON: ") + simdjson::error_message(code);
  }
}

// What simdjson accepts as an integer: int64 when negative, uint64 otherwise.
bool FitsIn64Bits(std::string_view literal) {
  const char* first = literal.data();
  const char* last = first + literal.size();
  if (literal.front() == '-') {
    int64_t v;
    return std::from_chars(first, last, v).ec == std::errc();
  }
  uint64_t v;
  return std::from_chars(first, last, v).ec == std::errc();
}

// simdjson 3.0 rejects integer literals that do not fit in 64 bits, while JSON allows them and
// we keep them as doubles. On a number error the document is retried with such literals
// turned into fractions ("123...9" -> "123...9.0"), which simdjson parses as doubles.
// Returns nullopt when there is nothing to rewrite.
std::optional<std::string> WidenBigIntegers(std::string_view text) {
  std::string out;
  bool changed = false;
  size_t copied = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) continue;
    size_t end = i + (c == '-' ? 1 : 0);
    size_t digits_start = end;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    bool fraction_or_exponent =
        end < text.size() && (text[end] == '.' || text[end] == 'e' || text[end] == 'E');
    if (!fraction_or_exponent && end > digits_start && !FitsIn64Bits(text.substr(i, end - i))) {
      out.append(text.substr(copied, end - copied));
      out += ".0";
      copied = end;
      changed = true;
    }
    // Skip the rest of the token so its digits are not seen as another number.
    while (end < text.size() &&
           ((text[end] >= '0' && text[end] <= '9') || text[end] == '.' || text[end] == 'e' ||
            text[end] == 'E' || text[end] == '+' || text[end] == '-')) {
      ++end;
    }
    i = end - 1;
  }
  if (!changed) return std::nullopt;
  out.append(text.substr(copied));
  return out;
}

Status DepthError() { return InvalidArgument(ParseErrorReason(simdjson::DEPTH_ERROR)); }

// A name that occurs twice in one object. Readers disagree on which value such an object
// means (RFC 8259 section 4), so a request holding one is ambiguous and refused.
const std::string* RepeatedName(const std::vector<std::pair<std::string, Value>>& members) {
  if (members.size() < 2) return nullptr;
  if (members.size() <= 16) {
    for (size_t i = 1; i < members.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (members[i].first == members[j].first) return &members[i].first;
      }
    }
    return nullptr;
  }
  std::unordered_set<std::string_view> seen;
  for (const auto& m : members) {
    if (!seen.insert(m.first).second) return &m.first;
  }
  return nullptr;
}

// Returns false (with `error` set) when the tree nests deeper than kMaxDepth.
bool Convert(simdjson::dom::element el, int depth, Value& out, Status& error) {
  using simdjson::dom::element_type;
  switch (el.type()) {
    case element_type::ARRAY: {
      if (depth >= kMaxDepth) {
        error = DepthError();
        return false;
      }
      std::vector<Value> items;
      // Held in a local: iterating the temporary result directly would dangle.
      simdjson::dom::array array = el.get_array().value_unsafe();
      for (simdjson::dom::element child : array) {
        items.emplace_back();
        if (!Convert(child, depth + 1, items.back(), error)) return false;
      }
      out = Value::Array(std::move(items));
      return true;
    }
    case element_type::OBJECT: {
      if (depth >= kMaxDepth) {
        error = DepthError();
        return false;
      }
      std::vector<std::pair<std::string, Value>> members;
      simdjson::dom::object object = el.get_object().value_unsafe();
      for (simdjson::dom::key_value_pair kv : object) {
        members.emplace_back(std::string(kv.key), Value());
        if (!Convert(kv.value, depth + 1, members.back().second, error)) return false;
      }
      if (const std::string* name = RepeatedName(members)) {
        error = InvalidArgument(name->size() <= 100
                                    ? "the JSON object has the member \"" + *name + "\" twice"
                                    : std::string("a JSON object has a member twice"));
        return false;
      }
      out = Value::Object(std::move(members));
      return true;
    }
    case element_type::INT64: {
      int64_t i = el.get_int64().value_unsafe();
      out = Value::Number(static_cast<double>(i), true, i);
      return true;
    }
    // Only values above INT64_MAX land here; they cannot be represented as int64 exactly.
    case element_type::UINT64:
      out = Value::Number(static_cast<double>(el.get_uint64().value_unsafe()), false, 0);
      return true;
    case element_type::DOUBLE:
      out = Value::Number(el.get_double().value_unsafe(), false, 0);
      return true;
    case element_type::STRING:
      out = Value::String(std::string(el.get_string().value_unsafe()));
      return true;
    case element_type::BOOL:
      out = Value::Bool(el.get_bool().value_unsafe());
      return true;
    case element_type::NULL_VALUE:
      out = Value::Null();
      return true;
  }
  out = Value::Null();
  return true;
}

// Length of the well-formed UTF-8 sequence at s[i], or 0 when it is ill-formed; `bad_len`
// receives the length of the maximal ill-formed subpart so it becomes a single U+FFFD
// (Unicode's recommended practice for replacement).
size_t Utf8SequenceLength(std::string_view s, size_t i, size_t& bad_len) {
  auto b = static_cast<unsigned char>(s[i]);
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) {
    need = 1;
  } else if (b == 0xE0) {
    need = 2, lo = 0xA0;
  } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
    need = 2;
  } else if (b == 0xED) {
    need = 2, hi = 0x9F;  // excludes UTF-16 surrogates
  } else if (b == 0xF0) {
    need = 3, lo = 0x90;
  } else if (b >= 0xF1 && b <= 0xF3) {
    need = 3;
  } else if (b == 0xF4) {
    need = 3, hi = 0x8F;  // caps at U+10FFFF
  } else {
    bad_len = 1;
    return 0;
  }
  for (size_t k = 1; k <= need; ++k) {
    if (i + k >= s.size()) {
      bad_len = k;
      return 0;
    }
    auto c = static_cast<unsigned char>(s[i + k]);
    if (c < lo || c > hi) {
      bad_len = k;
      return 0;
    }
    lo = 0x80, hi = 0xBF;
  }
  return need + 1;
}

void WriteValue(Writer& w, const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull:
      w.Null();
      return;
    case Value::Type::kBool:
      w.Bool(v.as_bool());
      return;
    case Value::Type::kNumber:
      if (v.is_integer()) {
        w.Int(v.as_int());
      } else {
        w.Double(v.as_double());
      }
      return;
    case Value::Type::kString:
      w.String(v.as_string());
      return;
    case Value::Type::kArray:
      w.BeginArray();
      for (const Value& item : v.items()) WriteValue(w, item);
      w.EndArray();
      return;
    case Value::Type::kObject:
      w.BeginObject();
      for (const auto& [k, member] : v.members()) {
        w.Key(k);
        WriteValue(w, member);
      }
      w.EndObject();
      return;
  }
}

}  // namespace

Value Value::Bool(bool b) {
  Value v;
  v.type_ = Type::kBool;
  v.bool_ = b;
  return v;
}

Value Value::Number(double d, bool is_integer, int64_t i) {
  Value v;
  v.type_ = Type::kNumber;
  v.number_ = d;
  v.is_integer_ = is_integer;
  v.int_ = i;
  return v;
}

Value Value::String(std::string s) {
  Value v;
  v.type_ = Type::kString;
  v.string_ = std::move(s);
  return v;
}

Value Value::Array(std::vector<Value> items) {
  Value v;
  v.type_ = Type::kArray;
  v.items_ = std::move(items);
  return v;
}

Value Value::Object(std::vector<std::pair<std::string, Value>> members) {
  Value v;
  v.type_ = Type::kObject;
  v.members_ = std::move(members);
  return v;
}

const Value* Value::Find(std::string_view key) const {
  if (type_ != Type::kObject) return nullptr;
  for (const auto& [k, v] : members_) {
    if (k == key) return &v;
  }
  return nullptr;
}

Result<Value> Parse(std::string_view text) {
  // A parser per call keeps Parse thread-safe without holding on to the buffers of the
  // largest document ever seen; allocation is small next to the parse itself.
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::error_code code = parser.parse(text.data(), text.size(), true).get(root);
  if (code == simdjson::NUMBER_ERROR) {
    if (auto widened = WidenBigIntegers(text)) {
      code = parser.parse(widened->data(), widened->size(), true).get(root);
    }
  }
  if (code != simdjson::SUCCESS) return InvalidArgument(ParseErrorReason(code));
  Value out;
  Status error;
  if (!Convert(root, 0, out, error)) return error;
  return out;
}

void Writer::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }
}

Writer& Writer::BeginObject() {
  BeforeValue();
  out_ += '{';
  first_.push_back(true);
  return *this;
}

Writer& Writer::EndObject() {
  out_ += '}';
  if (!first_.empty()) first_.pop_back();
  return *this;
}

Writer& Writer::BeginArray() {
  BeforeValue();
  out_ += '[';
  first_.push_back(true);
  return *this;
}

Writer& Writer::EndArray() {
  out_ += ']';
  if (!first_.empty()) first_.pop_back();
  return *this;
}

Writer& Writer::Key(std::string_view k) {
  BeforeValue();
  AppendQuoted(out_, k);
  out_ += ':';
  after_key_ = true;
  return *this;
}

Writer& Writer::String(std::string_view s) {
  BeforeValue();
  AppendQuoted(out_, s);
  return *this;
}

Writer& Writer::Int(int64_t v) {
  BeforeValue();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out_.append(buf, end);
  return *this;
}

Writer& Writer::Double(double v) {
  BeforeValue();
  // JSON has no NaN or Infinity; null is what JSON.stringify does too.
  if (!std::isfinite(v)) {
    out_ += "null";
  } else {
    fmt::format_to(std::back_inserter(out_), "{}", v);
  }
  return *this;
}

Writer& Writer::Bool(bool b) {
  BeforeValue();
  out_ += b ? "true" : "false";
  return *this;
}

Writer& Writer::Null() {
  BeforeValue();
  out_ += "null";
  return *this;
}

Writer& Writer::Raw(std::string_view json) {
  BeforeValue();
  out_ += json;
  return *this;
}

void AppendQuoted(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    // Copy the longest run that needs no attention in one append.
    size_t run = i;
    while (run < s.size()) {
      auto c = static_cast<unsigned char>(s[run]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
      ++run;
    }
    out.append(s.data() + i, run - i);
    i = run;
    if (i >= s.size()) break;

    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t bad_len = 0;
      size_t len = Utf8SequenceLength(s, i, bad_len);
      if (len > 0) {
        out.append(s.data() + i, len);
        i += len;
      } else {
        out += "\xEF\xBF\xBD";
        i += bad_len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
    ++i;
  }
  out += '"';
}

std::string Serialize(const Value& v) {
  Writer w;
  WriteValue(w, v);
  return w.Take();
}

}  // namespace leadline::json
