// External CRM connectors: the HubSpot and Salesforce clients against local fakes that answer
// in those APIs' shapes (paging, rate limits, errors), the CSV they produce, the secret key
// and credential sealing, and the /api/connectors API end to end (create, read, change,
// delete, tenant isolation, syncs that run as import jobs, incremental re-syncs).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "api/api.h"
#include "connectors/connector_fetcher.h"
#include "connectors/connectors_module.h"
#include "connectors/crm_source.h"
#include "connectors/csv_writer.h"
#include "connectors/field_mapping.h"
#include "connectors/secret_key.h"
#include "connectors/timestamps.h"
#include "core/crypto.h"
#include "http/server.h"
#include "imports/import_handlers.h"
#include "support/fake_crm.h"
#include "support/http_client.h"
#include "support/test_db.h"

namespace leadline {
namespace {

using namespace std::chrono_literals;
using connectors::CrmRecord;
using connectors::Kind;
using connectors::RecordLayout;
using connectors::RetryPolicy;
using connectors::SourceQuery;
using testing::FakeContact;
using testing::FakeHubSpot;
using testing::FakeLead;
using testing::FakeSalesforce;
using testing::HttpClient;
using testing::HttpResult;

constexpr char kHubSpotToken[] = "pat-na1-11111111-2222-3333-4444-555555555555";
constexpr char kSalesforceToken[] = "00D5e000000TEST!AQEAQFakeSessionToken";
constexpr char kKeyHex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

// A day ago, in milliseconds: records that an incremental sync started now must not see.
int64_t DayAgoMs() { return connectors::ToUnixMillis(std::chrono::system_clock::now() - 24h); }
int64_t NowMs() { return connectors::ToUnixMillis(std::chrono::system_clock::now()); }

std::string TempDir(const std::string& name) {
  std::string dir =
      (std::filesystem::temp_directory_path() /
       (name + "-" + std::to_string(::getpid()) + "-" + crypto::ToHex(crypto::RandomBytes(4))))
          .string();
  std::filesystem::create_directories(dir);
  return dir;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

FakeContact Contact(const std::string& id, const std::string& first, const std::string& last,
                    const std::string& email, const std::string& phone, int64_t updated_ms) {
  FakeContact c;
  c.id = id;
  c.properties = {{"firstname", first}, {"lastname", last}, {"email", email}, {"phone", phone}};
  c.created_ms = updated_ms - 1000;
  c.updated_ms = updated_ms;
  return c;
}

// Sleeps are recorded, not slept: retry tests run in milliseconds.
struct RecordedSleeps {
  std::vector<std::chrono::milliseconds> waits;
  RetryPolicy Policy() {
    RetryPolicy p;
    p.sleep = [this](std::chrono::milliseconds d) { waits.push_back(d); };
    return p;
  }
};

SourceQuery HubSpotQuery(const FakeHubSpot& fake, const std::string& token = kHubSpotToken) {
  SourceQuery q;
  q.base_url = fake.base_url();
  q.token = token;
  q.properties =
      RecordLayout(Kind::kHubSpot, connectors::DefaultMapping(Kind::kHubSpot)).Properties();
  return q;
}

std::vector<CrmRecord> FetchAll(Kind kind, const SourceQuery& q, const RetryPolicy& retry,
                                Status* status) {
  std::vector<CrmRecord> out;
  *status = connectors::FetchRecords(kind, q, retry, [&](std::vector<CrmRecord>& page) {
    for (auto& r : page) out.push_back(std::move(r));
    return Status::Ok();
  });
  return out;
}

// --- the CRM clients -----------------------------------------------------------------------

TEST(ConnectorFetch, HubSpotFullSyncFollowsPagingAcrossThreePages) {
  FakeHubSpot hubspot;
  hubspot.SetMaxPageSize(2);
  for (int i = 1; i <= 5; ++i) {
    hubspot.Upsert(Contact(std::to_string(100 + i), "First" + std::to_string(i), "Last",
                           "p" + std::to_string(i) + "@example.com", "", DayAgoMs()));
  }
  Status st;
  RecordedSleeps sleeps;
  auto records = FetchAll(Kind::kHubSpot, HubSpotQuery(hubspot), sleeps.Policy(), &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[0].id, "101");
  EXPECT_EQ(*records[4].Find("firstname"), "First5");
  auto requests = hubspot.Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].path, "/crm/v3/objects/contacts");
  EXPECT_EQ(requests[0].Query("after"), "");
  EXPECT_EQ(requests[1].Query("after"), "103");
  EXPECT_EQ(requests[2].Query("after"), "105");
  EXPECT_EQ(requests[0].Query("limit"), "100");
  EXPECT_NE(requests[0].Query("properties").find("mobilephone"), std::string::npos);
  EXPECT_NE(requests[0].Query("properties").find("lastmodifieddate"), std::string::npos);
  EXPECT_EQ(requests[0].authorization, std::string("Bearer ") + kHubSpotToken);
  EXPECT_TRUE(sleeps.waits.empty());
}

TEST(ConnectorFetch, HubSpotRateLimitWaitsForRetryAfter) {
  FakeHubSpot hubspot;
  hubspot.Upsert(Contact("1", "Ada", "Lovelace", "ada@example.com", "", DayAgoMs()));
  hubspot.RateLimitNext(1, /*retry_after_seconds=*/1);
  Status st;
  auto start = std::chrono::steady_clock::now();
  auto records = FetchAll(Kind::kHubSpot, HubSpotQuery(hubspot), RetryPolicy{}, &st);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(records.size(), 1u);
  EXPECT_GE(elapsed, 1s) << "Retry-After: 1 is honoured";
  EXPECT_LT(elapsed, 10s);
  EXPECT_EQ(hubspot.Requests().size(), 2u);
}

TEST(ConnectorFetch, RetryAfterIsCappedAndRetriesRunOut) {
  FakeHubSpot hubspot;
  hubspot.Upsert(Contact("1", "Ada", "Lovelace", "ada@example.com", "", DayAgoMs()));
  hubspot.RateLimitNext(1, 3600);
  RecordedSleeps sleeps;
  Status st;
  FetchAll(Kind::kHubSpot, HubSpotQuery(hubspot), sleeps.Policy(), &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(sleeps.waits.size(), 1u);
  EXPECT_EQ(sleeps.waits[0], 60s) << "an hour-long Retry-After is capped";

  hubspot.RateLimitNext(100, 1);
  sleeps.waits.clear();
  RetryPolicy policy = sleeps.Policy();
  policy.max_attempts = 4;
  FetchAll(Kind::kHubSpot, HubSpotQuery(hubspot), policy, &st);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_NE(st.message().find("429"), std::string::npos) << st.message();
  EXPECT_EQ(sleeps.waits.size(), 3u) << "4 attempts, 3 waits";
}

TEST(ConnectorFetch, ServerErrorsAreRetriedWithBackoff) {
  FakeHubSpot hubspot;
  hubspot.Upsert(Contact("1", "Ada", "Lovelace", "ada@example.com", "", DayAgoMs()));
  hubspot.FailNext(2, 500);
  RecordedSleeps sleeps;
  Status st;
  auto records = FetchAll(Kind::kHubSpot, HubSpotQuery(hubspot), sleeps.Policy(), &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(records.size(), 1u);
  ASSERT_EQ(sleeps.waits.size(), 2u);
  EXPECT_EQ(sleeps.waits[0], 1s);
  EXPECT_EQ(sleeps.waits[1], 2s) << "exponential backoff";
  EXPECT_EQ(hubspot.Requests().size(), 3u);

  hubspot.FailNext(100, 502);
  RetryPolicy policy = sleeps.Policy();
  policy.max_attempts = 3;
  FetchAll(Kind::kHubSpot, HubSpotQuery(hubspot), policy, &st);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "HubSpot kept answering 502 after 3 attempts; try again later");
}

TEST(ConnectorFetch, RejectedCredentialsFailWithoutEchoingTheToken) {
  FakeHubSpot hubspot;
  const std::string wrong = "pat-na1-wrong-token-aaaaaaaaaaaaaaaaaaaa";
  Status st;
  RecordedSleeps sleeps;
  FetchAll(Kind::kHubSpot, HubSpotQuery(hubspot, wrong), sleeps.Policy(), &st);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(st.message(), "credentials rejected by HubSpot (401)");
  EXPECT_EQ(st.message().find(wrong), std::string::npos);
  EXPECT_TRUE(sleeps.waits.empty()) << "a 401 is not retried";
  EXPECT_EQ(hubspot.Requests().size(), 1u);

  FakeSalesforce salesforce;
  SourceQuery q;
  q.base_url = salesforce.base_url();
  q.token = "00Dwrong!token";
  q.properties = {"FirstName"};
  FetchAll(Kind::kSalesforce, q, sleeps.Policy(), &st);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "credentials rejected by Salesforce (401)");
}

TEST(ConnectorFetch, MalformedJsonFailsClearly) {
  FakeHubSpot hubspot;
  hubspot.Upsert(Contact("1", "Ada", "Lovelace", "ada@example.com", "", DayAgoMs()));
  hubspot.MalformNext(1);
  Status st;
  RecordedSleeps sleeps;
  FetchAll(Kind::kHubSpot, HubSpotQuery(hubspot), sleeps.Policy(), &st);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message().rfind("HubSpot sent malformed JSON (page 1)", 0), 0u) << st.message();
}

TEST(ConnectorFetch, HubSpotIncrementalSearchesByLastModifiedDate) {
  FakeHubSpot hubspot;
  const int64_t old_ms = DayAgoMs();
  const int64_t since_ms = NowMs() - 60000;
  hubspot.Upsert(Contact("1", "Old", "One", "old@example.com", "", old_ms));
  hubspot.Upsert(Contact("2", "New", "Two", "new@example.com", "", since_ms + 5000));
  hubspot.Upsert(Contact("3", "Edge", "Three", "edge@example.com", "", since_ms));
  SourceQuery q = HubSpotQuery(hubspot);
  q.since = connectors::FromUnixMillis(since_ms);
  Status st;
  RecordedSleeps sleeps;
  auto records = FetchAll(Kind::kHubSpot, q, sleeps.Policy(), &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].id, "3") << "ascending lastmodifieddate";
  EXPECT_EQ(records[1].id, "2");
  auto requests = hubspot.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/crm/v3/objects/contacts/search");
  auto body = json::Parse(requests[0].body);
  ASSERT_TRUE(body.ok());
  const json::Value& filter = body->Find("filterGroups")->items()[0].Find("filters")->items()[0];
  EXPECT_EQ(filter.Find("propertyName")->as_string(), "lastmodifieddate");
  EXPECT_EQ(filter.Find("operator")->as_string(), "GTE");
  EXPECT_EQ(filter.Find("value")->as_string(), std::to_string(since_ms));
  EXPECT_EQ(body->Find("sorts")->items()[0].Find("direction")->as_string(), "ASCENDING");
}

TEST(ConnectorFetch, HubSpotSearchRestartsBeforeTheResultLimit) {
  FakeHubSpot hubspot;
  hubspot.SetMaxPageSize(2);
  hubspot.SetSearchLimit(4);  // HubSpot's is 10,000; the fake answers 400 past it
  const int64_t base = NowMs() - 100000;
  // 9 contacts; two share a modification time at the first window's edge.
  int64_t times[] = {base + 1, base + 2, base + 3, base + 4, base + 4,
                     base + 6, base + 7, base + 8, base + 9};
  for (int i = 0; i < 9; ++i) {
    hubspot.Upsert(Contact(std::to_string(i + 1), "C" + std::to_string(i + 1), "X",
                           "c" + std::to_string(i + 1) + "@example.com", "", times[i]));
  }
  SourceQuery q = HubSpotQuery(hubspot);
  q.since = connectors::FromUnixMillis(base);
  q.page_size = 2;
  q.search_window = 4;
  Status st;
  RecordedSleeps sleeps;
  auto records = FetchAll(Kind::kHubSpot, q, sleeps.Policy(), &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  std::vector<std::string> ids;
  for (const auto& r : records) ids.push_back(r.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7", "8", "9"}))
      << "each contact exactly once";
  // The second window starts at the latest time of the first.
  bool restarted = false;
  for (const auto& r : hubspot.Requests()) {
    restarted = restarted ||
                r.body.find("\"value\":\"" + std::to_string(base + 4) + "\"") != std::string::npos;
  }
  EXPECT_TRUE(restarted);
}

TEST(ConnectorFetch, SalesforceFollowsNextRecordsUrlAndFiltersBySoql) {
  FakeSalesforce salesforce;
  salesforce.SetBatchSize(2);
  const int64_t old_ms = DayAgoMs();
  for (int i = 1; i <= 5; ++i) {
    FakeLead l;
    l.id = "00Q5e00000Lead0" + std::to_string(i) + "AAA";
    l.fields = {{"FirstName", "Lead" + std::to_string(i)},
                {"LastName", "Smith"},
                {"Email", "lead" + std::to_string(i) + "@example.com"},
                {"Company", "Acme"},
                {"Owner.Name", "Olivia Owner"}};
    l.last_modified_ms = i == 5 ? NowMs() : old_ms;
    salesforce.Upsert(l);
  }
  SourceQuery q;
  q.base_url = salesforce.base_url() + "/";
  q.token = kSalesforceToken;
  // Lower-case names and a relationship path: the answer's case differs, nesting is flattened.
  q.properties = {"firstname", "LastName", "Email", "Owner.Name"};
  Status st;
  RecordedSleeps sleeps;
  auto records = FetchAll(Kind::kSalesforce, q, sleeps.Policy(), &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(*records[0].Find("FirstName"), "Lead1");
  EXPECT_EQ(*records[0].Find("owner.name"), "Olivia Owner");
  auto requests = salesforce.Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].path, "/services/data/v59.0/query");
  EXPECT_EQ(requests[0].Query("q"), "SELECT Id, firstname, LastName, Email, Owner.Name FROM Lead");
  EXPECT_EQ(requests[1].path.rfind("/services/data/v59.0/query/01gFAKE", 0), 0u);

  salesforce.ClearRequests();
  const int64_t since_ms = NowMs() - 60000;
  q.since = connectors::FromUnixMillis(since_ms);
  records = FetchAll(Kind::kSalesforce, q, sleeps.Policy(), &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(
      salesforce.Requests()[0].Query("q"),
      "SELECT Id, firstname, LastName, Email, Owner.Name FROM Lead WHERE LastModifiedDate > " +
          connectors::FormatRfc3339(connectors::FromUnixMillis(since_ms)));
}

TEST(ConnectorFetch, SalesforceErrorsAreReported) {
  FakeSalesforce salesforce;
  SourceQuery q;
  q.base_url = salesforce.base_url();
  q.token = kSalesforceToken;
  q.properties = {"NoSuchField__c"};
  Status st;
  RecordedSleeps sleeps;
  FetchAll(Kind::kSalesforce, q, sleeps.Policy(), &st);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message().rfind("Salesforce answered 400: INVALID_FIELD:", 0), 0u) << st.message();

  q.properties = {"FirstName"};
  salesforce.FailNext(1, 403);
  FetchAll(Kind::kSalesforce, q, sleeps.Policy(), &st);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message().rfind("Salesforce API request limit exceeded", 0), 0u) << st.message();

  salesforce.FailNext(1, 503);
  salesforce.RateLimitNext(1, 0);
  FetchAll(Kind::kSalesforce, q, sleeps.Policy(), &st);
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST(ConnectorFetch, CsvHasTargetHeadersAndQuotesValues) {
  FakeHubSpot hubspot;
  hubspot.SetMaxPageSize(1);
  FakeContact tricky =
      Contact("7", "Anne, \"Annie\"", "O'Neil\nJr", "anne@example.com", "", DayAgoMs());
  tricky.properties["mobilephone"] = "+12065550107";  // phone empty: mobile is the fallback
  tricky.properties["company"] = "Acme, Inc.";
  tricky.properties["hs_lead_status"] = "IN_PROGRESS";
  hubspot.Upsert(tricky);
  hubspot.Upsert(Contact("8", "Bob", "Jones", "bob@example.com", "+12065550108", DayAgoMs()));

  auto mapping = connectors::EffectiveMapping(Kind::kHubSpot, R"({"lifecyclestage": null})");
  ASSERT_TRUE(mapping.ok()) << mapping.status().ToString();
  RecordLayout layout(Kind::kHubSpot, *mapping);
  SourceQuery q = HubSpotQuery(hubspot);
  q.properties = layout.Properties();
  std::string dir = TempDir("connector-csv");
  std::string path = dir + "/out.csv";
  std::vector<int64_t> progress;
  RecordedSleeps sleeps;
  auto n = connectors::FetchToCsv(Kind::kHubSpot, q, sleeps.Policy(), layout, path,
                                  [&](int64_t records) {
                                    progress.push_back(records);
                                    return true;
                                  });
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(progress, (std::vector<int64_t>{1, 2}));
  std::string csv = ReadFile(path);
  std::string header = csv.substr(0, csv.find("\r\n"));
  EXPECT_EQ(header,
            "first_name,last_name,email,phone,company,title,metadata.hubspot_lead_status,"
            "metadata.hubspot_updated_at,source,external_id,metadata.hubspot_id");
  EXPECT_NE(csv.find("\"Anne, \"\"Annie\"\"\",\"O'Neil\nJr\",anne@example.com,+12065550107,"
                     "\"Acme, Inc.\",,IN_PROGRESS,"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find(",hubspot,7,7\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("Bob,Jones,bob@example.com,+12065550108,"), std::string::npos) << csv;

  // A cancelled job stops after the page in hand.
  auto cancelled = connectors::FetchToCsv(Kind::kHubSpot, q, sleeps.Policy(), layout, path,
                                          [](int64_t) { return false; });
  EXPECT_FALSE(cancelled.ok());
  EXPECT_EQ(hubspot.Requests().size(), 3u);
  std::filesystem::remove_all(dir);
}

TEST(ConnectorFetch, FieldMappingOverridesAreValidated) {
  auto parse = [](const char* text) { return *json::Parse(text); };
  EXPECT_TRUE(connectors::ValidateOverrides(
                  Kind::kHubSpot, parse(R"({"hs_lead_status":"metadata.status","jobtitle":null})"))
                  .ok());
  Status bad = connectors::ValidateOverrides(
      Kind::kHubSpot,
      parse(R"({"firstname":"nickname","bad name":"email","email":"external_id","x":5})"));
  ASSERT_FALSE(bad.ok());
  std::vector<std::string> fields;
  for (const auto& fe : bad.field_errors()) fields.push_back(fe.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"field_mapping.firstname", "field_mapping.bad name",
                                              "field_mapping.email", "field_mapping.x"}));
  EXPECT_TRUE(
      connectors::ValidateOverrides(Kind::kSalesforce, parse(R"({"Owner.Name":"metadata.owner"})"))
          .ok());
  EXPECT_FALSE(connectors::ValidateOverrides(Kind::kSalesforce,
                                             parse(R"({"Name) FROM User --":"first_name"})"))
                   .ok())
      << "field names cannot smuggle SOQL";

  auto m = connectors::EffectiveMapping(Kind::kHubSpot,
                                        R"({"hs_lead_status":"status","mobilephone":null,)"
                                        R"("favorite_color":"metadata.color"})");
  ASSERT_TRUE(m.ok());
  RecordLayout layout(Kind::kHubSpot, *m);
  auto props = layout.Properties();
  EXPECT_EQ(std::count(props.begin(), props.end(), "mobilephone"), 0);
  EXPECT_EQ(props.back(), "favorite_color");
  CrmRecord r;
  r.id = "42";
  r.values = {{"hs_lead_status", "new"}, {"favorite_color", "teal"}};
  auto row = layout.Row(r);
  const auto& h = layout.header();
  auto col = [&](const std::string& name) {
    return row[std::find(h.begin(), h.end(), name) - h.begin()];
  };
  EXPECT_EQ(col("status"), "new");
  EXPECT_EQ(col("metadata.color"), "teal");
  EXPECT_EQ(col("source"), "hubspot");
  EXPECT_EQ(col("external_id"), "42");
}

// --- secret key and sealing ----------------------------------------------------------------

TEST(ConnectorSecrets, KeyFileIsCreatedPrivateAndReused) {
  std::string dir = TempDir("connector-key");
  std::string path = dir + "/sub/secret.key";
  auto key = connectors::LoadOrCreateKeyFile(path);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->size(), 32u);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(st.st_size, 32);
  auto again = connectors::LoadOrCreateKeyFile(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *key);

  // A hex key file works too; a malformed one is refused.
  std::ofstream(dir + "/hex.key") << kKeyHex << "\n";
  auto hex = connectors::LoadOrCreateKeyFile(dir + "/hex.key");
  ASSERT_TRUE(hex.ok());
  EXPECT_EQ(crypto::ToHex(*hex), kKeyHex);
  std::ofstream(dir + "/bad.key") << "not a key";
  EXPECT_EQ(connectors::LoadOrCreateKeyFile(dir + "/bad.key").status().code(),
            StatusCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

TEST(ConnectorSecrets, EnvironmentKeyWinsAndIsValidated) {
  std::string dir = TempDir("connector-env");
  ::setenv("LEADLINE_SECRET_KEY", kKeyHex, 1);
  connectors::SecretKeyProvider from_env(dir + "/unused.key");
  auto key = from_env.Get();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(crypto::ToHex(key->bytes), kKeyHex);
  EXPECT_EQ(key->id, connectors::KeyFingerprint(key->bytes));
  EXPECT_FALSE(std::filesystem::exists(dir + "/unused.key"));

  ::setenv("LEADLINE_SECRET_KEY", "abc", 1);
  connectors::SecretKeyProvider bad(dir + "/unused.key");
  EXPECT_EQ(bad.Get().status().code(), StatusCode::kInvalidArgument);
  ::unsetenv("LEADLINE_SECRET_KEY");

  ::setenv("LEADLINE_SECRET_KEY_FILE", (dir + "/from-env.key").c_str(), 1);
  connectors::SecretKeyProvider from_file(dir + "/unused.key");
  ASSERT_TRUE(from_file.Get().ok());
  EXPECT_TRUE(std::filesystem::exists(dir + "/from-env.key"));
  ::unsetenv("LEADLINE_SECRET_KEY_FILE");
  std::filesystem::remove_all(dir);
}

TEST(ConnectorSecrets, SealedSecretsNeedTheKeyAndTheAssociatedData) {
  std::string key = crypto::RandomBytes(crypto::kSecretKeyBytes);
  auto sealed = crypto::SealSecret(key, "my token", "org-1");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->nonce.size(), 24u);
  EXPECT_EQ(sealed->ciphertext.find("my token"), std::string::npos);
  auto opened = crypto::OpenSecret(key, sealed->nonce, sealed->ciphertext, "org-1");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "my token");
  EXPECT_FALSE(crypto::OpenSecret(key, sealed->nonce, sealed->ciphertext, "org-2").ok());
  EXPECT_FALSE(
      crypto::OpenSecret(crypto::RandomBytes(32), sealed->nonce, sealed->ciphertext, "org-1").ok());
  std::string tampered = sealed->ciphertext;
  tampered[0] = static_cast<char>(tampered[0] ^ 1);
  EXPECT_FALSE(crypto::OpenSecret(key, sealed->nonce, tampered, "org-1").ok());
  EXPECT_FALSE(crypto::SealSecret("short", "x", "").ok());
}

// --- the API -------------------------------------------------------------------------------

// The server with the connectors wired in exactly as in production: the Api (auth, leads,
// imports and its worker) plus the connectors module over the same import service.
class ConnectorsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("LEADLINE_SECRET_KEY", kKeyHex, 1);
    db_ = testing::TestDatabase::Create();
    spool_ = TempDir("connectors-spool");
    api::ApiOptions options;
    options.imports_spool_dir = spool_;
    api_ = std::make_unique<api::Api>(db_->app_pool(), options);
    connectors::ModuleOptions mo;
    mo.secret_key_file = spool_ + "/unused-secret.key";
    mo.fetcher.retry.backoff_initial = 10ms;
    module_ = std::make_unique<connectors::ConnectorsModule>(db_->app_pool(), api_->imports(), mo);
    module_->RegisterRoutes(router_, api_->auth());
    http::ServerOptions so;
    so.host = "127.0.0.1";
    so.port = 0;
    so.threads = 2;
    so.spool_body = imports::IsUploadRequest;
    so.spool_dir = spool_;
    server_ = std::make_unique<http::Server>(so, [this](http::Request& r) {
      if (r.path == "/api/connectors" || r.path.starts_with("/api/connectors/")) {
        return router_.Dispatch(r);
      }
      return api_->Handle(r);
    });
    auto port = server_->Start();
    ASSERT_TRUE(port.ok());
    port_ = *port;
    api_->StartWorkers();

    org_ = db_->CreateOrganization("Acme", "boss@acme.test", "correct-horse-1");
    other_ = db_->CreateOrganization("Globex", "boss@globex.test", "correct-horse-1");
    admin_ = Client(org_.api_key);
  }

  void TearDown() override {
    server_->Stop(5);
    api_.reset();  // stops the import worker before the module goes
    module_.reset();
    std::filesystem::remove_all(spool_);
    ::unsetenv("LEADLINE_SECRET_KEY");
  }

  HttpClient Client(const std::string& token) {
    HttpClient c(port_);
    c.SetToken(token);
    return c;
  }

  HttpClient User(const std::string& email, const std::string& role) {
    auto r = admin_.Post(
        "/api/users",
        R"({"email":")" + email + R"(","password":"correct-horse-1","role":")" + role + R"("})");
    EXPECT_EQ(r.status, 201) << r.body;
    HttpClient anon(port_);
    auto login = anon.Post("/api/auth/login",
                           R"({"email":")" + email + R"(","password":"correct-horse-1"})");
    EXPECT_EQ(login.status, 200) << login.body;
    return Client(login.Json().Find("token")->as_string());
  }

  std::string CreateHubSpot(const FakeHubSpot& fake, const std::string& name = "HubSpot",
                            const std::string& token = kHubSpotToken) {
    auto r = admin_.Post("/api/connectors", R"({"kind":"hubspot","name":")" + name +
                                                R"(","base_url":")" + fake.base_url() +
                                                R"(","token":")" + token + R"("})");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.Json().Find("id")->as_string() : "";
  }

  // Starts a sync and waits for its job to end; returns the final job.
  json::Value Sync(const std::string& connector_id, const std::string& body = "{}") {
    auto r = admin_.Post("/api/connectors/" + connector_id + "/sync", body);
    EXPECT_EQ(r.status, 202) << r.body;
    if (r.status != 202) return json::Value();
    std::string job_id = r.Json().Find("id")->as_string();
    EXPECT_EQ(r.Header("location"), "/api/imports/" + job_id);
    EXPECT_EQ(r.Json().Find("connector_id")->as_string(), connector_id);
    EXPECT_EQ(r.Json().Find("status")->as_string(), "queued");
    return WaitForJob(job_id);
  }

  // Waits for the job to end; returns it.
  json::Value WaitForJob(const std::string& job_id) {
    auto deadline = std::chrono::steady_clock::now() + 60s;
    for (;;) {
      auto job = admin_.Get("/api/imports/" + job_id);
      EXPECT_EQ(job.status, 200) << job.body;
      std::string status = job.Json().Find("status")->as_string();
      if (status != "queued" && status != "running") return job.Json();
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "the sync did not finish: " << job.body;
        return job.Json();
      }
      std::this_thread::sleep_for(50ms);
    }
  }

  // Runs SQL as the database owner (past row-level security); returns the first value.
  std::string OwnerSql(const std::string& sql, db::Params params = {}) {
    auto conn = db_->owner_pool().Acquire();
    EXPECT_TRUE(conn.ok());
    if (!conn.ok()) return "";
    auto rows = (*conn)->Exec(sql, params);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok() || rows->empty() || rows->IsNull(0, 0)) return "";
    return std::string(rows->Get(0, 0));
  }

  std::vector<json::Value> Leads() {
    auto r = admin_.Get("/api/leads?limit=500&sort=created_at");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().Find("data")->items();
  }

  static const json::Value* LeadWithEmail(const std::vector<json::Value>& leads,
                                          const std::string& email) {
    for (const auto& l : leads) {
      const json::Value* e = l.Find("email");
      if (e != nullptr && e->is_string() && e->as_string() == email) return &l;
    }
    return nullptr;
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::string spool_;
  std::unique_ptr<api::Api> api_;
  std::unique_ptr<connectors::ConnectorsModule> module_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
  auth::NewOrganization org_, other_;
  HttpClient admin_{0};
};

TEST_F(ConnectorsApi, CreateNeverReturnsTheTokenAndStoresOnlyCiphertext) {
  FakeHubSpot hubspot;
  auto r = admin_.Post("/api/connectors", R"({"kind":"hubspot","name":"Main HubSpot","token":")" +
                                              std::string(kHubSpotToken) + R"("})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.body.find(kHubSpotToken), std::string::npos);
  auto c = r.Json();
  std::string id = c.Find("id")->as_string();
  EXPECT_EQ(r.Header("location"), "/api/connectors/" + id);
  EXPECT_EQ(c.Find("kind")->as_string(), "hubspot");
  EXPECT_EQ(c.Find("name")->as_string(), "Main HubSpot");
  EXPECT_EQ(c.Find("base_url")->as_string(), "https://api.hubapi.com");
  EXPECT_TRUE(c.Find("has_credentials")->as_bool());
  EXPECT_EQ(c.Find("token"), nullptr);
  EXPECT_TRUE(c.Find("last_sync")->is_null());
  EXPECT_TRUE(c.Find("field_mapping")->is_object());
  EXPECT_GE(c.Find("effective_field_mapping")->items().size(), 8u);

  auto conn = db_->owner_pool().Acquire();
  ASSERT_TRUE(conn.ok());
  auto rows = (*conn)->Exec(
      "SELECT encode(credentials_ciphertext, 'hex'), octet_length(credentials_nonce), key_id, "
      "c::text FROM crm_connectors c WHERE id = $1",
      db::Params().Add(id));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1);
  std::string ciphertext = *crypto::FromHex(rows->Get(0, 0));
  EXPECT_EQ(ciphertext.find(kHubSpotToken), std::string::npos);
  EXPECT_EQ(ciphertext.find("pat-na1"), std::string::npos);
  EXPECT_GT(ciphertext.size(), std::string(kHubSpotToken).size());
  EXPECT_EQ(rows->GetInt(0, 1), 24);
  EXPECT_EQ(rows->Get(0, 2).substr(0, 3), "k1:");
  EXPECT_EQ(std::string(rows->Get(0, 3)).find(kHubSpotToken), std::string::npos);
  EXPECT_EQ(std::string(rows->Get(0, 3)).find(crypto::ToHex(kHubSpotToken)), std::string::npos);

  // Opening it takes the key from the environment and this organization and connector.
  std::string key = *crypto::FromHex(kKeyHex);
  auto nonce_rows =
      (*conn)->Exec("SELECT encode(credentials_nonce, 'hex') FROM crm_connectors WHERE id = $1",
                    db::Params().Add(id));
  std::string nonce = *crypto::FromHex(nonce_rows->Get(0, 0));
  auto opened =
      crypto::OpenSecret(key, nonce, ciphertext,
                         connectors::ConnectorService::AssociatedData(org_.organization_id, id));
  ASSERT_TRUE(opened.ok());
  EXPECT_NE(opened->find(kHubSpotToken), std::string::npos);
  EXPECT_FALSE(
      crypto::OpenSecret(key, nonce, ciphertext,
                         connectors::ConnectorService::AssociatedData(other_.organization_id, id))
          .ok());
}

TEST_F(ConnectorsApi, ListGetPatchDelete) {
  FakeHubSpot hubspot;
  FakeSalesforce salesforce;
  std::string hs = CreateHubSpot(hubspot, "HubSpot EU");
  auto sf =
      admin_.Post("/api/connectors",
                  R"({"kind":"salesforce","name":"SF","base_url":")" + salesforce.base_url() +
                      R"(/","token":")" + kSalesforceToken +
                      R"(","field_mapping":{"Status":"status","Industry":"metadata.industry"}})");
  ASSERT_EQ(sf.status, 201) << sf.body;
  std::string sf_id = sf.Json().Find("id")->as_string();
  EXPECT_EQ(sf.Json().Find("base_url")->as_string(), salesforce.base_url()) << "trailing / trimmed";
  EXPECT_EQ(sf.Json().Find("field_mapping")->Find("Status")->as_string(), "status");

  auto list = admin_.Get("/api/connectors");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.Json().Find("data")->items().size(), 2u);
  EXPECT_EQ(list.Json().Find("data")->items()[0].Find("id")->as_string(), hs);
  EXPECT_TRUE(list.Json().Find("next_cursor")->is_null());
  EXPECT_EQ(list.body.find(kSalesforceToken), std::string::npos);
  auto page = admin_.Get("/api/connectors?limit=1");
  ASSERT_EQ(page.Json().Find("data")->items().size(), 1u);
  std::string cursor = page.Json().Find("next_cursor")->as_string();
  auto page2 = admin_.Get("/api/connectors?limit=1&cursor=" + cursor);
  ASSERT_EQ(page2.status, 200) << page2.body;
  EXPECT_EQ(page2.Json().Find("data")->items()[0].Find("id")->as_string(), sf_id);
  EXPECT_EQ(admin_.Get("/api/connectors?cursor=garbage").status, 400);

  auto one = admin_.Get("/api/connectors/" + sf_id);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.Json().Find("kind")->as_string(), "salesforce");

  // Rename, new mapping, token rotation: the token stays write-only.
  auto patched = admin_.Patch("/api/connectors/" + hs,
                              R"({"name":"HubSpot US","token":"pat-na1-rotated-token",)"
                              R"("field_mapping":{"hs_lead_status":"status"}})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.Json().Find("name")->as_string(), "HubSpot US");
  EXPECT_EQ(patched.body.find("rotated"), std::string::npos);
  EXPECT_EQ(patched.Json().Find("field_mapping")->Find("hs_lead_status")->as_string(), "status");
  auto reset = admin_.Patch("/api/connectors/" + hs, R"({"base_url":null,"field_mapping":null})");
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(reset.Json().Find("base_url")->as_string(), "https://api.hubapi.com");
  EXPECT_EQ(reset.Json().Find("field_mapping")->members().size(), 0u);
  EXPECT_EQ(admin_.Patch("/api/connectors/" + sf_id, R"({"base_url":null})").status, 422)
      << "Salesforce needs its instance URL";
  EXPECT_EQ(admin_.Patch("/api/connectors/" + sf_id, R"({"name":"HubSpot US"})").status, 409);

  EXPECT_EQ(admin_.Delete("/api/connectors/" + hs).status, 204);
  EXPECT_EQ(admin_.Get("/api/connectors/" + hs).status, 404);
  EXPECT_EQ(admin_.Delete("/api/connectors/" + hs).status, 404);
  EXPECT_EQ(admin_.Get("/api/connectors").Json().Find("data")->items().size(), 1u);
  // The name is free again; the deleted row keeps no credentials.
  CreateHubSpot(hubspot, "HubSpot US");
  auto conn = db_->owner_pool().Acquire();
  auto rows = (*conn)->Exec(
      "SELECT credentials_ciphertext IS NULL, disabled_at IS NOT NULL FROM crm_connectors "
      "WHERE id = $1",
      db::Params().Add(hs));
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->GetBool(0, 0));
  EXPECT_TRUE(rows->GetBool(0, 1));
}

TEST_F(ConnectorsApi, ValidationAndRoles) {
  auto bad = admin_.Post("/api/connectors", R"({"kind":"pipedrive","name":"","token":""})");
  ASSERT_EQ(bad.status, 422) << bad.body;
  std::string body = bad.body;
  for (const char* field : {"kind", "name", "token"}) {
    EXPECT_NE(body.find(std::string("\"field\":\"") + field + "\""), std::string::npos)
        << field << " in " << body;
  }
  auto unknown = admin_.Post("/api/connectors",
                             R"({"kind":"hubspot","name":"x","token":"t","secret":1,"name2":2})");
  ASSERT_EQ(unknown.status, 422);
  EXPECT_NE(unknown.body.find(R"("field":"secret")"), std::string::npos) << unknown.body;
  EXPECT_EQ(admin_
                .Post("/api/connectors",
                      R"({"kind":"hubspot","name":"x","token":"t","base_url":"ftp://x"})")
                .status,
            422);
  EXPECT_EQ(admin_
                .Post("/api/connectors",
                      R"({"kind":"hubspot","name":"x","token":"t","base_url":"https://u:p@x"})")
                .status,
            422)
      << "no user info in URLs";
  EXPECT_EQ(admin_.Post("/api/connectors", R"({"kind":"hubspot","name":"x","token":"a b"})").status,
            422)
      << "no spaces or control characters in a token";
  EXPECT_EQ(admin_
                .Post("/api/connectors",
                      R"({"kind":"hubspot","name":"x","token":"t","base_url":"javascript:x"})")
                .status,
            422);
  EXPECT_EQ(
      admin_.Post("/api/connectors", R"({"kind":"salesforce","name":"x","token":"t"})").status, 422)
      << "Salesforce needs base_url";
  auto mapping = admin_.Post(
      "/api/connectors",
      R"({"kind":"hubspot","name":"x","token":"t","field_mapping":{"email":"nowhere"}})");
  EXPECT_EQ(mapping.status, 422);
  EXPECT_NE(mapping.body.find("field_mapping.email"), std::string::npos) << mapping.body;
  EXPECT_EQ(admin_.Send("POST", "/api/connectors", "{}", {{"Content-Type", "text/plain"}}).status,
            415);

  FakeHubSpot hubspot;
  std::string id = CreateHubSpot(hubspot);
  EXPECT_EQ(
      admin_.Post("/api/connectors", R"({"kind":"hubspot","name":"hubspot","token":"t"})").status,
      409)
      << "names are unique per organization, case aside";

  HttpClient manager = User("manager@acme.test", "manager");
  HttpClient agent = User("agent@acme.test", "agent");
  EXPECT_EQ(manager.Get("/api/connectors").status, 200);
  EXPECT_EQ(manager.Get("/api/connectors/" + id).status, 200);
  EXPECT_EQ(manager.Post("/api/connectors", R"({"kind":"hubspot","name":"m","token":"t"})").status,
            403);
  EXPECT_EQ(manager.Patch("/api/connectors/" + id, R"({"name":"m"})").status, 403);
  EXPECT_EQ(manager.Delete("/api/connectors/" + id).status, 403);
  EXPECT_EQ(manager.Post("/api/connectors/" + id + "/sync", "{}").status, 403);
  EXPECT_EQ(agent.Get("/api/connectors").status, 403);
  EXPECT_EQ(Client("").Get("/api/connectors").status, 401);
  EXPECT_EQ(admin_.Post("/api/connectors/" + id + "/sync", R"({"dedupe":"merge"})").status, 422);
}

TEST_F(ConnectorsApi, AnotherOrganizationsConnectorIsNotFound) {
  FakeHubSpot hubspot;
  std::string id = CreateHubSpot(hubspot);
  HttpClient stranger = Client(other_.api_key);
  EXPECT_EQ(stranger.Get("/api/connectors/" + id).status, 404);
  EXPECT_EQ(stranger.Patch("/api/connectors/" + id, R"({"name":"mine"})").status, 404);
  EXPECT_EQ(stranger.Delete("/api/connectors/" + id).status, 404);
  EXPECT_EQ(stranger.Post("/api/connectors/" + id + "/sync", "{}").status, 404);
  EXPECT_EQ(stranger.Get("/api/connectors").Json().Find("data")->items().size(), 0u);
  EXPECT_EQ(stranger.Get("/api/connectors/not-a-uuid").status, 404);
  EXPECT_EQ(admin_.Get("/api/connectors/" + id).status, 200) << "still there for its owner";
  EXPECT_TRUE(hubspot.Requests().empty());
}

TEST_F(ConnectorsApi, HubSpotSyncImportsLeadsThenSyncsIncrementally) {
  FakeHubSpot hubspot;
  hubspot.SetMaxPageSize(2);
  const int64_t old_ms = DayAgoMs();
  hubspot.Upsert(Contact("201", "Ada", "Lovelace", "ada@example.com", "+12065550201", old_ms));
  hubspot.Upsert(Contact("202", "Grace", "Hopper", "grace@example.com", "(206) 555-0202", old_ms));
  FakeContact company = Contact("203", "Alan", "Turing", "alan@example.com", "", old_ms);
  company.properties["company"] = "Bletchley, Ltd";
  company.properties["jobtitle"] = "Mathematician";
  hubspot.Upsert(company);
  std::string id = CreateHubSpot(hubspot);

  json::Value job = Sync(id, R"({"dedupe":"update"})");
  ASSERT_EQ(job.Find("status")->as_string(), "completed") << json::Serialize(job);
  EXPECT_EQ(job.Find("created")->as_int(), 3);
  EXPECT_EQ(job.Find("connector_id")->as_string(), id);
  auto first_requests = hubspot.Requests();
  ASSERT_EQ(first_requests.size(), 2u) << "a full sync of 3 contacts in pages of 2";
  EXPECT_EQ(first_requests[0].path, "/crm/v3/objects/contacts");

  auto leads = Leads();
  ASSERT_EQ(leads.size(), 3u);
  const json::Value* grace = LeadWithEmail(leads, "grace@example.com");
  ASSERT_NE(grace, nullptr);
  EXPECT_EQ(grace->Find("first_name")->as_string(), "Grace");
  EXPECT_EQ(grace->Find("phone")->as_string(), "+12065550202");
  EXPECT_EQ(grace->Find("source")->as_string(), "hubspot");
  EXPECT_EQ(grace->Find("metadata")->Find("hubspot_id")->as_string(), "202");
  const json::Value* alan = LeadWithEmail(leads, "alan@example.com");
  ASSERT_NE(alan, nullptr);
  EXPECT_EQ(alan->Find("company")->as_string(), "Bletchley, Ltd");
  EXPECT_EQ(alan->Find("title")->as_string(), "Mathematician");

  auto connector = admin_.Get("/api/connectors/" + id).Json();
  const json::Value* last = connector.Find("last_sync");
  ASSERT_TRUE(last->is_object());
  EXPECT_EQ(last->Find("job_id")->as_string(), job.Find("id")->as_string());
  EXPECT_EQ(last->Find("status")->as_string(), "completed");
  EXPECT_EQ(last->Find("created")->as_int(), 3);
  std::string cursor = last->Find("source_cursor")->as_string();
  auto cursor_time = connectors::ParseTimestamp(cursor);
  ASSERT_TRUE(cursor_time.has_value()) << cursor;

  // Grace changed in HubSpot and a new contact arrived; the next sync asks only for changes
  // since the cursor and updates Grace instead of duplicating her.
  hubspot.ClearRequests();
  hubspot.Upsert(
      Contact("202", "Grace", "Hopper-Murray", "grace@example.com", "+12065550202", NowMs()));
  hubspot.Upsert(Contact("204", "Katherine", "Johnson", "kj@example.com", "+12065550204", NowMs()));
  json::Value second = Sync(id, R"({"dedupe":"update"})");
  ASSERT_EQ(second.Find("status")->as_string(), "completed") << json::Serialize(second);
  EXPECT_EQ(second.Find("created")->as_int(), 1);
  EXPECT_EQ(second.Find("updated")->as_int(), 1);
  auto requests = hubspot.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/crm/v3/objects/contacts/search");
  EXPECT_NE(
      requests[0].body.find(R"("propertyName":"lastmodifieddate","operator":"GTE","value":")" +
                            std::to_string(connectors::ToUnixMillis(*cursor_time)) + "\""),
      std::string::npos)
      << requests[0].body;

  leads = Leads();
  ASSERT_EQ(leads.size(), 4u) << "updated, not duplicated";
  grace = LeadWithEmail(leads, "grace@example.com");
  ASSERT_NE(grace, nullptr);
  EXPECT_EQ(grace->Find("last_name")->as_string(), "Hopper-Murray");
  ASSERT_NE(LeadWithEmail(leads, "kj@example.com"), nullptr);

  // "full": true fetches everything again, once.
  hubspot.ClearRequests();
  json::Value full = Sync(id, R"({"full":true})");
  ASSERT_EQ(full.Find("status")->as_string(), "completed") << json::Serialize(full);
  EXPECT_EQ(hubspot.Requests()[0].path, "/crm/v3/objects/contacts");
  EXPECT_EQ(full.Find("created")->as_int(), 0);
  hubspot.ClearRequests();
  Sync(id);
  EXPECT_EQ(hubspot.Requests()[0].path, "/crm/v3/objects/contacts/search");
  EXPECT_EQ(Leads().size(), 4u);
}

TEST_F(ConnectorsApi, SalesforceSyncUsesSoqlSinceTheLastRun) {
  FakeSalesforce salesforce;
  salesforce.SetBatchSize(1);
  const int64_t old_ms = DayAgoMs();
  FakeLead a{"00Q5e00000SfLeadAAA",
             {{"FirstName", "Mae"},
              {"LastName", "Jemison"},
              {"Email", "mae@example.com"},
              {"Phone", "+12065550301"},
              {"Company", "NASA"},
              {"LeadSource", "Web"}},
             old_ms};
  FakeLead b{"00Q5e00000SfLeadBAA",
             {{"FirstName", "Sally"}, {"LastName", "Ride"}, {"MobilePhone", "+12065550302"}},
             old_ms};
  salesforce.Upsert(a);
  salesforce.Upsert(b);
  auto created = admin_.Post("/api/connectors", R"({"kind":"salesforce","name":"SF","base_url":")" +
                                                    salesforce.base_url() + R"(","token":")" +
                                                    kSalesforceToken + R"("})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = created.Json().Find("id")->as_string();

  json::Value job = Sync(id);
  ASSERT_EQ(job.Find("status")->as_string(), "completed") << json::Serialize(job);
  EXPECT_EQ(job.Find("created")->as_int(), 2);
  EXPECT_EQ(salesforce.Requests().size(), 2u) << "the query, then its nextRecordsUrl";
  EXPECT_EQ(salesforce.Requests()[0].Query("q").find("WHERE"), std::string::npos);
  auto leads = Leads();
  const json::Value* mae = LeadWithEmail(leads, "mae@example.com");
  ASSERT_NE(mae, nullptr);
  EXPECT_EQ(mae->Find("source")->as_string(), "Web");
  EXPECT_EQ(mae->Find("company")->as_string(), "NASA");
  EXPECT_EQ(mae->Find("metadata")->Find("salesforce_id")->as_string(), "00Q5e00000SfLeadAAA");
  bool sally = false;
  for (const auto& l : leads) {
    if (l.Find("phone")->is_string() && l.Find("phone")->as_string() == "+12065550302") {
      sally = true;
      EXPECT_EQ(l.Find("source")->as_string(), "salesforce");
    }
  }
  EXPECT_TRUE(sally) << "MobilePhone is the fallback for Phone";

  std::string cursor = admin_.Get("/api/connectors/" + id)
                           .Json()
                           .Find("last_sync")
                           ->Find("source_cursor")
                           ->as_string();
  salesforce.ClearRequests();
  a.fields["Company"] = "Jemison Group";
  a.last_modified_ms = NowMs();
  salesforce.Upsert(a);
  json::Value second = Sync(id);
  ASSERT_EQ(second.Find("status")->as_string(), "completed") << json::Serialize(second);
  EXPECT_EQ(second.Find("updated")->as_int(), 1);
  EXPECT_EQ(second.Find("created")->as_int(), 0);
  ASSERT_EQ(salesforce.Requests().size(), 1u);
  std::string soql = salesforce.Requests()[0].Query("q");
  EXPECT_NE(soql.find(" FROM Lead WHERE LastModifiedDate > " + cursor), std::string::npos) << soql;
  leads = Leads();
  EXPECT_EQ(leads.size(), 2u);
  EXPECT_EQ(LeadWithEmail(leads, "mae@example.com")->Find("company")->as_string(), "Jemison Group");
}

// A Salesforce connector with a connected app's refresh token: every sync exchanges it for a
// fresh access token first, so syncs go on after access tokens expire; a revoked refresh token
// fails the sync with Salesforce's reason, never any of the secrets.
TEST_F(ConnectorsApi, SalesforceRefreshTokenIsExchangedAtEverySync) {
  FakeSalesforce salesforce("00D5e000000TEST!AccessTokenOne");
  const std::string secret = "C0nnectedAppSecret-9f8e7d";
  const std::string refresh = "5Aep861RefreshTokenXYZ.abc";
  salesforce.SetRefreshGrant("3MVG9ConnectedAppId", secret, refresh);
  salesforce.Upsert(
      FakeLead{"00Q5e00000OaLeadAAA",
               {{"FirstName", "Mae"}, {"LastName", "Jemison"}, {"Email", "mae@example.com"}},
               DayAgoMs()});
  auto created =
      admin_.Post("/api/connectors",
                  R"({"kind":"salesforce","name":"SF OAuth","base_url":")" + salesforce.base_url() +
                      R"(","oauth":{"client_id":"3MVG9ConnectedAppId","client_secret":")" + secret +
                      R"(","refresh_token":")" + refresh + R"("}})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Json().Find("credentials")->as_string(), "refresh_token");
  EXPECT_TRUE(created.Json().Find("has_credentials")->as_bool());
  EXPECT_EQ(created.body.find(secret), std::string::npos);
  EXPECT_EQ(created.body.find(refresh), std::string::npos);
  const std::string id = created.Json().Find("id")->as_string();

  json::Value job = Sync(id);
  ASSERT_EQ(job.Find("status")->as_string(), "completed") << json::Serialize(job);
  EXPECT_EQ(job.Find("created")->as_int(), 1);
  auto requests = salesforce.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/services/oauth2/token");
  EXPECT_NE(requests[0].body.find("grant_type=refresh_token"), std::string::npos);
  EXPECT_EQ(requests[0].authorization, "");
  EXPECT_EQ(requests[1].authorization, "Bearer 00D5e000000TEST!AccessTokenOne");

  // The access token expired and Salesforce issues another: the next sync uses the new one.
  salesforce.SetToken("00D5e000000TEST!AccessTokenTwo");
  salesforce.ClearRequests();
  job = Sync(id);
  ASSERT_EQ(job.Find("status")->as_string(), "completed") << json::Serialize(job);
  EXPECT_EQ(salesforce.Requests().back().authorization, "Bearer 00D5e000000TEST!AccessTokenTwo");

  // The refresh token is revoked.
  salesforce.SetRefreshGrant("3MVG9ConnectedAppId", secret, "another-refresh-token");
  job = Sync(id);
  ASSERT_EQ(job.Find("status")->as_string(), "failed");
  EXPECT_EQ(job.Find("error")->as_string(),
            "Salesforce refused the refresh token (invalid_grant: expired access/refresh token); "
            "set the token again");
  const std::string all = json::Serialize(job);
  EXPECT_EQ(all.find(secret), std::string::npos);
  EXPECT_EQ(all.find(refresh), std::string::npos);

  // Rotating to a plain access token works too, and back.
  auto to_token =
      admin_.Patch("/api/connectors/" + id, R"({"token":"00D5e000000TEST!AccessTokenTwo"})");
  ASSERT_EQ(to_token.status, 200) << to_token.body;
  EXPECT_EQ(to_token.Json().Find("credentials")->as_string(), "token");
  ASSERT_EQ(Sync(id).Find("status")->as_string(), "completed");
}

TEST_F(ConnectorsApi, RefreshTokenCredentialsAreValidated) {
  FakeHubSpot hubspot;
  FakeSalesforce salesforce;
  auto post = [&](const std::string& body) { return admin_.Post("/api/connectors", body); };
  const std::string sf =
      R"({"kind":"salesforce","name":"SF","base_url":")" + salesforce.base_url() + "\",";
  struct Case {
    std::string body;
    std::string field;
  } cases[] = {
      {sf + R"("oauth":{"client_id":"a","client_secret":"b"}})", "oauth.refresh_token"},
      {sf + R"("oauth":{"client_id":"a b","client_secret":"b","refresh_token":"c"}})",
       "oauth.client_id"},
      {sf + R"("oauth":{"client_id":"a","client_secret":"b","refresh_token":"c","x":1}})",
       "oauth.x"},
      {sf + R"("oauth":"refresh-me"})", "oauth"},
      {sf + R"("token":"t","oauth":{"client_id":"a","client_secret":"b","refresh_token":"c"}})",
       "oauth"},
      {sf + R"("name2":1})", "name2"},
      {R"({"kind":"hubspot","name":"H","base_url":")" + hubspot.base_url() +
           R"(","oauth":{"client_id":"a","client_secret":"b","refresh_token":"c"}})",
       "oauth"},
      {R"({"kind":"hubspot","name":"H"})", "token"},
  };
  for (const Case& c : cases) {
    auto r = post(c.body);
    EXPECT_EQ(r.status, 422) << c.body << ": " << r.body;
    EXPECT_NE(r.body.find("\"" + c.field + "\""), std::string::npos) << c.field << ": " << r.body;
  }
}

TEST_F(ConnectorsApi, FailedSyncsSayWhyWithoutTheToken) {
  FakeHubSpot hubspot;
  hubspot.Upsert(Contact("1", "Ada", "Lovelace", "ada@example.com", "", DayAgoMs()));
  const std::string wrong = "pat-na1-revoked-token-zzzzzzzzzzzz";
  std::string id = CreateHubSpot(hubspot, "Revoked", wrong);
  json::Value job = Sync(id);
  EXPECT_EQ(job.Find("status")->as_string(), "failed");
  ASSERT_TRUE(job.Find("error")->is_string());
  EXPECT_NE(job.Find("error")->as_string().find("credentials rejected by HubSpot (401)"),
            std::string::npos)
      << job.Find("error")->as_string();
  EXPECT_EQ(json::Serialize(job).find(wrong), std::string::npos);
  auto connector = admin_.Get("/api/connectors/" + id);
  EXPECT_EQ(connector.Json().Find("last_sync")->Find("status")->as_string(), "failed");
  EXPECT_EQ(connector.body.find(wrong), std::string::npos);

  // Rotating the token fixes it; the failed run does not count as a since-point.
  ASSERT_EQ(
      admin_.Patch("/api/connectors/" + id, std::string(R"({"token":")") + kHubSpotToken + "\"}")
          .status,
      200);
  hubspot.ClearRequests();
  json::Value retry = Sync(id);
  EXPECT_EQ(retry.Find("status")->as_string(), "completed") << json::Serialize(retry);
  EXPECT_EQ(hubspot.Requests()[0].path, "/crm/v3/objects/contacts") << "still a full sync";
  EXPECT_EQ(Leads().size(), 1u);
}

TEST_F(ConnectorsApi, ScheduledSyncsRunWhenDueOncePerPeriod) {
  // This test drives its module's scheduler by hand; the server's own must not interleave.
  api_->connectors().StopScheduler();
  FakeHubSpot hubspot;
  hubspot.Upsert(Contact("301", "Ada", "Lovelace", "ada@example.com", "+12065550301", DayAgoMs()));
  auto created =
      admin_.Post("/api/connectors", R"({"kind":"hubspot","name":"Scheduled","base_url":")" +
                                         hubspot.base_url() + R"(","token":")" + kHubSpotToken +
                                         R"(","sync_every_minutes":60})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.Json().Find("id")->as_string();
  EXPECT_EQ(created.Json().Find("sync_every_minutes")->as_int(), 60);
  ASSERT_TRUE(created.Json().Find("next_sync_at")->is_string()) << "never synced: due now";
  std::string manual = CreateHubSpot(hubspot, "Manual");
  EXPECT_TRUE(admin_.Get("/api/connectors/" + manual).Json().Find("next_sync_at")->is_null());

  connectors::SyncScheduler& scheduler = module_->scheduler();
  auto queued = scheduler.RunDue();
  ASSERT_TRUE(queued.ok()) << queued.status().ToString();
  EXPECT_EQ(*queued, 1) << "the scheduled connector, not the manual one";
  auto c = admin_.Get("/api/connectors/" + id).Json();
  ASSERT_TRUE(c.Find("last_sync")->is_object());
  const std::string first_job = c.Find("last_sync")->Find("job_id")->as_string();
  EXPECT_EQ(*scheduler.RunDue(), 0) << "a sync of it is queued or running";
  json::Value job = WaitForJob(first_job);
  ASSERT_EQ(job.Find("status")->as_string(), "completed") << json::Serialize(job);
  EXPECT_EQ(job.Find("created")->as_int(), 1);
  EXPECT_TRUE(job.Find("created_by")->is_null()) << "queued by the schedule, not by a user";
  EXPECT_TRUE(admin_.Get("/api/connectors/" + manual).Json().Find("last_sync")->is_null());

  // Not due again until an hour after the sync was queued.
  EXPECT_EQ(*scheduler.RunDue(), 0);
  c = admin_.Get("/api/connectors/" + id).Json();
  EXPECT_EQ(c.Find("next_sync_at")->as_string(),
            OwnerSql("SELECT app_rfc3339(created_at + interval '60 minutes') FROM import_jobs "
                     "WHERE id = $1",
                     db::Params().Add(first_job)));
  OwnerSql("UPDATE import_jobs SET created_at = created_at - interval '61 minutes' WHERE id = $1",
           db::Params().Add(first_job));
  hubspot.ClearRequests();
  EXPECT_EQ(*scheduler.RunDue(), 1);
  c = admin_.Get("/api/connectors/" + id).Json();
  const std::string second_job = c.Find("last_sync")->Find("job_id")->as_string();
  EXPECT_NE(second_job, first_job);
  job = WaitForJob(second_job);
  ASSERT_EQ(job.Find("status")->as_string(), "completed") << json::Serialize(job);
  EXPECT_EQ(hubspot.Requests()[0].path, "/crm/v3/objects/contacts/search") << "incremental";

  // A failed sync counts as the period's sync too: it is retried a period later, not at once.
  OwnerSql("UPDATE import_jobs SET created_at = created_at - interval '61 minutes' WHERE id = $1",
           db::Params().Add(second_job));
  hubspot.SetToken("pat-na1-revoked");
  EXPECT_EQ(*scheduler.RunDue(), 1);
  const std::string failed_job =
      admin_.Get("/api/connectors/" + id).Json().Find("last_sync")->Find("job_id")->as_string();
  EXPECT_EQ(WaitForJob(failed_job).Find("status")->as_string(), "failed");
  EXPECT_EQ(*scheduler.RunDue(), 0) << "not retried in a loop";

  // Without a schedule nothing is due however old the last sync.
  auto off = admin_.Patch("/api/connectors/" + id, R"({"sync_every_minutes":null})");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_TRUE(off.Json().Find("sync_every_minutes")->is_null());
  EXPECT_TRUE(off.Json().Find("next_sync_at")->is_null());
  OwnerSql(
      "UPDATE import_jobs SET created_at = created_at - interval '7 days' WHERE connector_id = $1",
      db::Params().Add(id));
  EXPECT_EQ(*scheduler.RunDue(), 0);
  // Another organization's scheduled connector is synced in that organization.
  auto other = Client(other_.api_key);
  auto theirs = other.Post("/api/connectors", R"({"kind":"hubspot","name":"Theirs","base_url":")" +
                                                  hubspot.base_url() + R"(","token":")" +
                                                  kHubSpotToken + R"(","sync_every_minutes":15})");
  ASSERT_EQ(theirs.status, 201) << theirs.body;
  EXPECT_EQ(*scheduler.RunDue(), 1);
  const std::string their_job =
      other.Get("/api/connectors/" + theirs.Json().Find("id")->as_string())
          .Json()
          .Find("last_sync")
          ->Find("job_id")
          ->as_string();
  EXPECT_EQ(admin_.Get("/api/imports/" + their_job).status, 404);
  EXPECT_EQ(other.Get("/api/imports/" + their_job).status, 200);
}

TEST_F(ConnectorsApi, ScheduleIsValidated) {
  FakeHubSpot hubspot;
  std::string id = CreateHubSpot(hubspot);
  for (const char* bad : {"14", "10081", "\"60\"", "1.5", "true", "-15"}) {
    auto r =
        admin_.Patch("/api/connectors/" + id, std::string(R"({"sync_every_minutes":)") + bad + "}");
    EXPECT_EQ(r.status, 422) << bad << ": " << r.body;
    EXPECT_NE(r.body.find("sync_every_minutes"), std::string::npos) << r.body;
  }
  for (int ok : {15, 10080}) {
    auto r = admin_.Patch("/api/connectors/" + id,
                          R"({"sync_every_minutes":)" + std::to_string(ok) + "}");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Json().Find("sync_every_minutes")->as_int(), ok);
  }
  auto bad_create = admin_.Post("/api/connectors", R"({"kind":"hubspot","name":"X","token":"t",)"
                                                   R"("sync_every_minutes":5})");
  EXPECT_EQ(bad_create.status, 422) << bad_create.body;
  auto manager = User("mgr@acme.test", "manager");
  EXPECT_EQ(manager.Patch("/api/connectors/" + id, R"({"sync_every_minutes":60})").status, 403);
}

// Another server queueing a sync of the connector at the same moment: it holds the
// connector's row lock and has inserted its job, not yet committed. This request must wait for
// it and then answer 409 naming that job, instead of queueing a second sync beside it.
TEST_F(ConnectorsApi, ASyncQueuedConcurrentlyElsewhereIsNotQueuedTwice) {
  api_->StopWorkers();  // the competing job stays queued
  FakeHubSpot hubspot;
  std::string id = CreateHubSpot(hubspot);
  auto conn = db_->owner_pool().Acquire();
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)->Exec("BEGIN").ok());
  ASSERT_TRUE(
      (*conn)
          ->Exec("SELECT 1 FROM crm_connectors WHERE id = $1 FOR UPDATE", db::Params().Add(id))
          .ok());
  auto competing = (*conn)->Exec(
      "INSERT INTO import_jobs (organization_id, id, kind, phase, connector_id) "
      "VALUES ($1, gen_random_uuid(), 'hubspot', 'fetch', $2) RETURNING id",
      db::Params().Add(org_.organization_id).Add(id));
  ASSERT_TRUE(competing.ok()) << competing.status().ToString();
  const std::string competing_id(competing->Get(0, 0));

  std::atomic<int> status{0};
  std::string existing;
  std::thread request([&] {
    auto r = Client(org_.api_key).Post("/api/connectors/" + id + "/sync", "{}");
    json::Value body = r.Json();
    if (const json::Value* e = body.Find("existing_job_id"); e != nullptr && e->is_string()) {
      existing = e->as_string();
    }
    status = r.status;
  });
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(status.load(), 0) << "the request waits for the other transaction";
  ASSERT_TRUE((*conn)->Exec("COMMIT").ok());
  request.join();
  EXPECT_EQ(status.load(), 409);
  EXPECT_EQ(existing, competing_id);
  EXPECT_EQ(
      OwnerSql("SELECT count(*) FROM import_jobs WHERE connector_id = $1", db::Params().Add(id)),
      "1");
}

// A connector's sync options: stored with it, shown, merged by PATCH, the starting point of
// every sync request and what scheduled syncs run with.
TEST_F(ConnectorsApi, SyncOptionsAreStoredAndUsedBySyncs) {
  api_->connectors().StopScheduler();  // driven by hand below
  auto agent = admin_.Post("/api/users", R"({"email":"agent@acme.test",)"
                                         R"("password":"correct-horse-1","role":"agent"})");
  ASSERT_EQ(agent.status, 201) << agent.body;
  const std::string agent_id = agent.Json().Find("id")->as_string();
  FakeHubSpot hubspot;
  hubspot.Upsert(Contact("401", "Ada", "Lovelace", "ada@example.com", "+12065550401", DayAgoMs()));

  auto defaults = admin_.Get("/api/connectors/" + CreateHubSpot(hubspot, "Plain")).Json();
  EXPECT_EQ(json::Serialize(*defaults.Find("sync_options")),
            R"({"dedupe":"update","update_mode":"overwrite","dnc":"flag","tags":[],)"
            R"("owner_id":null})");

  auto created = admin_.Post(
      "/api/connectors", R"({"kind":"hubspot","name":"Options","base_url":")" + hubspot.base_url() +
                             R"(","token":")" + kHubSpotToken +
                             R"(","sync_options":{"dedupe":"skip","tags":[" from crm ","a,b"],)"
                             R"("owner_id":")" +
                             agent_id + R"("}})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.Json().Find("id")->as_string();
  EXPECT_EQ(json::Serialize(*created.Json().Find("sync_options")),
            R"({"dedupe":"skip","update_mode":"overwrite","dnc":"flag","tags":["from crm","a,b"],)"
            R"("owner_id":")" +
                agent_id + R"("})");

  // PATCH changes the members it names and keeps the others.
  auto patched = admin_.Patch("/api/connectors/" + id, R"({"sync_options":{"dnc":"skip"}})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  const json::Value patched_json = patched.Json();
  const json::Value* stored = patched_json.Find("sync_options");
  EXPECT_EQ(stored->Find("dnc")->as_string(), "skip");
  EXPECT_EQ(stored->Find("dedupe")->as_string(), "skip");
  EXPECT_EQ(stored->Find("tags")->items().size(), 2u);
  EXPECT_EQ(stored->Find("owner_id")->as_string(), agent_id);

  // A sync request naming nothing runs with them; a tag with a comma stays one tag.
  json::Value job = Sync(id);
  ASSERT_EQ(job.Find("status")->as_string(), "completed") << json::Serialize(job);
  EXPECT_EQ(job.Find("options")->Find("dedupe")->as_string(), "skip");
  EXPECT_EQ(job.Find("options")->Find("dnc")->as_string(), "skip");
  const std::vector<json::Value> leads = Leads();
  const json::Value* ada = LeadWithEmail(leads, "ada@example.com");
  ASSERT_NE(ada, nullptr);
  EXPECT_EQ(json::Serialize(*ada->Find("tags")), R"(["from crm","a,b"])");
  EXPECT_EQ(ada->Find("assigned_to")->as_string(), agent_id);

  // The members a request names win for that sync only.
  job = Sync(id, R"({"full":true,"dedupe":"update","tags":[],"owner_id":null})");
  ASSERT_EQ(job.Find("status")->as_string(), "completed") << json::Serialize(job);
  EXPECT_EQ(job.Find("options")->Find("dedupe")->as_string(), "update");
  EXPECT_EQ(job.Find("options")->Find("dnc")->as_string(), "skip");
  EXPECT_TRUE(job.Find("options")->Find("tags")->items().empty());
  EXPECT_TRUE(job.Find("options")->Find("owner_id") == nullptr ||
              job.Find("options")->Find("owner_id")->is_null());
  EXPECT_EQ(
      admin_.Get("/api/connectors/" + id).Json().Find("sync_options")->Find("dedupe")->as_string(),
      "skip");

  // Scheduled syncs run with the stored options.
  ASSERT_EQ(admin_.Patch("/api/connectors/" + id, R"({"sync_every_minutes":15})").status, 200);
  OwnerSql(
      "UPDATE import_jobs SET created_at = created_at - interval '1 hour' "
      "WHERE connector_id = $1",
      db::Params().Add(id));
  EXPECT_EQ(*module_->scheduler().RunDue(), 1);
  const std::string scheduled =
      admin_.Get("/api/connectors/" + id).Json().Find("last_sync")->Find("job_id")->as_string();
  job = WaitForJob(scheduled);
  ASSERT_EQ(job.Find("status")->as_string(), "completed") << json::Serialize(job);
  EXPECT_EQ(job.Find("options")->Find("dedupe")->as_string(), "skip");
  EXPECT_EQ(json::Serialize(*job.Find("options")->Find("tags")), R"(["from crm","a,b"])");
  EXPECT_EQ(job.Find("options")->Find("owner_id")->as_string(), agent_id);

  // null goes back to the defaults.
  auto reset = admin_.Patch("/api/connectors/" + id, R"({"sync_options":null})");
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(json::Serialize(*reset.Json().Find("sync_options")),
            json::Serialize(*defaults.Find("sync_options")));
}

TEST_F(ConnectorsApi, SyncOptionsAreValidated) {
  FakeHubSpot hubspot;
  const std::string id = CreateHubSpot(hubspot);
  const std::string before =
      json::Serialize(*admin_.Get("/api/connectors/" + id).Json().Find("sync_options"));
  auto other_admin = OwnerSql("SELECT id FROM users WHERE email = 'boss@globex.test'");
  auto inactive = admin_.Post("/api/users", R"({"email":"gone@acme.test",)"
                                            R"("password":"correct-horse-1","role":"agent"})");
  ASSERT_EQ(inactive.status, 201) << inactive.body;
  const std::string inactive_id = inactive.Json().Find("id")->as_string();
  OwnerSql("UPDATE users SET is_active = false WHERE id = $1", db::Params().Add(inactive_id));

  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"("skip")", "sync_options"},
      {R"([])", "sync_options"},
      {R"({"dedupe":"bogus"})", "sync_options.dedupe"},
      {R"({"dedupe":null})", "sync_options.dedupe"},
      {R"({"update_mode":"merge"})", "sync_options.update_mode"},
      {R"({"dnc":1})", "sync_options.dnc"},
      {R"({"tags":"a,b"})", "sync_options.tags"},
      {R"({"tags":[""]})", "sync_options.tags"},
      {R"({"owner_id":"someone"})", "sync_options.owner_id"},
      {R"({"owner_id":")" + other_admin + R"("})", "sync_options.owner_id"},
      {R"({"owner_id":")" + inactive_id + R"("})", "sync_options.owner_id"},
      {R"({"full":true})", "sync_options.full"},
  };
  for (const auto& [value, field] : cases) {
    auto r =
        admin_.Patch("/api/connectors/" + id, R"({"name":"Renamed","sync_options":)" + value + "}");
    EXPECT_EQ(r.status, 422) << value << ": " << r.body;
    EXPECT_NE(r.body.find("\"" + field + "\""), std::string::npos) << value << ": " << r.body;
    auto create = admin_.Post("/api/connectors", R"({"kind":"hubspot","name":"New","token":"t",)"
                                                 R"("sync_options":)" +
                                                     value + "}");
    EXPECT_EQ(create.status, 422) << value << ": " << create.body;
  }
  auto now = admin_.Get("/api/connectors/" + id).Json();
  EXPECT_EQ(now.Find("name")->as_string(), "HubSpot") << "nothing written";
  EXPECT_EQ(json::Serialize(*now.Find("sync_options")), before);
  EXPECT_EQ(admin_.Get("/api/connectors").Json().Find("data")->items().size(), 1u);

  // A sync request's owner must be an active user of the organization too; no job is queued.
  for (const std::string& owner : {other_admin, inactive_id}) {
    auto r = admin_.Post("/api/connectors/" + id + "/sync", R"({"owner_id":")" + owner + R"("})");
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_NE(r.body.find("\"owner_id\""), std::string::npos) << r.body;
  }
  EXPECT_TRUE(admin_.Get("/api/connectors/" + id).Json().Find("last_sync")->is_null());
}

}  // namespace
}  // namespace leadline
