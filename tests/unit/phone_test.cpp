// Unit tests for phone-number (E.164) and email normalisation.
#include "phone/phone.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace leadline::phone {
namespace {

// Normalises and expects success; the returned value is compared by the caller.
std::string E164(std::string_view input, std::string_view region = "US") {
  Result<std::string> r = NormalizeToE164(input, region);
  EXPECT_TRUE(r.ok()) << "input '" << input << "' region '" << region
                      << "': " << r.status().ToString();
  return r.ok() ? r.value() : std::string();
}

// Normalises, expects kValidationFailed and returns the message.
std::string PhoneError(std::string_view input, std::string_view region = "US") {
  Result<std::string> r = NormalizeToE164(input, region);
  EXPECT_FALSE(r.ok()) << "input '" << input << "' unexpectedly gave " << (r.ok() ? *r : "");
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kValidationFailed);
  return r.status().message();
}

std::string Email(std::string_view input) {
  Result<std::string> r = NormalizeEmail(input);
  EXPECT_TRUE(r.ok()) << "input '" << input << "': " << r.status().ToString();
  return r.ok() ? r.value() : std::string();
}

std::string EmailError(std::string_view input) {
  Result<std::string> r = NormalizeEmail(input);
  EXPECT_FALSE(r.ok()) << "input '" << input << "' unexpectedly gave " << (r.ok() ? *r : "");
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kValidationFailed);
  return r.status().message();
}

// --- phone: accepted forms ---

TEST(NormalizeToE164, UsNationalForms) {
  EXPECT_EQ(E164("(206) 555-0100"), "+12065550100");
  EXPECT_EQ(E164("206-555-0100"), "+12065550100");
  EXPECT_EQ(E164("206.555.0100"), "+12065550100");
  EXPECT_EQ(E164("206 555 0100"), "+12065550100");
  EXPECT_EQ(E164("2065550100"), "+12065550100");
  EXPECT_EQ(E164("1-206-555-0100"), "+12065550100");
  EXPECT_EQ(E164("1 (206) 555-0100"), "+12065550100");
  EXPECT_EQ(E164("  (206) 555-0100\t\n"), "+12065550100");
}

TEST(NormalizeToE164, UsInternationalForms) {
  EXPECT_EQ(E164("+1 206 555 0100"), "+12065550100");
  EXPECT_EQ(E164("+1 (206) 555-0100"), "+12065550100");
  EXPECT_EQ(E164("+1-206-555-0100"), "+12065550100");
  EXPECT_EQ(E164("+12065550100"), "+12065550100");
}

TEST(NormalizeToE164, TelPrefixIsTolerated) {
  EXPECT_EQ(E164("tel:+1-206-555-0100"), "+12065550100");
  EXPECT_EQ(E164("TEL:+12065550100"), "+12065550100");
  EXPECT_EQ(E164("tel: (206) 555-0100"), "+12065550100");
  EXPECT_EQ(PhoneError("tel:"), "phone number is empty");
}

// The docs, examples and API contract use the fictional 555-01xx range; it must stay accepted
// by the validity rule (IsPossibleNumber && IsValidNumber) with the libphonenumber we ship.
TEST(NormalizeToE164, FictionalUs55501xxNumbersAreAccepted) {
  EXPECT_EQ(E164("+12065550100"), "+12065550100");
  EXPECT_EQ(E164("+12065550199"), "+12065550199");
  EXPECT_EQ(E164("(212) 555-0123"), "+12125550123");
  EXPECT_EQ(E164("(415) 555-0142"), "+14155550142");
  EXPECT_EQ(E164("+1 800 555 0100"), "+18005550100");
  EXPECT_TRUE(LooksLikeE164(E164("(206) 555-0100")));
}

TEST(NormalizeToE164, UnitedKingdom) {
  EXPECT_EQ(E164("+44 20 7946 0958"), "+442079460958");
  EXPECT_EQ(E164("020 7946 0958", "GB"), "+442079460958");
  EXPECT_EQ(E164("+44 (0) 20 7946 0958"), "+442079460958");
  EXPECT_EQ(E164("07911 123456", "GB"), "+447911123456");
  EXPECT_EQ(E164("011 44 20 7946 0958", "US"), "+442079460958");  // US international prefix
}

TEST(NormalizeToE164, Germany) {
  EXPECT_EQ(E164("030 123456", "DE"), "+4930123456");
  EXPECT_EQ(E164("030 12345678", "DE"), "+493012345678");
  EXPECT_EQ(E164("+49 30 12345678", "US"), "+493012345678");
  EXPECT_EQ(E164("00 44 20 7946 0958", "DE"), "+442079460958");  // German international prefix
}

TEST(NormalizeToE164, India) {
  EXPECT_EQ(E164("098765 43210", "IN"), "+919876543210");
  EXPECT_EQ(E164("98765 43210", "IN"), "+919876543210");
  EXPECT_EQ(E164("+91 98765 43210", "US"), "+919876543210");
}

TEST(NormalizeToE164, RegionIsCaseInsensitive) {
  EXPECT_EQ(E164("020 7946 0958", "gb"), "+442079460958");
  EXPECT_EQ(E164("(206) 555-0100", "us"), "+12065550100");
}

TEST(NormalizeToE164, InternationalInputNeedsNoRegion) {
  EXPECT_EQ(E164("+44 20 7946 0958", ""), "+442079460958");
  EXPECT_EQ(E164("+1 206 555 0100", "XX"), "+12065550100");
  EXPECT_EQ(E164("+1 206 555 0100", "not-a-region"), "+12065550100");
}

TEST(NormalizeToE164, UnicodeDigitsAndPunctuation) {
  EXPECT_EQ(E164("\uff0b\uff11 \uff12\uff10\uff16 555 0100"), "+12065550100");  // full-width
  EXPECT_EQ(E164("206\u00a0555\u00a00100"), "+12065550100");                    // no-break space
  EXPECT_EQ(E164("206\u2013555\u20130100"), "+12065550100");                    // en dash
  EXPECT_EQ(E164("\u0662\u0660\u0666 555 0100"), "+12065550100");               // Arabic-Indic
}

// --- phone: rejected input ---

TEST(NormalizeToE164, RejectsEmpty) {
  EXPECT_EQ(PhoneError(""), "phone number is empty");
  EXPECT_EQ(PhoneError("   \t "), "phone number is empty");
}

TEST(NormalizeToE164, RejectsLetters) {
  EXPECT_EQ(PhoneError("abc"), "phone number must not contain letters");
  EXPECT_EQ(PhoneError("phone"), "phone number must not contain letters");
  EXPECT_EQ(PhoneError("2065550100abc"), "phone number must not contain letters");
  EXPECT_EQ(PhoneError("call 206 555 0100"), "phone number must not contain letters");
  // Vanity numbers would otherwise be turned into digits silently.
  EXPECT_EQ(PhoneError("1-800-FLOWERS"), "phone number must not contain letters");
}

TEST(NormalizeToE164, RejectsExtensions) {
  EXPECT_EQ(PhoneError("(206) 555-0100 x12"), "phone extensions are not supported");
  EXPECT_EQ(PhoneError("+1 206 555 0100 ext. 123"), "phone extensions are not supported");
  EXPECT_EQ(PhoneError("206-555-0100;ext=5"), "phone extensions are not supported");
}

TEST(NormalizeToE164, RejectsTooShort) {
  EXPECT_EQ(PhoneError("12"), "phone number too short");
  EXPECT_EQ(PhoneError("206"), "phone number too short");
  EXPECT_EQ(PhoneError("+1206555010"), "phone number too short");
  EXPECT_EQ(PhoneError("555-0100"), "phone number too short");  // no area code
  EXPECT_FALSE(NormalizeToE164("1", "US").ok());
  EXPECT_FALSE(NormalizeToE164("+1", "US").ok());
  EXPECT_FALSE(NormalizeToE164("+", "US").ok());
}

TEST(NormalizeToE164, RejectsTooLong) {
  EXPECT_EQ(PhoneError("+120655501000"), "phone number too long");
  EXPECT_EQ(PhoneError("+4420794609581234"), "phone number too long");
  EXPECT_EQ(PhoneError("+1 206 555 0100 1234 5678 9012"), "phone number too long");
  EXPECT_EQ(PhoneError(std::string(150, '1')), "phone number too long");
}

TEST(NormalizeToE164, RejectsUnassignedNumbers) {
  EXPECT_EQ(PhoneError("+1 555 555 0100"), "not a valid phone number");  // no such area code
  EXPECT_EQ(PhoneError("+1 206 155 0100"), "not a valid phone number");  // exchange 1xx
  EXPECT_EQ(PhoneError("+1 200 555 0100"), "not a valid phone number");
}

TEST(NormalizeToE164, RejectsUnknownCountryCode) {
  EXPECT_EQ(PhoneError("+999 1234 5678"), "unknown country calling code");
  EXPECT_FALSE(NormalizeToE164("+0012065550100", "US").ok());
}

TEST(NormalizeToE164, RejectsNationalInputWithoutUsableRegion) {
  EXPECT_EQ(PhoneError("(206) 555-0100", ""), "phone number needs a country code");
  EXPECT_EQ(PhoneError("(206) 555-0100", "XX"), "phone number needs a country code");
  EXPECT_EQ(PhoneError("(206) 555-0100", "USA"), "phone number needs a country code");
  EXPECT_EQ(PhoneError("(206) 555-0100", "001"), "phone number needs a country code");
}

TEST(NormalizeToE164, RejectsGarbage) {
  EXPECT_EQ(PhoneError("206\xff\xfe 555 0100"), "not a valid phone number");  // invalid UTF-8
  EXPECT_EQ(PhoneError("\xc0\xaf"), "not a valid phone number");              // overlong '/'
  EXPECT_EQ(PhoneError("\xed\xa0\x80"), "not a valid phone number");          // surrogate
  EXPECT_EQ(PhoneError("206 555 01\xe2\x82"), "not a valid phone number");    // truncated
  EXPECT_EQ(PhoneError(std::string("206 555\0 0100", 13)), "not a valid phone number");
  EXPECT_EQ(PhoneError("206 555 0100 !!"), "not a valid phone number");
  EXPECT_EQ(PhoneError("*206 555 0100"), "not a valid phone number");
  EXPECT_EQ(PhoneError("206 555 0100 #"), "not a valid phone number");
  EXPECT_EQ(PhoneError("206 555 0100 \u20ac"), "not a valid phone number");  // euro sign
  EXPECT_EQ(PhoneError("\u0430\u0431\u0432 206 555 0100"), "not a valid phone number");
  EXPECT_EQ(PhoneError("---"), "not a valid phone number");
  EXPECT_EQ(PhoneError("()"), "not a valid phone number");
}

TEST(NormalizeToE164, OutputIsStableUnderRenormalisation) {
  for (std::string_view in : {"(206) 555-0100", "+44 20 7946 0958", "+91 98765 43210"}) {
    const std::string once = E164(in);
    EXPECT_EQ(E164(once, "DE"), once);
  }
}

TEST(NormalizeToE164, ConcurrentCallsAgree) {
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < 200; ++i) {
        Result<std::string> a = NormalizeToE164("(206) 555-0100", "US");
        Result<std::string> b = NormalizeToE164("020 7946 0958", "GB");
        if (!a.ok() || *a != "+12065550100" || !b.ok() || *b != "+442079460958") ++failures[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

// --- phone: display and cheap check ---

TEST(FormatPhone, NationalAndInternational) {
  EXPECT_EQ(FormatNational("+12065550100"), "(206) 555-0100");
  EXPECT_EQ(FormatInternational("+12065550100"), "+1 206-555-0100");
  EXPECT_EQ(FormatNational("+442079460958"), "020 7946 0958");
  EXPECT_EQ(FormatInternational("+442079460958"), "+44 20 7946 0958");
  EXPECT_EQ(FormatInternational("+4930123456"), "+49 30 123456");
  EXPECT_EQ(FormatInternational("+919876543210"), "+91 98765 43210");
}

TEST(FormatPhone, UnparsableValueIsReturnedUnchanged) {
  EXPECT_EQ(FormatNational("not a number"), "not a number");
  EXPECT_EQ(FormatInternational(""), "");
  EXPECT_EQ(FormatNational("2065550100"), "2065550100");  // no '+', no region to read it in
}

TEST(LooksLikeE164, AcceptsCanonicalForm) {
  EXPECT_TRUE(LooksLikeE164("+12065550100"));
  EXPECT_TRUE(LooksLikeE164("+4930123456"));
  EXPECT_TRUE(LooksLikeE164("+1234567"));          // 7 digits: shortest
  EXPECT_TRUE(LooksLikeE164("+123456789012345"));  // 15 digits: longest
}

TEST(LooksLikeE164, RejectsEverythingElse) {
  EXPECT_FALSE(LooksLikeE164(""));
  EXPECT_FALSE(LooksLikeE164("+"));
  EXPECT_FALSE(LooksLikeE164("12065550100"));
  EXPECT_FALSE(LooksLikeE164("+02065550100"));
  EXPECT_FALSE(LooksLikeE164("+123456"));            // 6 digits
  EXPECT_FALSE(LooksLikeE164("+1234567890123456"));  // 16 digits
  EXPECT_FALSE(LooksLikeE164("+1 206 555 0100"));
  EXPECT_FALSE(LooksLikeE164("+1206555010a"));
  EXPECT_FALSE(LooksLikeE164("++12065550100"));
}

// --- email ---

TEST(NormalizeEmail, AcceptsAndCanonicalises) {
  EXPECT_EQ(Email("ann@example.com"), "ann@example.com");
  EXPECT_EQ(Email("Ann.Lee@Example.COM"), "ann.lee@example.com");
  EXPECT_EQ(Email("  bob@example.org \t\n"), "bob@example.org");
  EXPECT_EQ(Email("first.last+tag@mail.example.co.uk"), "first.last+tag@mail.example.co.uk");
  EXPECT_EQ(Email("o'brien@example.ie"), "o'brien@example.ie");
  EXPECT_EQ(Email("x_y-z@sub-domain.example.com"), "x_y-z@sub-domain.example.com");
  EXPECT_EQ(Email("user@xn--bcher-kva.example"), "user@xn--bcher-kva.example");
  EXPECT_EQ(Email("a@b.co"), "a@b.co");
}

TEST(NormalizeEmail, RejectsEmpty) {
  EXPECT_EQ(EmailError(""), "email is empty");
  EXPECT_EQ(EmailError("   "), "email is empty");
}

TEST(NormalizeEmail, RejectsMissingOrRepeatedAt) {
  EXPECT_EQ(EmailError("ann.example.com"), "email is missing @");
  EXPECT_EQ(EmailError("ann@lee@example.com"), "email must contain exactly one @");
  EXPECT_EQ(EmailError("@example.com"), "email local part is empty");
  EXPECT_EQ(EmailError("ann@"), "email domain is empty");
}

TEST(NormalizeEmail, RejectsSpacesAndControlCharacters) {
  EXPECT_EQ(EmailError("ann lee@example.com"), "email must not contain spaces");
  EXPECT_EQ(EmailError("ann@exa mple.com"), "email must not contain spaces");
  EXPECT_EQ(EmailError("ann@example.com\tx"), "email must not contain spaces");
  EXPECT_EQ(EmailError(std::string("ann@exam\0ple.com", 16)), "email contains invalid characters");
  EXPECT_EQ(EmailError("j\xc3\xb6rg@example.com"), "email contains invalid characters");
  EXPECT_EQ(EmailError("ann@b\xc3\xbc"
                       "cher.example"),
            "email contains invalid characters");
}

TEST(NormalizeEmail, RejectsBadDomains) {
  EXPECT_EQ(EmailError("ann@localhost"), "email domain needs a dot");
  EXPECT_EQ(EmailError("ann@example..com"), "email domain is invalid");
  EXPECT_EQ(EmailError("ann@.example.com"), "email domain is invalid");
  EXPECT_EQ(EmailError("ann@example.com."), "email domain is invalid");
  EXPECT_EQ(EmailError("ann@-example.com"), "email domain is invalid");
  EXPECT_EQ(EmailError("ann@example-.com"), "email domain is invalid");
  EXPECT_EQ(EmailError("ann@exa_mple.com"), "email domain is invalid");
  EXPECT_EQ(EmailError("ann@[10.0.0.1]"), "email domain is invalid");
  EXPECT_EQ(EmailError("ann@10.0.0.1"), "email domain is invalid");
  EXPECT_EQ(EmailError("ann@" + std::string(64, 'a') + ".com"), "email domain is invalid");
  EXPECT_EQ(Email("ann@" + std::string(63, 'a') + ".com"), "ann@" + std::string(63, 'a') + ".com");
}

TEST(NormalizeEmail, RejectsBadLocalParts) {
  EXPECT_EQ(EmailError(".ann@example.com"), "email local part is invalid");
  EXPECT_EQ(EmailError("ann.@example.com"), "email local part is invalid");
  EXPECT_EQ(EmailError("an..n@example.com"), "email local part is invalid");
  EXPECT_EQ(EmailError("\"ann\"@example.com"), "email local part is invalid");
  EXPECT_EQ(EmailError("ann(x)@example.com"), "email local part is invalid");
  EXPECT_EQ(EmailError(std::string(65, 'a') + "@example.com"), "email local part too long");
  const std::string local64(64, 'a');
  EXPECT_EQ(Email(local64 + "@example.com"), local64 + "@example.com");
}

TEST(NormalizeEmail, LengthLimits) {
  // 321 characters: over the overall limit whatever its parts.
  const std::string too_long = std::string(64, 'a') + "@" + std::string(252, 'b') + ".com";
  ASSERT_EQ(too_long.size(), 321u);
  EXPECT_EQ(EmailError(too_long), "email too long");
  // Domain of 254 characters, built from valid labels: over the 253 name limit.
  std::string domain;
  while (domain.size() < 250) domain += std::string(49, 'd') + ".";
  domain += "com";
  ASSERT_EQ(domain.size(), 253u);
  EXPECT_EQ(Email("a@" + domain), "a@" + domain);
  EXPECT_EQ(EmailError("a@x" + domain), "email domain too long");
}

}  // namespace
}  // namespace leadline::phone
