// Loading and longest-prefix lookup of the phone prefix -> time zone table.
#include "phone/phone_timezones.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace leadline::phone {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// IANA names use letters, digits and "/_-+" ("America/Port-au-Prince", "Etc/GMT+5"); checking
// this catches a file that is not the table at all (or a mangled line) at load time.
bool IsValidZoneName(std::string_view zone) {
  if (zone.empty()) return false;
  for (char c : zone) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '/' ||
                    c == '_' || c == '-' || c == '+';
    if (!ok) return false;
  }
  return true;
}

Status LineError(std::size_t line_no, std::string_view what) {
  return InvalidArgument("phone time-zone data, line " + std::to_string(line_no) + ": " +
                         std::string(what));
}

}  // namespace

Result<PhoneTimezones> PhoneTimezones::LoadFromFile(const std::string& path) {
  // Asked separately because std::ifstream does not say why opening failed, and "missing" is
  // the one failure with a clear fix (fix LEADLINE_PHONE_TZ_FILE, or unset it to use the built-in
  // table).
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && !ec) {
    return NotFound("phone time-zone data not found: " + path);
  }
  if (std::filesystem::is_directory(path, ec)) {
    return InvalidArgument("phone time-zone data is a directory: " + path);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Internal("cannot open phone time-zone data: " + path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Internal("cannot read phone time-zone data: " + path);
  return LoadFromString(text);
}

Result<PhoneTimezones> PhoneTimezones::LoadFromString(std::string_view text) {
  PhoneTimezones table;
  // Identical zone lists are stored once; keyed by the raw "A&B" text, which is exact because
  // the same list is always spelled the same way in the file.
  std::map<std::string, std::uint32_t, std::less<>> list_index;

  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const std::size_t eol = text.find('\n');
    std::string_view line = Trim(text.substr(0, eol));
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (line.empty() || line.front() == '#') continue;

    const std::size_t bar = line.find('|');
    if (bar == std::string_view::npos) return LineError(line_no, "expected PREFIX|ZONES");
    const std::string_view prefix = Trim(line.substr(0, bar));
    const std::string_view zones = Trim(line.substr(bar + 1));

    if (prefix.empty() || prefix.size() > kMaxPrefixDigits) {
      return LineError(line_no, "prefix must have 1 to 15 digits");
    }
    std::uint64_t key = 1;
    for (char c : prefix) {
      if (!IsDigit(c)) return LineError(line_no, "prefix must have 1 to 15 digits");
      key = key * 10 + static_cast<std::uint64_t>(c - '0');
    }

    auto [it, inserted] = list_index.try_emplace(std::string(zones), 0);
    if (inserted) {
      std::vector<std::string> list;
      std::string_view rest = zones;
      for (;;) {
        const std::size_t amp = rest.find('&');
        const std::string_view zone = Trim(rest.substr(0, amp));
        if (!IsValidZoneName(zone)) return LineError(line_no, "invalid time zone name");
        list.emplace_back(zone);
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
      }
      it->second = static_cast<std::uint32_t>(table.zone_lists_.size());
      table.zone_lists_.push_back(std::move(list));
    }

    if (!table.by_prefix_.emplace(key, it->second).second) {
      return LineError(line_no, "duplicate prefix " + std::string(prefix));
    }
    if (prefix.size() > table.max_prefix_digits_) table.max_prefix_digits_ = prefix.size();
  }
  if (table.by_prefix_.empty()) return InvalidArgument("phone time-zone data has no entries");
  return table;
}

std::vector<std::string> PhoneTimezones::ZonesFor(std::string_view e164) const {
  if (e164.size() < 2 || e164.front() != '+' || e164.size() - 1 > kMaxPrefixDigits) return {};
  const std::string_view digits = e164.substr(1);
  // keys[i] is the encoded prefix of length i + 1; built in one pass, then probed longest first.
  std::array<std::uint64_t, kMaxPrefixDigits> keys{};
  std::uint64_t key = 1;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (!IsDigit(digits[i])) return {};
    key = key * 10 + static_cast<std::uint64_t>(digits[i] - '0');
    keys[i] = key;
  }
  for (std::size_t len = std::min(digits.size(), max_prefix_digits_); len > 0; --len) {
    const auto it = by_prefix_.find(keys[len - 1]);
    if (it != by_prefix_.end()) return zone_lists_[it->second];
  }
  return {};
}

Result<PhoneTimezones> LoadPhoneTimezones(const std::string& path) {
  if (!path.empty()) return PhoneTimezones::LoadFromFile(path);
  return PhoneTimezones::LoadFromString(EmbeddedPhoneTimezonesText());
}

std::string PhoneTimezonesFileFromEnvironment() {
  const char* env = std::getenv("LEADLINE_PHONE_TZ_FILE");
  return env == nullptr ? std::string() : std::string(env);
}

}  // namespace leadline::phone
