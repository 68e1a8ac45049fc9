// Phone-number prefix to IANA time zone(s), from libphonenumber's timezones map_data.txt:
// gives a lead a time zone for calling-hours checks when none was entered. The table is built
// into the binary; a file can replace it at start-up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace leadline::phone {

// An immutable prefix table. Build it once at start-up with LoadFromFile and share it: after
// loading nothing mutates it, so any number of threads may call ZonesFor concurrently without
// locking. Copyable and movable (a copy is a full, independent table).
class PhoneTimezones {
 public:
  // Parses the data file. Format: '#' comment lines and blank lines, then one entry per line
  // "PREFIX|Zone1&Zone2...", PREFIX being the country calling code plus leading national digits
  // without '+' (1 to 15 digits), zones '&'-separated IANA names. Trailing '\r' is tolerated.
  // Errors: kNotFound when the file does not exist, kInternal when it cannot be read,
  // kInvalidArgument for a directory, a malformed line or a duplicate prefix (with the line
  // number) and for a table with no entries. A bad table is refused outright: silently skipping
  // lines would give some leads a wrong calling-hours window.
  static Result<PhoneTimezones> LoadFromFile(const std::string& path);
  static Result<PhoneTimezones> LoadFromString(std::string_view text);

  // All zones listed for the longest prefix of `e164`'s digits present in the table, in file
  // order: one zone for most prefixes, several where a prefix spans zones (e.g. "+12082" ->
  // America/Boise and America/Los_Angeles). Empty when no prefix matches or when `e164` is
  // not '+' followed by 1-15 ASCII digits. Note that a bare country code entry (e.g. "1")
  // matches every number of that country not covered by a longer prefix, so a long list is a
  // normal answer for unassigned ranges. No allocation beyond the returned vector.
  std::vector<std::string> ZonesFor(std::string_view e164) const;

  // Number of prefixes loaded.
  std::size_t size() const { return by_prefix_.size(); }

 private:
  PhoneTimezones() = default;

  // Prefix digits encoded as an integer behind a leading 1 ("1206" -> 11206) so that prefixes
  // that differ only by leading zeros stay distinct and lookups need no string building.
  static constexpr std::size_t kMaxPrefixDigits = 15;  // E.164 maximum; fits in 64 bits

  std::unordered_map<std::uint64_t, std::uint32_t> by_prefix_;  // encoded prefix -> zone list
  // Distinct zone lists; most prefixes share one ("America/New_York"), so storing each list once
  // keeps the table small.
  std::vector<std::vector<std::string>> zone_lists_;
  std::size_t max_prefix_digits_ = 0;  // bounds the lookup loop
};

// The text of data/phone-timezones/map_data.txt as it was when the binary was built: the binary
// carries its table, so it works wherever it is copied.
std::string_view EmbeddedPhoneTimezonesText();

// The table calling hours use: the file at `path` when one is given (to run with newer data
// than the binary was built with; an explicit file that cannot be loaded is an error, never
// silently replaced by the built-in table), else the built-in table.
Result<PhoneTimezones> LoadPhoneTimezones(const std::string& path);

// $LEADLINE_PHONE_TZ_FILE, or "" when it is unset or empty. Reads the environment: do not call
// it while another thread may be calling setenv.
std::string PhoneTimezonesFileFromEnvironment();

}  // namespace leadline::phone
