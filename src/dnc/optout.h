// Opt-out detection in inbound messages and transcripts: the carrier STOP keywords (whole
// message) and English/Spanish opt-out phrases with negation handling, graded so that only
// confident matches list a number at once and weak ones go to a person for review.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace leadline::dnc {

enum class OptOutKind {
  kNone,
  kKeyword,  // the whole message is STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT
  kPhrase,   // a confident opt-out phrase ("stop calling me", "no me llamen")
  kWeak,     // a possible opt-out ("not interested", "leave me alone"): needs review
};

struct OptOutVerdict {
  OptOutKind kind = OptOutKind::kNone;
  std::string matched;    // the keyword or the normalised words that matched
  double confidence = 0;  // 1.0 keyword, 0.9 phrase, 0.4-0.6 weak
  bool confident() const { return kind == OptOutKind::kKeyword || kind == OptOutKind::kPhrase; }
};

// The keyword (lower case) when the whole message, ignoring case, spaces and punctuation, is
// one of the eight STOP keywords ("Stop.", "STOP ALL", "opt-out"); nullopt otherwise
// ("stopping by later", "stop by at 5").
std::optional<std::string> MatchStopKeyword(std::string_view message);

// Keyword first, then phrases. Text is UTF-8; accents, case and apostrophes are ignored
// ("Quítenme" = "quitenme", "don’t" = "dont"). Pure function, thread-safe.
OptOutVerdict DetectOptOut(std::string_view text);

const char* OptOutKindName(OptOutKind k);

}  // namespace leadline::dnc
