// Opt-out detection: every STOP keyword, near misses, negation, and precision/recall of the
// phrase detector on the labelled set in tests/data/optout_phrases.tsv.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "dnc/optout.h"

namespace leadline::dnc {
namespace {

std::string SourceDir() {
  const char* d = std::getenv("LEADLINE_SOURCE_DIR");
  return d ? d : LEADLINE_SOURCE_DIR;
}

TEST(StopKeywords, EveryKeywordInAnyCaseAndPunctuation) {
  for (const char* k :
       {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}) {
    std::string word = k;
    std::string lower;
    for (char c : word) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const std::string& variant :
         {word, lower, word + ".", " " + word + "! ", "\"" + lower + "\"", word + "\n"}) {
      auto m = MatchStopKeyword(variant);
      ASSERT_TRUE(m.has_value()) << variant;
      EXPECT_EQ(*m, lower);
      EXPECT_EQ(DetectOptOut(variant).kind, OptOutKind::kKeyword) << variant;
      EXPECT_DOUBLE_EQ(DetectOptOut(variant).confidence, 1.0);
    }
  }
  EXPECT_EQ(MatchStopKeyword("Stop All").value_or(""), "stopall");
  EXPECT_EQ(MatchStopKeyword("opt-out").value_or(""), "optout");
  EXPECT_EQ(MatchStopKeyword("Opt Out!").value_or(""), "optout");
  EXPECT_EQ(MatchStopKeyword("S.T.O.P").value_or(""), "stop");
}

TEST(StopKeywords, NearMissesDoNotTrigger) {
  for (const char* text :
       {"stopping by later", "I'll stop by later", "Stop by at 5", "stopped", "unstoppable",
        "the end of the street", "weekend", "cancel my 3pm", "quitting time", "STOP 2", "stops",
        "endless", "revoked?no", "Stopall the way", ""}) {
    EXPECT_FALSE(MatchStopKeyword(text).has_value()) << text;
  }
  for (const char* text : {"stopping by later", "I'll stop by later", "Stop by at 5",
                           "We're at the end of the street", "I want to cancel my appointment"}) {
    EXPECT_EQ(DetectOptOut(text).kind, OptOutKind::kNone) << text;
  }
}

TEST(OptOutPhrases, NegationIsHandled) {
  EXPECT_TRUE(DetectOptOut("please stop calling me").confident());
  EXPECT_EQ(DetectOptOut("please don't stop calling me").kind, OptOutKind::kNone);
  EXPECT_EQ(DetectOptOut("I didn't say stop calling").kind, OptOutKind::kNone);
  EXPECT_EQ(DetectOptOut("I don't want you to stop calling me").kind, OptOutKind::kNone);
  EXPECT_TRUE(DetectOptOut("if you don't stop calling me I will sue").confident());
  EXPECT_EQ(DetectOptOut("No dejen de llamarme").kind, OptOutKind::kNone);
  EXPECT_TRUE(DetectOptOut("Dejen de llamarme").confident());
}

TEST(OptOutPhrases, AccentsCaseAndCurlyApostrophes) {
  EXPECT_TRUE(DetectOptOut("QUÍTENME DE SU LISTA").confident());
  EXPECT_TRUE(DetectOptOut("Don\xE2\x80\x99t text me again").confident());
  EXPECT_TRUE(DetectOptOut("no me vuelvan a llamar").confident());
}

TEST(OptOutPhrases, SchedulingIsOnlyWeak) {
  auto v = DetectOptOut("Don't call me before 5pm");
  EXPECT_EQ(v.kind, OptOutKind::kWeak);
  EXPECT_FALSE(v.confident());
  EXPECT_TRUE(DetectOptOut("Stop calling me at all").confident());
}

// The detector's quality on the labelled set. Positive class: "optout" (must be listed at
// once). A confident verdict on a "review" or "none" line is a false positive.
TEST(OptOutPhrases, PrecisionAndRecallOnLabelledSet) {
  std::ifstream in(SourceDir() + "/tests/data/optout_phrases.tsv");
  ASSERT_TRUE(in) << "tests/data/optout_phrases.tsv not found";
  struct Row {
    std::string label, text;
  };
  std::vector<Row> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    rows.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  ASSERT_GE(rows.size(), 200u);
  int tp = 0, fp = 0, fn = 0;
  int weak_tp = 0, weak_total = 0, none_flagged = 0, none_total = 0;
  for (const auto& r : rows) {
    ASSERT_TRUE(r.label == "optout" || r.label == "review" || r.label == "none") << r.label;
    OptOutVerdict v = DetectOptOut(r.text);
    bool predicted = v.confident();
    if (r.label == "optout") {
      predicted ? ++tp : ++fn;
      if (!predicted) std::printf("  missed opt-out: %s\n", r.text.c_str());
    } else if (predicted) {
      ++fp;
      std::printf("  false opt-out (%s): %s [%s]\n", r.label.c_str(), r.text.c_str(),
                  v.matched.c_str());
    }
    if (r.label == "review") {
      ++weak_total;
      weak_tp += v.kind != OptOutKind::kNone;
    }
    if (r.label == "none") {
      ++none_total;
      if (v.kind != OptOutKind::kNone) {
        ++none_flagged;
        std::printf("  negative flagged %s: %s [%s]\n", OptOutKindName(v.kind), r.text.c_str(),
                    v.matched.c_str());
      }
    }
  }
  double precision = tp + fp ? static_cast<double>(tp) / (tp + fp) : 0;
  double recall = tp + fn ? static_cast<double>(tp) / (tp + fn) : 0;
  std::printf(
      "opt-out detector on %zu phrases: confident precision %.3f recall %.3f "
      "(tp %d fp %d fn %d); review lines caught %d/%d; negatives flagged %d/%d\n",
      rows.size(), precision, recall, tp, fp, fn, weak_tp, weak_total, none_flagged, none_total);
  EXPECT_GE(precision, 0.95);
  EXPECT_GE(recall, 0.90);
}

}  // namespace
}  // namespace leadline::dnc
