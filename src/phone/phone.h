// Phone-number and email normalisation for leads and Do-Not-Call entries: everything is stored
// in one canonical form (E.164, lower-case email) so equality and duplicate checks are exact.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

// libphonenumber is deliberately not included here: it stays inside phone.cpp so only this
// module depends on it (and on its protobuf/ICU headers).
//
// Thread-safety: every function here is thread-safe. They hold no state of their own, and
// libphonenumber's PhoneNumberUtil::GetInstance() is a thread-safe singleton whose parse,
// validate and format calls are const (its regular-expression cache is internally locked).
namespace leadline::phone {

// Parses a phone number typed by a person or found in an import and returns it in E.164
// ("+12065550100").
//
// Accepted input: national ("(206) 555-0100", "206.555.0100", read in `default_region`),
// international ("+44 20 7946 0958", "011 44 20 7946 0958" from the US, "00 49 30 123456" from
// Germany), with or without punctuation and spaces, full-width digits, and an optional "tel:"
// prefix. `default_region` is an ISO 3166-1 alpha-2 code, case-insensitive ("US", "gb"); it is
// only needed for national input, so a number with '+' parses even when the region is empty or
// unknown.
//
// Validity rule: the number must be IsPossibleNumber (right length for its country) AND
// IsValidNumber (its leading digits are an assigned range in libphonenumber's metadata for the
// country). The fictional-use US range NXX-555-01xx used in our docs and examples is accepted by
// that rule: libphonenumber 8.12's US patterns check the area code and the shape of the exchange,
// not the subscriber digits, so "+12065550100" is valid and no special case is needed (a unit
// test pins this down). A number in an unassigned area code ("+1 555 555 0100") or with an
// exchange starting with 0 or 1 ("+1 206 155 0100") is rejected.
//
// Deliberately rejected, because storing them would lose or invent information:
//  - letters, including vanity numbers ("1-800-FLOWERS"): libphonenumber would silently turn
//    them into digits, and a stray "abc" in an import would become a different number;
//  - extensions ("x12", ";ext=12"): E.164 has no extension, and dropping it would make two
//    contacts behind one switchboard collide as duplicates.
//
// Errors: kValidationFailed with a short, user-facing message (no input echoed back):
// "phone number is empty", "phone number too short", "phone number too long",
// "phone number must not contain letters", "phone extensions are not supported",
// "phone number needs a country code" (national input with no usable default region),
// "unknown country calling code", "not a valid phone number".
Result<std::string> NormalizeToE164(std::string_view input, std::string_view default_region);

// Display forms of a stored E.164 number: FormatNational gives "(206) 555-0100" (the form used
// inside the number's own country), FormatInternational gives "+1 206-555-0100". If `e164`
// does not parse (it should always, as it was stored by NormalizeToE164), it is returned
// unchanged rather than failing: display must never lose the value.
std::string FormatNational(std::string_view e164);
std::string FormatInternational(std::string_view e164);

// Cheap syntactic check for ^\+[1-9][0-9]{6,14}$, without a regex or libphonenumber: use it to
// recognise an already-normalised value (e.g. a search term) before paying for a full parse.
// It says nothing about whether the number is assigned.
bool LooksLikeE164(std::string_view s);

// Trims ASCII whitespace, lower-cases and validates an email address with a practical (not full
// RFC 5322) syntax: exactly one '@'; a local part of 1-64 characters from letters, digits,
// .!#$%&'*+/=?^_`{|}~- with no leading, trailing or doubled dot (quoted local parts are not
// supported); a domain of at most 253 characters with at least one dot, made of labels of
// 1-63 letters, digits and hyphens that neither start nor end with a hyphen, and a top-level
// label that is not all digits (so no IP literals); at most 320 characters in all; ASCII only
// (internationalised domains must be given in their xn-- form).
// The whole address is lower-cased, local part included: real mail systems treat it
// case-insensitively, and a single canonical form is what makes duplicate detection work.
// Errors: kValidationFailed with a short message ("email is empty", "email is missing @", ...).
Result<std::string> NormalizeEmail(std::string_view input);

}  // namespace leadline::phone
