// Phone normalisation on top of libphonenumber (the only file that includes it), and email
// normalisation, which needs no library.
#include "phone/phone.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace leadline::phone {
namespace {

using ::i18n::phonenumbers::PhoneNumber;
using ::i18n::phonenumbers::PhoneNumberUtil;

// Far above any real number with punctuation ("+44 (0) 20 7946 0958" is 20 bytes, 15 full-width
// digits are 45), yet small enough that a pasted paragraph is rejected before parsing.
constexpr std::size_t kMaxPhoneInputBytes = 100;

constexpr std::size_t kMaxEmailLength = 320;
constexpr std::size_t kMaxEmailLocalLength = 64;
constexpr std::size_t kMaxEmailDomainLength = 253;  // RFC 1035 name limit
constexpr std::size_t kMaxDomainLabelLength = 63;

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool IsAsciiDigit(char32_t c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlpha(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view TrimAsciiSpace(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (AsciiLower(s[i]) != AsciiLower(prefix[i])) return false;
  }
  return true;
}

// Strict UTF-8 decoding (no overlong forms, surrogates or values above U+10FFFF). Garbage must
// be rejected here: libphonenumber assumes valid UTF-8 and would otherwise decide on its own
// what the bytes mean.
bool DecodeUtf8(std::string_view s, std::u32string* out) {
  out->clear();
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      out->push_back(b0);
      ++i;
      continue;
    }
    std::size_t len;
    char32_t cp;
    char32_t min;
    if ((b0 & 0xE0) == 0xC0) {
      len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4, cp = b0 & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (s.size() - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    out->push_back(cp);
    i += len;
  }
  return true;
}

// Characters a phone number may be written with, besides ASCII letters (reported separately).
// libphonenumber itself skips any leading or trailing junk ("call 206 555 0100 !!" parses), so
// this whitelist is what makes "the input is a phone number and nothing else" true. Non-ASCII
// entries are the digits, spaces and punctuation libphonenumber normalises: full-width forms
// (common in East-Asian input methods), Arabic-Indic digits, Unicode dashes and spaces.
bool IsPhoneChar(char32_t c) {
  if (c < 0x80) {
    constexpr std::string_view kAsciiPunctuation = " \t+-.()/[]";
    return IsAsciiDigit(c) ||
           kAsciiPunctuation.find(static_cast<char>(c)) != std::string_view::npos;
  }
  return c == 0x00A0                       // no-break space
         || (c >= 0x0660 && c <= 0x0669)   // Arabic-Indic digits
         || (c >= 0x06F0 && c <= 0x06F9)   // Extended Arabic-Indic digits
         || (c >= 0x2000 && c <= 0x200B)   // Unicode spaces
         || (c >= 0x2010 && c <= 0x2015)   // Unicode hyphens and dashes
         || c == 0x2212                    // minus sign
         || c == 0x3000                    // ideographic space
         || c == 0xFF08 || c == 0xFF09     // full-width parentheses
         || c == 0xFF0B                    // full-width plus
         || (c >= 0xFF0D && c <= 0xFF0F)   // full-width hyphen, full stop, solidus
         || (c >= 0xFF10 && c <= 0xFF19);  // full-width digits
}

// libphonenumber wants an upper-case ISO code it knows; anything else becomes "ZZ" (unknown), so
// only input carrying its own country code can parse.
std::string UsableRegion(std::string_view region, const PhoneNumberUtil& util) {
  std::string upper;
  for (char c : region) {
    upper.push_back(static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c));
  }
  if (upper.size() == 2 && util.GetCountryCodeForRegion(upper) != 0) return upper;
  return "ZZ";
}

Status PhoneError(std::string message) { return ValidationFailed(std::move(message)); }

std::string FormatAs(std::string_view e164, PhoneNumberUtil::PhoneNumberFormat format) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util.Parse(std::string(e164), "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
    return std::string(e164);
  }
  std::string out;
  util.Format(number, format, &out);
  return out;
}

bool IsLocalPartChar(char c) {
  if (IsAsciiAlpha(c) || IsAsciiDigit(c)) return true;
  constexpr std::string_view kSpecials = ".!#$%&'*+/=?^_`{|}~-";
  return kSpecials.find(c) != std::string_view::npos;
}

// One domain label: 1-63 of [a-z0-9-], no hyphen at either end (the input is already lower-case).
bool IsValidDomainLabel(std::string_view label) {
  if (label.empty() || label.size() > kMaxDomainLabelLength) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    if (!((c >= 'a' && c <= 'z') || IsAsciiDigit(c) || c == '-')) return false;
  }
  return true;
}

}  // namespace

Result<std::string> NormalizeToE164(std::string_view input, std::string_view default_region) {
  std::string_view s = TrimAsciiSpace(input);
  if (s.empty()) return PhoneError("phone number is empty");
  if (s.size() > kMaxPhoneInputBytes) return PhoneError("phone number too long");
  // RFC 3966 URIs ("tel:+1-206-555-0100") come from click-to-call links and vCards.
  if (StartsWithIgnoreCase(s, "tel:")) {
    s = TrimAsciiSpace(s.substr(4));
    if (s.empty()) return PhoneError("phone number is empty");
  }
  std::u32string chars;
  if (!DecodeUtf8(s, &chars)) return PhoneError("not a valid phone number");

  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  const std::string region = UsableRegion(default_region, util);
  PhoneNumber number;
  const PhoneNumberUtil::ErrorType parse_error = util.Parse(std::string(s), region, &number);

  // The extension check comes before the character whitelist because extensions are written
  // with letters ("x12", "ext. 12") and deserve their own message.
  if (parse_error == PhoneNumberUtil::NO_PARSING_ERROR && number.has_extension()) {
    return PhoneError("phone extensions are not supported");
  }
  bool has_plus = false;
  for (char32_t c : chars) {
    if (IsAsciiAlpha(c)) return PhoneError("phone number must not contain letters");
    if (!IsPhoneChar(c)) return PhoneError("not a valid phone number");
    if (c == '+' || c == 0xFF0B) has_plus = true;
  }

  switch (parse_error) {
    case PhoneNumberUtil::NO_PARSING_ERROR:
      break;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
      // Without '+' the number could only be read in the default region; if that region is
      // unusable the caller's real problem is the missing country code.
      if (region == "ZZ" && !has_plus) return PhoneError("phone number needs a country code");
      return PhoneError("unknown country calling code");
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN:
      return PhoneError("phone number too short");
    case PhoneNumberUtil::TOO_LONG_NSN:
      return PhoneError("phone number too long");
    case PhoneNumberUtil::NOT_A_NUMBER:
    default:
      return PhoneError("not a valid phone number");
  }

  switch (util.IsPossibleNumberWithReason(number)) {
    case PhoneNumberUtil::IS_POSSIBLE:
      break;
    case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY:
      // e.g. "555-0100" in the US: dialable locally, but without an area code it names no
      // single number.
    case PhoneNumberUtil::TOO_SHORT:
      return PhoneError("phone number too short");
    case PhoneNumberUtil::TOO_LONG:
      return PhoneError("phone number too long");
    case PhoneNumberUtil::INVALID_COUNTRY_CODE:
      return PhoneError("unknown country calling code");
    case PhoneNumberUtil::INVALID_LENGTH:
    default:
      return PhoneError("phone number has an invalid length");
  }
  if (!util.IsValidNumber(number)) return PhoneError("not a valid phone number");

  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

std::string FormatNational(std::string_view e164) {
  return FormatAs(e164, PhoneNumberUtil::NATIONAL);
}

std::string FormatInternational(std::string_view e164) {
  return FormatAs(e164, PhoneNumberUtil::INTERNATIONAL);
}

bool LooksLikeE164(std::string_view s) {
  // '+', a non-zero first digit, 7 to 15 digits in all.
  if (s.size() < 8 || s.size() > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9') return false;
  for (std::size_t i = 2; i < s.size(); ++i) {
    if (!IsAsciiDigit(s[i])) return false;
  }
  return true;
}

Result<std::string> NormalizeEmail(std::string_view input) {
  const std::string_view trimmed = TrimAsciiSpace(input);
  if (trimmed.empty()) return ValidationFailed("email is empty");
  if (trimmed.size() > kMaxEmailLength) return ValidationFailed("email too long");

  std::string email;
  email.reserve(trimmed.size());
  std::size_t at_count = 0;
  for (char c : trimmed) {
    const auto u = static_cast<unsigned char>(c);
    if (IsAsciiSpace(c)) return ValidationFailed("email must not contain spaces");
    if (u < 0x20 || u >= 0x7F) return ValidationFailed("email contains invalid characters");
    if (c == '@') ++at_count;
    email.push_back(AsciiLower(c));
  }
  if (at_count == 0) return ValidationFailed("email is missing @");
  if (at_count > 1) return ValidationFailed("email must contain exactly one @");

  const std::size_t at = email.find('@');
  const std::string_view local = std::string_view(email).substr(0, at);
  const std::string_view domain = std::string_view(email).substr(at + 1);

  if (local.empty()) return ValidationFailed("email local part is empty");
  if (local.size() > kMaxEmailLocalLength) return ValidationFailed("email local part too long");
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return ValidationFailed("email local part is invalid");
  }
  for (char c : local) {
    if (!IsLocalPartChar(c)) return ValidationFailed("email local part is invalid");
  }

  if (domain.empty()) return ValidationFailed("email domain is empty");
  if (domain.size() > kMaxEmailDomainLength) return ValidationFailed("email domain too long");
  if (domain.find('.') == std::string_view::npos) {
    return ValidationFailed("email domain needs a dot");
  }
  // Splitting on every dot also rejects leading, trailing and doubled dots (empty labels).
  std::string_view label;
  for (std::size_t start = 0;;) {
    const std::size_t dot = domain.find('.', start);
    label = domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!IsValidDomainLabel(label)) return ValidationFailed("email domain is invalid");
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  // An all-digit top-level label would make "user@10.0.0.1" pass as a domain.
  bool tld_all_digits = true;
  for (char c : label) tld_all_digits = tld_all_digits && IsAsciiDigit(c);
  if (tld_all_digits) return ValidationFailed("email domain is invalid");

  return email;
}

}  // namespace leadline::phone
