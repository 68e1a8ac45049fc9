// Word lists behind the benchmark data: names, US area codes with their time zones, tags,
// lead sources and the like. Embedded so that `leadline bench-data` needs no data files.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace leadline::benchdata {

struct AreaCode {
  int npa;                // the three-digit area code
  std::string_view zone;  // IANA time zone of (most of) its territory
};

// A value with a relative frequency.
struct Weighted {
  std::string_view value;
  uint32_t weight;
};

std::span<const std::string_view> FirstNames();
std::span<const std::string_view> LastNames();
std::span<const std::string_view> EmailDomains();
std::span<const std::string_view> Companies();
std::span<const std::string_view> Titles();
std::span<const std::string_view> UserAgents();
std::span<const std::string_view> Campaigns();

// Assigned US area codes used for generated phones. The create benchmark draws its numbers
// from kReservedAreaCodes, which this list leaves out, so its inserts never collide.
std::span<const AreaCode> AreaCodes();
inline constexpr int kReservedAreaCodes[] = {458, 564};

// ~50 tags, most common first; their frequency follows a Zipf law (see generator.cpp).
std::span<const std::string_view> Tags();

// Lead sources with their share of leads.
std::span<const Weighted> Sources();

}  // namespace leadline::benchdata
