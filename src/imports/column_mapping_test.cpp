// Tests for header-based column mapping and the client's explicit mapping on top of it.
#include "imports/column_mapping.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace leadline::imports {
namespace {

std::vector<std::string> FieldsOf(const std::vector<ColumnTarget>& targets) {
  std::vector<std::string> out;
  for (const ColumnTarget& t : targets) out.push_back(t.field);
  return out;
}

std::string Guess(const std::string& header) {
  return ProposeMapping({header}, /*unknown_to_metadata=*/false)[0].field;
}

TEST(ColumnMapping, RecognisesCommonSpellings) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"First Name", "first_name"},
      {"firstname", "first_name"},
      {"FirstName", "first_name"},
      {"first", "first_name"},
      {"Given Name", "first_name"},
      {"Forename", "first_name"},
      {"Last Name", "last_name"},
      {"LASTNAME", "last_name"},
      {"Surname", "last_name"},
      {"Family Name", "last_name"},
      {"Name", "full_name"},
      {"Full Name", "full_name"},
      {"Contact Name", "full_name"},
      {"Contact", "full_name"},
      {"Email", "email"},
      {"E-mail", "email"},
      {"Email Address", "email"},
      {"mail", "email"},
      {"Phone", "phone"},
      {"Phone Number", "phone"},
      {"Telephone", "phone"},
      {"Tel.", "phone"},
      {"Mobile", "phone"},
      {"Mobile Phone", "phone"},
      {"Cell", "phone"},
      {"Cell Phone", "phone"},
      {"Primary Phone", "phone"},
      {"Work Phone", "phone"},
      {"Status", "status"},
      {"Lead Status", "status"},
      {"Stage", "status"},
      {"Source", "source"},
      {"Lead Source", "source"},
      {"utm_source", "source"},
      {"Channel", "source"},
      {"Tags", "tags"},
      {"Tag", "tags"},
      {"Labels", "tags"},
      {"Score", "lead_score"},
      {"Lead Score", "lead_score"},
      {"Rating", "lead_score"},
      {"Timezone", "timezone"},
      {"Time Zone", "timezone"},
      {"TZ", "timezone"},
      {"Owner", "assigned_to"},
      {"Assigned To", "assigned_to"},
      {"Agent", "assigned_to"},
      {"Owner Email", "assigned_to"},
      {"Company", "company"},
      {"Company Name", "company"},
      {"Organization", "company"},
      {"Organisation", "company"},
      {"Account", "company"},
      {"Account Name", "company"},
      {"Title", "title"},
      {"Job Title", "title"},
      {"Position", "title"},
      {"Role", "title"},
      {"ID", "external_id"},
      {"External ID", "external_id"},
      {"Record ID", "external_id"},
      {"HubSpot ID", "external_id"},
      {"Salesforce Id", "external_id"},
      {"Contact ID", "external_id"},
      {"  email  ", "email"},
      {"Notes", ""},
  };
  for (const auto& [header, field] : cases) EXPECT_EQ(Guess(header), field) << header;
}

TEST(ColumnMapping, CanonicalNamesMapToThemselves) {
  std::vector<std::string> headers(std::begin(kImportFields), std::end(kImportFields));
  headers.push_back("metadata.hubspot_id");
  headers.push_back("metadata.Lifecycle Stage");
  auto targets = ProposeMapping(headers, /*unknown_to_metadata=*/false);
  ASSERT_EQ(targets.size(), headers.size());
  for (size_t i = 0; i < headers.size(); ++i) {
    EXPECT_EQ(targets[i].field, headers[i]);
    EXPECT_EQ(targets[i].header, headers[i]);
    EXPECT_TRUE(targets[i].guessed);
  }
}

TEST(ColumnMapping, UnknownHeadersGoToMetadataOrNowhere) {
  std::vector<std::string> headers = {"Email", "Favourite Colour", "", "  Notes "};
  EXPECT_EQ(FieldsOf(ProposeMapping(headers, true)),
            (std::vector<std::string>{"email", "metadata.Favourite Colour", "", "metadata.Notes"}));
  EXPECT_EQ(FieldsOf(ProposeMapping(headers, false)),
            (std::vector<std::string>{"email", "", "", ""}));
}

TEST(ColumnMapping, AFieldIsGuessedForTheFirstColumnOnly) {
  std::vector<std::string> headers = {"Phone", "Mobile", "Email",      "E-mail",
                                      "Notes", "Notes",  "metadata.x", "metadata.x"};
  EXPECT_EQ(FieldsOf(ProposeMapping(headers, true)),
            (std::vector<std::string>{"phone", "metadata.Mobile", "email", "metadata.E-mail",
                                      "metadata.Notes", "metadata.Notes_2", "metadata.x",
                                      "metadata.x_2"}));
  EXPECT_EQ(FieldsOf(ProposeMapping(headers, false)),
            (std::vector<std::string>{"phone", "", "email", "", "", "", "metadata.x", ""}));
}

TEST(ColumnMapping, LongHeadersAreCutToAValidMetadataKey) {
  std::string header;
  for (int i = 0; i < 150; ++i) header += "é";
  auto targets = ProposeMapping({header, header}, true);
  EXPECT_TRUE(IsValidTarget(targets[0].field)) << targets[0].field;
  EXPECT_TRUE(IsValidTarget(targets[1].field)) << targets[1].field;
  EXPECT_NE(targets[0].field, targets[1].field);
  EXPECT_EQ(targets[0].field.size(), std::string("metadata.").size() + 200);
}

TEST(ColumnMapping, IsValidTarget) {
  for (std::string_view f : kImportFields) EXPECT_TRUE(IsValidTarget(f)) << f;
  EXPECT_TRUE(IsValidTarget("metadata.a"));
  EXPECT_TRUE(IsValidTarget("metadata." + std::string(100, 'k')));
  EXPECT_FALSE(IsValidTarget("metadata." + std::string(101, 'k')));
  EXPECT_FALSE(IsValidTarget("metadata."));
  EXPECT_FALSE(IsValidTarget(""));
  EXPECT_FALSE(IsValidTarget("Email"));
  EXPECT_FALSE(IsValidTarget("phone_number"));
}

TEST(ColumnMapping, ExplicitMappingOverridesAndIgnores) {
  auto proposal = ProposeMapping({"Email", "Cell", "Notes", "Surname"}, true);
  auto result = ApplyExplicitMapping(
      proposal, R"({"Cell": "metadata.cell", "Notes": null, "Surname": "", "email": "email"})");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(FieldsOf(*result), (std::vector<std::string>{"email", "metadata.cell", "", ""}));
  EXPECT_FALSE((*result)[0].guessed);  // matched ignoring case
  EXPECT_FALSE((*result)[1].guessed);
  EXPECT_FALSE((*result)[2].guessed);
  EXPECT_EQ((*result)[1].header, "Cell");
}

TEST(ColumnMapping, ExplicitFieldTakesItFromAGuessedColumn) {
  auto proposal = ProposeMapping({"Email", "Work Email"}, true);
  auto result = ApplyExplicitMapping(proposal, R"({"Work Email": "email"})");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(FieldsOf(*result), (std::vector<std::string>{"", "email"}));
  EXPECT_TRUE((*result)[0].guessed);
}

TEST(ColumnMapping, ExplicitMappingErrorsPerEntry) {
  auto proposal = ProposeMapping({"Email", "Phone", "Mobile"}, true);
  auto result = ApplyExplicitMapping(
      proposal,
      R"({"Nope": "email", "Email": "emial", "Phone": 5, "Mobile": "phone", "Email ": "x"})");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kValidationFailed);
  std::vector<std::pair<std::string, std::string>> errors;
  for (const FieldError& e : result.status().field_errors())
    errors.emplace_back(e.field, e.message);
  ASSERT_EQ(errors.size(), 4u) << result.status().ToString();
  EXPECT_EQ(errors[0].first, "mapping.Nope");
  EXPECT_EQ(errors[1],
            (std::pair<std::string, std::string>{"mapping.Email", "unknown field \"emial\""}));
  EXPECT_EQ(errors[2].first, "mapping.Phone");
  EXPECT_EQ(errors[3].first, "mapping.Email ");
}

TEST(ColumnMapping, FieldFromTwoExplicitColumnsIsAnError) {
  auto proposal = ProposeMapping({"Phone", "Mobile", "Other"}, true);
  auto result =
      ApplyExplicitMapping(proposal, R"({"Phone": "phone", "Mobile": "phone", "Other": "phone"})");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kValidationFailed);
  ASSERT_EQ(result.status().field_errors().size(), 2u);
  EXPECT_EQ(result.status().field_errors()[0].field, "mapping.Mobile");
  EXPECT_EQ(result.status().field_errors()[0].message,
            "\"phone\" is also mapped from column \"Phone\"");
  EXPECT_EQ(result.status().field_errors()[1].field, "mapping.Other");
}

TEST(ColumnMapping, MalformedMappingIsInvalidArgument) {
  auto proposal = ProposeMapping({"Email"}, true);
  EXPECT_EQ(ApplyExplicitMapping(proposal, "{").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ApplyExplicitMapping(proposal, R"(["email"])").status().code(),
            StatusCode::kInvalidArgument);
  auto empty = ApplyExplicitMapping(proposal, "{}");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(FieldsOf(*empty), (std::vector<std::string>{"email"}));
}

}  // namespace
}  // namespace leadline::imports
