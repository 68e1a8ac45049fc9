// JSON in and out. Parsing uses simdjson (inside json.cpp only) into a small owned tree;
// writing is a streaming writer that escapes correctly.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace leadline::json {

class Value {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  Value() = default;
  static Value Null() { return Value(); }
  static Value Bool(bool b);
  static Value Number(double d, bool is_integer, int64_t i);
  static Value String(std::string s);
  static Value Array(std::vector<Value> items);
  static Value Object(std::vector<std::pair<std::string, Value>> members);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_integer() const { return type_ == Type::kNumber && is_integer_; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  bool as_bool() const { return bool_; }
  double as_double() const { return number_; }
  int64_t as_int() const { return int_; }
  const std::string& as_string() const { return string_; }
  const std::vector<Value>& items() const { return items_; }
  const std::vector<std::pair<std::string, Value>>& members() const { return members_; }

  // Object member lookup; nullptr when absent or not an object.
  const Value* Find(std::string_view key) const;

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  bool is_integer_ = false;
  double number_ = 0;
  int64_t int_ = 0;
  std::string string_;
  std::vector<Value> items_;
  std::vector<std::pair<std::string, Value>> members_;
};

// Parses a complete document. Errors: kInvalidArgument with a short reason (syntax,
// invalid UTF-8, depth > 64, trailing content).
Result<Value> Parse(std::string_view text);

// Appends JSON to a string. Usage: w.BeginObject(); w.Key("a"); w.Int(1); w.EndObject();
// Commas are inserted automatically. Strings are escaped; invalid UTF-8 is replaced by U+FFFD.
class Writer {
 public:
  Writer& BeginObject();
  Writer& EndObject();
  Writer& BeginArray();
  Writer& EndArray();
  Writer& Key(std::string_view k);
  Writer& String(std::string_view s);
  Writer& Int(int64_t v);
  Writer& Double(double v);
  Writer& Bool(bool b);
  Writer& Null();
  // Inserts pre-encoded JSON (e.g. a jsonb column's text) as one value.
  Writer& Raw(std::string_view json);
  // Convenience: Key(k) then String/Null for an optional.
  Writer& Field(std::string_view k, std::string_view v) { return Key(k).String(v); }
  Writer& OptionalField(std::string_view k, const std::optional<std::string>& v) {
    Key(k);
    return v ? String(*v) : Null();
  }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void BeforeValue();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

// Escapes `s` as a JSON string literal (with quotes) onto `out`.
void AppendQuoted(std::string& out, std::string_view s);
// Writes a Value back to text.
std::string Serialize(const Value& v);

}  // namespace leadline::json
