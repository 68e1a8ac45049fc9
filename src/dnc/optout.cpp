#include "dnc/optout.h"

#include <algorithm>
#include <array>
#include <set>
#include <vector>

namespace leadline::dnc {
namespace {

using Tokens = std::vector<std::string>;

// UTF-8 letters we fold: Latin-1 accented vowels, ñ, ç, curly quotes.
void AppendFolded(std::string& out, std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      continue;
    }
    if (c == 0xC3 && i + 1 < text.size()) {
      unsigned char d = static_cast<unsigned char>(text[++i]) | 0x20;  // fold case: À..Þ -> à..þ
      char m = ' ';
      if (d >= 0xA0 && d <= 0xA5)
        m = 'a';
      else if (d == 0xA7)
        m = 'c';
      else if (d >= 0xA8 && d <= 0xAB)
        m = 'e';
      else if (d >= 0xAC && d <= 0xAF)
        m = 'i';
      else if (d == 0xB1)
        m = 'n';
      else if (d >= 0xB2 && d <= 0xB6)
        m = 'o';
      else if (d >= 0xB9 && d <= 0xBC)
        m = 'u';
      out += m;
      continue;
    }
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80) {
      unsigned char e = static_cast<unsigned char>(text[i + 2]);
      i += 2;
      out += (e == 0x98 || e == 0x99) ? '\'' : ' ';  // ‘ ’ are apostrophes
      continue;
    }
    // Any other multi-byte character separates words; skip its continuation bytes.
    out += ' ';
    while (i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) ++i;
  }
}

bool IsWordChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsClauseBreak(char c) {
  return c == '.' || c == ',' || c == ';' || c == '!' || c == '?' || c == ':' || c == '\n';
}

// Folded text split into clauses (at punctuation) of words (apostrophes dropped: "dont").
std::vector<Tokens> Clauses(std::string_view text) {
  std::string folded;
  AppendFolded(folded, text);
  std::vector<Tokens> clauses(1);
  std::string word;
  auto flush = [&] {
    if (!word.empty()) clauses.back().push_back(std::move(word));
    word.clear();
  };
  for (char c : folded) {
    if (IsWordChar(c)) {
      word += c;
    } else if (c == '\'') {
      continue;
    } else {
      flush();
      if (IsClauseBreak(c) && !clauses.back().empty()) clauses.emplace_back();
    }
  }
  flush();
  if (clauses.back().empty()) clauses.pop_back();
  return clauses;
}

// A phrase pattern: space-separated elements; "a|b" alternatives, a trailing '?' makes an
// element optional, "*N" skips up to N words.
struct Element {
  std::vector<std::string> words;
  bool optional = false;
  int gap = 0;
};

std::vector<Element> Compile(std::string_view spec) {
  std::vector<Element> out;
  size_t i = 0;
  while (i < spec.size()) {
    size_t j = spec.find(' ', i);
    if (j == std::string_view::npos) j = spec.size();
    std::string_view e = spec.substr(i, j - i);
    i = j + 1;
    if (e.empty()) continue;
    Element el;
    if (e[0] == '*') {
      el.gap = std::stoi(std::string(e.substr(1)));
    } else {
      if (e.back() == '?') {
        el.optional = true;
        e.remove_suffix(1);
      }
      size_t k = 0;
      while (k <= e.size()) {
        size_t bar = e.find('|', k);
        if (bar == std::string_view::npos) bar = e.size();
        el.words.emplace_back(e.substr(k, bar - k));
        k = bar + 1;
      }
    }
    out.push_back(std::move(el));
  }
  return out;
}

bool MatchFrom(const Tokens& t, size_t pos, const std::vector<Element>& p, size_t idx,
               size_t* end) {
  if (idx == p.size()) {
    *end = pos;
    return true;
  }
  const Element& el = p[idx];
  if (el.gap > 0) {
    for (int skip = 0; skip <= el.gap && pos + skip <= t.size(); ++skip) {
      if (MatchFrom(t, pos + skip, p, idx + 1, end)) return true;
    }
    return false;
  }
  if (pos < t.size() && std::find(el.words.begin(), el.words.end(), t[pos]) != el.words.end() &&
      MatchFrom(t, pos + 1, p, idx + 1, end)) {
    return true;
  }
  return el.optional && MatchFrom(t, pos, p, idx + 1, end);
}

enum class Lang { kEn, kEs };
enum Qualify { kNoQualifier = 0, kTimeQualifier = 1, kTimeOrNowQualifier = 2 };

struct Phrase {
  const char* spec;
  OptOutKind kind;
  Lang lang;
  bool negatable;  // may be negated by what comes before ("don't stop calling")
  int qualify;     // a scheduling qualifier after it downgrades to weak ("... before 5pm")
  std::vector<Element> compiled = {};
};

// Objects after a verb of contacting: "stop calling (me)", "don't text (this number)".
#define OBJ " me|us|this|my|here|anymore|again|ever|at|on?"
#define CONTACT_ING                                                                            \
  "calling|texting|messaging|contacting|emailing|phoning|ringing|bothering|harassing|sending|" \
  "spamming"
#define CONTACT "call|text|message|contact|email|phone|ring|bother|harass|spam|sms"

std::vector<Phrase>& Phrases() {
  static std::vector<Phrase> phrases = [] {
    std::vector<Phrase> v = {
        // English, confident.
        {"stop|quit|cease " CONTACT_ING OBJ, OptOutKind::kPhrase, Lang::kEn, true, kTimeQualifier},
        {"dont ever? " CONTACT OBJ, OptOutKind::kPhrase, Lang::kEn, false, kTimeOrNowQualifier},
        {"never ever? " CONTACT " me|us|this|here|again", OptOutKind::kPhrase, Lang::kEn, false,
         kTimeOrNowQualifier},
        {"do|please not ever? " CONTACT OBJ, OptOutKind::kPhrase, Lang::kEn, false,
         kTimeOrNowQualifier},
        {"never " CONTACT_ING " me|us again?", OptOutKind::kPhrase, Lang::kEn, true, kNoQualifier},
        {"take|get|remove|delete|drop|erase me|us *1 off|from *3 "
         "list|lists|database|system|records|file|registry",
         OptOutKind::kPhrase, Lang::kEn, true, kNoQualifier},
        // Not "get": "how did you get my number" asks, it does not request.
        {"take|remove|delete|drop|erase|lose|forget my|this|our "
         "number|name|phone|info|information|details|contact|cell|email",
         OptOutKind::kPhrase, Lang::kEn, true, kNoQualifier},
        {"remove|unsubscribe|unlist me|us", OptOutKind::kPhrase, Lang::kEn, true, kNoQualifier},
        {"unsubscribe", OptOutKind::kPhrase, Lang::kEn, true, kNoQualifier},
        {"opt|opting me|us? out", OptOutKind::kPhrase, Lang::kEn, true, kNoQualifier},
        {"optout", OptOutKind::kPhrase, Lang::kEn, true, kNoQualifier},
        {"no more calls|texts|messages|emails|contact|calling|texting", OptOutKind::kPhrase,
         Lang::kEn, true, kNoQualifier},
        {"want|wish|like|need|asking *2 removed|unsubscribed|deleted", OptOutKind::kPhrase,
         Lang::kEn, true, kNoQualifier},
        {"want|wish|like|need|asking *2 taken|be off *2 list|lists", OptOutKind::kPhrase, Lang::kEn,
         true, kNoQualifier},
        {"stop all? " CONTACT_ING "? *1 communication|communications|messages|texts|calls|contact",
         OptOutKind::kPhrase, Lang::kEn, true, kNoQualifier},
        {"revoke|withdraw|withdrawing|revoking my? consent", OptOutKind::kPhrase, Lang::kEn, true,
         kNoQualifier},
        // English, weak.
        {"not|never interested", OptOutKind::kWeak, Lang::kEn, false, kNoQualifier},
        {"leave me|us alone", OptOutKind::kWeak, Lang::kEn, true, kNoQualifier},
        {"wrong number|person", OptOutKind::kWeak, Lang::kEn, true, kNoQualifier},
        {"how|where did|do you get|got my number|info|information", OptOutKind::kWeak, Lang::kEn,
         false, kNoQualifier},
        {"sue|suing|lawyer|attorney|harassment|fcc|ftc|tcpa", OptOutKind::kWeak, Lang::kEn, true,
         kNoQualifier},
        {"report|reporting you|this", OptOutKind::kWeak, Lang::kEn, true, kNoQualifier},
        {"dont|do|please not want|need *2 calls|texts|messages|emails|calling", OptOutKind::kWeak,
         Lang::kEn, false, kNoQualifier},
        {"stop", OptOutKind::kWeak, Lang::kEn, true, kNoQualifier},
        // Spanish, confident.
        {"no me|nos|le|les? vuelva|vuelvan|vuelvas a "
         "llamar|escribir|contactar|marcar|molestar|mandar|enviar",
         OptOutKind::kPhrase, Lang::kEs, false, kNoQualifier},
        {"no me|nos|le|les "
         "llame|llamen|llames|llamar|escriba|escriban|escribas|contacte|contacten|contactes|"
         "marquen|marque|manden|mande|envien|envie|molesten|moleste",
         OptOutKind::kPhrase, Lang::kEs, false, kTimeOrNowQualifier},
        {"no llame|llamen|llames|escriban|marquen mas?", OptOutKind::kPhrase, Lang::kEs, false,
         kTimeOrNowQualifier},
        {"deje|dejen|deja|dejar|dejaran|dejen de "
         "llamar|llamarme|llamarnos|escribir|escribirme|molestar|molestarme|enviar|enviarme|mandar|"
         "mandarme|mandarnos|contactar|contactarme|marcar|marcarme",
         OptOutKind::kPhrase, Lang::kEs, true, kTimeQualifier},
        {"quitenme|quiteme|quitame|sacame|saquenme|saqueme|borrenme|borreme|borrame|eliminenme|"
         "elimineme|eliminame",
         OptOutKind::kPhrase, Lang::kEs, true, kNoQualifier},
        {"quiten|quite|saquen|saque|borren|borre|eliminen|elimine|quitar|borrar|eliminar|sacar "
         "mi|este|nuestro numero|nombre|telefono|celular|contacto|correo",
         OptOutKind::kPhrase, Lang::kEs, true, kNoQualifier},
        {"quiten|quite|saquen|saque|borren|borre|eliminen|elimine|quitar|borrar|eliminar|sacar "
         "me|nos? de *2 lista|listas|base",
         OptOutKind::kPhrase, Lang::kEs, true, kNoQualifier},
        {"no quiero|queremos *3 "
         "llamadas|mensajes|llamen|llame|escriban|contacten|molesten|textos|correos",
         OptOutKind::kPhrase, Lang::kEs, false, kTimeOrNowQualifier},
        {"ya no *3 llamadas|mensajes|llamen|llamar|escriban", OptOutKind::kPhrase, Lang::kEs, false,
         kNoQualifier},
        {"basta de llamadas|llamar|mensajes|llamarme", OptOutKind::kPhrase, Lang::kEs, true,
         kNoQualifier},
        {"de baja", OptOutKind::kPhrase, Lang::kEs, true, kNoQualifier},
        {"cancelar|cancelen|cancele mi? suscripcion", OptOutKind::kPhrase, Lang::kEs, true,
         kNoQualifier},
        {"no mas llamadas|mensajes|textos|correos", OptOutKind::kPhrase, Lang::kEs, true,
         kNoQualifier},
        // Spanish, weak.
        {"no me|nos interesa|interesan", OptOutKind::kWeak, Lang::kEs, false, kNoQualifier},
        {"no estoy|estamos interesado|interesada|interesados", OptOutKind::kWeak, Lang::kEs, false,
         kNoQualifier},
        {"dejenme|dejame|dejeme|dejennos en paz", OptOutKind::kWeak, Lang::kEs, true, kNoQualifier},
        {"numero equivocado", OptOutKind::kWeak, Lang::kEs, true, kNoQualifier},
        {"como|donde consiguio|consiguieron|obtuvo|obtuvieron|sacaron|saco mi numero",
         OptOutKind::kWeak, Lang::kEs, false, kNoQualifier},
        {"denunciar|demandar|abogado|acoso", OptOutKind::kWeak, Lang::kEs, true, kNoQualifier},
    };
    for (auto& p : v) p.compiled = Compile(p.spec);
    return v;
  }();
  return phrases;
}

const std::set<std::string>& EnglishNegators() {
  static const std::set<std::string> s = {"dont",     "didnt",   "never", "not",   "doesnt",
                                          "shouldnt", "wouldnt", "isnt",  "wasnt", "arent"};
  return s;
}
const std::set<std::string>& ReportVerbs() {
  static const std::set<std::string> s = {
      "say", "said", "saying", "ask", "asked", "asking", "tell", "told", "telling", "mean", "meant",
      "want", "wanted", "need", "needed", "wish", "request", "requested",
      // Spanish
      "dije", "digo", "pedi", "pido", "estoy", "quiero", "quise", "dijimos", "pedimos"};
  return s;
}

// Words skipped when looking for a negator right before a match ("don't ever stop").
bool IsSoftWord(const std::string& w) {
  return w == "ever" || w == "you" || w == "to" || w == "please" || w == "really" || w == "just" ||
         w == "u" || w == "ya" || w == "nunca";
}

bool Negated(const Tokens& t, size_t start, Lang lang) {
  // Directly before, skipping soft words.
  size_t k = start;
  while (k > 0 && IsSoftWord(t[k - 1])) --k;
  if (k > 0) {
    const std::string& w = t[k - 1];
    // "never" is left out: "you never stop calling" is a complaint, not a negation.
    bool neg = (w != "never" && EnglishNegators().contains(w)) || (lang == Lang::kEs && w == "no");
    if (neg) {
      // "if you don't stop calling me ..." is a threat, not a negation.
      size_t j = k - 1;
      while (j > 0 && (t[j - 1] == "you" || t[j - 1] == "u")) --j;
      bool conditional = j > 0 && (t[j - 1] == "if" || t[j - 1] == "unless" || t[j - 1] == "why");
      if (!conditional) return true;
    }
  }
  // A negated request or report before it: "I didn't say stop calling", "no dije que...".
  size_t from = start > 6 ? start - 6 : 0;
  for (size_t i = from; i + 1 < start; ++i) {
    bool neg = EnglishNegators().contains(t[i]) || t[i] == "no";
    if (!neg) continue;
    size_t v = i + 1;
    while (v < start && (t[v] == "really" || t[v] == "even" || t[v] == "ever")) ++v;
    if (v < start && ReportVerbs().contains(t[v])) return true;
  }
  return false;
}

bool StartsWithAny(const Tokens& t, size_t pos, const std::vector<Tokens>& options) {
  for (const auto& o : options) {
    if (pos + o.size() > t.size()) continue;
    if (std::equal(o.begin(), o.end(), t.begin() + static_cast<long>(pos))) return true;
  }
  return false;
}

bool Qualified(const Tokens& t, size_t end, int qualify) {
  if (qualify == kNoQualifier) return false;
  static const std::vector<Tokens> kTime = {{"before"},
                                            {"after"},
                                            {"until"},
                                            {"till"},
                                            {"til"},
                                            {"tomorrow"},
                                            {"today"},
                                            {"tonight"},
                                            {"during"},
                                            {"between"},
                                            {"mornings"},
                                            {"evenings"},
                                            {"weekends"},
                                            {"later"},
                                            {"so", "late"},
                                            {"so", "early"},
                                            {"this", "late"},
                                            {"this", "early"},
                                            {"at", "work"},
                                            {"at", "night"},
                                            {"at", "dinner"},
                                            {"at", "the", "office"},
                                            {"at", "my", "office"},
                                            {"this", "week"},
                                            {"this", "morning"},
                                            {"this", "afternoon"},
                                            {"this", "evening"},
                                            {"on", "weekends"},
                                            {"on", "sundays"},
                                            {"on", "sunday"},
                                            {"on", "saturdays"},
                                            {"in", "the", "morning"},
                                            {"in", "the", "evening"},
                                            {"at", "this", "time"},
                                            {"while"},
                                            {"for", "now"},
                                            {"on", "my", "cell"},
                                            {"on", "my", "work"},
                                            {"at", "this", "hour"},
                                            {"in", "an", "hour"},
                                            {"next", "week"},
                                            {"antes"},
                                            {"despues"},
                                            {"hasta"},
                                            {"manana"},
                                            {"hoy"},
                                            {"en", "la", "manana"},
                                            {"en", "la", "noche"},
                                            {"en", "la", "tarde"},
                                            {"en", "el", "trabajo"},
                                            {"al", "trabajo"},
                                            {"tan", "tarde"},
                                            {"tan", "temprano"},
                                            {"por", "la", "noche"},
                                            {"por", "la", "manana"},
                                            {"esta", "semana"},
                                            {"el", "fin"},
                                            {"los", "fines"},
                                            {"durante"},
                                            {"mientras"},
                                            {"a", "esta", "hora"},
                                            {"a", "estas", "horas"},
                                            {"mas", "tarde"}};
  static const std::vector<Tokens> kNow = {{"now"}, {"right", "now"}, {"ahora"}, {"ahorita"}};
  if (StartsWithAny(t, end, kTime)) return true;
  return qualify == kTimeOrNowQualifier && StartsWithAny(t, end, kNow);
}

std::string Join(const Tokens& t, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to && i < t.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += t[i];
  }
  return out;
}

// "do not call list" and friends: a request to be put on it is confident, a question about
// it is not. Replaces the mention by one token so that "do not call" does not match again.
void MarkListMentions(Tokens& t, OptOutVerdict& best) {
  static const std::vector<Tokens> kMentions = {
      {"do", "not", "call", "list"},
      {"dont", "call", "list"},
      {"do", "not", "call", "registry"},
      {"dnc", "list"},
      {"no", "call", "list"},
      {"do", "not", "contact", "list"},
      {"do", "not", "call"},  // "put me on do not call" (list implied) when a request precedes
  };
  for (size_t i = 0; i < t.size(); ++i) {
    for (const auto& m : kMentions) {
      if (i + m.size() > t.size() ||
          !std::equal(m.begin(), m.end(), t.begin() + static_cast<long>(i)))
        continue;
      bool implied = m.back() == "call";
      bool request = false;
      for (size_t k = i > 6 ? i - 6 : 0; k < i; ++k) {
        const std::string& w = t[k];
        request = request || w == "put" || w == "add" || w == "place" || w == "register" ||
                  w == "registered" || w == "sign" || w == "signed" || w == "listed" ||
                  ((w == "im" || w == "am" || w == "are" || w == "were") && k + 1 < t.size() &&
                   t[k + 1] == "on");
      }
      if (implied && !request) continue;  // plain "do not call me": the phrases decide
      OptOutVerdict v;
      v.kind = request ? OptOutKind::kPhrase : OptOutKind::kWeak;
      v.confidence = request ? 0.9 : 0.5;
      v.matched = Join(t, i > 3 ? i - 3 : 0, i + m.size());
      if (v.confidence > best.confidence) best = v;
      t.erase(t.begin() + static_cast<long>(i), t.begin() + static_cast<long>(i + m.size()));
      t.insert(t.begin() + static_cast<long>(i), "<dnc-list>");
      break;
    }
  }
}

// A clause that is only a STOP word and politeness ("Stop please!", "ok STOP now").
bool BareStopClause(const Tokens& t) {
  static const std::set<std::string> kFiller = {
      "please",    "pls",     "plz",  "now",  "thanks",      "thank", "you",     "thx",   "ok",
      "okay",      "already", "it",   "this", "immediately", "asap",  "right",   "away",  "just",
      "seriously", "sir",     "maam", "man",  "dude",        "omg",   "oh",      "hey",   "hi",
      "hello",     "yes",     "yeah", "no",   "nope",        "again", "por",     "favor", "ya",
      "gracias",   "all",     "u",    "txt",  "sms",         "msg",   "messages"};
  static const std::set<std::string> kCore = {"stop",   "stopall", "unsubscribe", "optout",
                                              "revoke", "alto",    "basta"};
  int core = 0;
  for (const auto& w : t) {
    if (kCore.contains(w)) {
      ++core;
    } else if (!kFiller.contains(w)) {
      return false;
    }
  }
  return core > 0;
}

}  // namespace

const char* OptOutKindName(OptOutKind k) {
  switch (k) {
    case OptOutKind::kNone:
      return "none";
    case OptOutKind::kKeyword:
      return "keyword";
    case OptOutKind::kPhrase:
      return "phrase";
    case OptOutKind::kWeak:
      return "weak";
  }
  return "none";
}

std::optional<std::string> MatchStopKeyword(std::string_view message) {
  std::string folded;
  AppendFolded(folded, message);
  std::string letters;
  for (char c : folded) {
    if (IsWordChar(c)) letters += c;
    if (letters.size() > 20) return std::nullopt;
  }
  static const std::array<const char*, 8> kKeywords = {"stop", "stopall", "unsubscribe", "cancel",
                                                       "end",  "quit",    "revoke",      "optout"};
  for (const char* k : kKeywords) {
    if (letters == k) return letters;
  }
  return std::nullopt;
}

OptOutVerdict DetectOptOut(std::string_view text) {
  OptOutVerdict best;
  if (auto k = MatchStopKeyword(text)) {
    best.kind = OptOutKind::kKeyword;
    best.matched = *k;
    best.confidence = 1.0;
    return best;
  }
  for (Tokens clause : Clauses(text)) {
    if (BareStopClause(clause)) {
      best.kind = OptOutKind::kPhrase;
      best.matched = Join(clause, 0, clause.size());
      best.confidence = 0.9;
      return best;
    }
    MarkListMentions(clause, best);
    for (const Phrase& p : Phrases()) {
      for (size_t s = 0; s < clause.size(); ++s) {
        size_t end = 0;
        if (!MatchFrom(clause, s, p.compiled, 0, &end)) continue;
        if (p.negatable && Negated(clause, s, p.lang)) continue;
        // "don't call it a deal": a verb of contacting aimed at something else.
        std::string_view spec(p.spec);
        if ((spec.starts_with("dont ") || spec.starts_with("do|please ")) && end < clause.size()) {
          static const std::set<std::string> kOther = {"it",   "that", "him", "her",
                                                       "them", "a",    "the", "his"};
          if (kOther.contains(clause[end])) continue;
        }
        OptOutVerdict v;
        v.kind = p.kind;
        v.confidence = p.kind == OptOutKind::kPhrase ? 0.9 : 0.5;
        // A bare "stop" inside a longer sentence ("stop by later") is the weakest signal, and
        // "stop by/at/in/over" is not one at all.
        if (p.kind == OptOutKind::kWeak && std::string_view(p.spec) == "stop") {
          static const std::set<std::string> kNotOptOut = {"by",  "at",  "in",   "over", "for",
                                                           "and", "off", "sign", "light"};
          if (s + 1 < clause.size() && kNotOptOut.contains(clause[s + 1])) continue;
          if (s > 0 &&
              (clause[s - 1] == "bus" || clause[s - 1] == "last" || clause[s - 1] == "next" ||
               clause[s - 1] == "a" || clause[s - 1] == "the" || clause[s - 1] == "one" ||
               clause[s - 1] == "pit" || clause[s - 1] == "cant" || clause[s - 1] == "couldnt"))
            continue;
          v.confidence = 0.4;
        }
        if (p.kind == OptOutKind::kPhrase && Qualified(clause, end, p.qualify)) {
          v.kind = OptOutKind::kWeak;
          v.confidence = 0.5;
        }
        v.matched = Join(clause, s, end);
        if (v.confidence > best.confidence) best = v;
        if (best.confidence >= 0.9) return best;
      }
    }
  }
  return best;
}

}  // namespace leadline::dnc
