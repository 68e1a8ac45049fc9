// Imports end to end over HTTP: upload, the worker, counts, errors.csv, policies, DNC flags,
// undo, cancel, previews and tenant isolation.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <future>
#include <thread>

#include "imports/import_options.h"
#include "imports/import_service.h"
#include "imports/xlsx_writer.h"
#include "support/test_app.h"

namespace leadline {
namespace {

using testing::HttpClient;
using testing::HttpResult;
using testing::TestApp;

class ImportsApi : public ::testing::Test {
 protected:
  void SetUp() override { Start(true); }

  void Start(bool workers, http::ServerOptions options = {},
             int64_t batch_rows = api::ApiOptions{}.imports_batch_rows) {
    app_ = std::make_unique<TestApp>(options, workers, batch_rows);
    org_ = app_->db().CreateOrganization("Acme", "boss@acme.test", "correct-horse-1");
    other_ = app_->db().CreateOrganization("Globex", "boss@globex.test", "correct-horse-1");
    admin_ = app_->Client(org_.api_key);
  }

  HttpResult Upload(const std::string& body, const std::string& query = "",
                    const std::string& path = "/api/imports",
                    const std::string& type = "text/csv") {
    return admin_.Send("POST", path + (query.empty() ? "" : "?" + query), body,
                       {{"Content-Type", type}});
  }

  // Uploads and waits for the job to end; returns the final job.
  json::Value Import(const std::string& body, const std::string& query = "") {
    auto r = Upload(body, query);
    EXPECT_EQ(r.status, 202) << r.body;
    if (r.status != 202) return json::Value();
    EXPECT_EQ(r.Header("location"), "/api/imports/" + r.Json().Find("id")->as_string());
    return Wait(r.Json().Find("id")->as_string());
  }

  json::Value Wait(const std::string& id) {
    for (int i = 0; i < 600; ++i) {
      auto r = admin_.Get("/api/imports/" + id);
      EXPECT_EQ(r.status, 200) << r.body;
      std::string status = r.Json().Find("status")->as_string();
      if (status == "completed" || status == "failed" || status == "cancelled") return r.Json();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "import " << id << " did not end";
    return json::Value();
  }

  static int64_t N(const json::Value& job, const char* key) { return job.Find(key)->as_int(); }

  // A session of its own importing into `org`, as another server's worker running one of its
  // jobs would: it holds the organization's import lock (0015) until it is reset.
  Result<std::unique_ptr<db::Connection>> HoldImportLock(const auth::NewOrganization& org) {
    ASSIGN_OR_RETURN(auto conn, db::Connection::Open(app_->db().conninfo()));
    RETURN_IF_ERROR(conn->Exec("SELECT pg_advisory_lock(app_import_organization_key($1))",
                               db::Params().Add(org.organization_id))
                        .status());
    return conn;
  }

  // Live leads matching `q`.
  std::vector<json::Value> Leads(const std::string& q) {
    auto r = admin_.Get("/api/leads?limit=500&q=" + q);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().Find("data")->items();
  }

  // As the schema owner, past row-level security.
  std::string Sql(const std::string& sql, const db::Params& params = {}) {
    auto conn = app_->db().owner_pool().Acquire();
    EXPECT_TRUE(conn.ok());
    auto rows = (*conn)->Exec(sql, params);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok() || rows->empty() || rows->IsNull(0, 0)) return "";
    return std::string(rows->Get(0, 0));
  }

  std::unique_ptr<TestApp> app_;
  auth::NewOrganization org_, other_;
  HttpClient admin_{0};
};

TEST_F(ImportsApi, CsvQuirksCountsAndErrorsCsvRoundTrip) {
  // BOM, semicolons, CRLF, a quoted field with a newline and a delimiter, an empty line, a
  // ragged short row, and four bad rows: bad phone, bad email, no contact, invalid UTF-8.
  std::string csv =
      "\xEF\xBB\xBF"
      "First Name;Last Name;E-mail;Phone Number;Tags;Lead Score;Notes\r\n"
      "Ada;Lovelace;ada@example.com;(206) 555-0100;vip, hot;80;\"likes;\r\nmath\"\r\n"
      "\r\n"
      "Grace;Hopper;grace@example.com;206-555-0101;;;\r\n"
      "Bad;Phone;bad@example.com;12345;;;\r\n"
      "Bad;Email;not-an-email;206-555-0102;;;\r\n"
      "No;Contact;;;;;\r\n"
      "Bad\xFF;Bytes;bytes@example.com;206-555-0103;;;\r\n"
      "Alan;Turing;alan@example.com\r\n";
  json::Value job = Import(csv, "filename=people.csv&source=fair&tags=imported");
  ASSERT_EQ(job.Find("status")->as_string(), "completed") << json::Serialize(job);
  EXPECT_EQ(job.Find("kind")->as_string(), "csv");
  EXPECT_EQ(job.Find("filename")->as_string(), "people.csv");
  EXPECT_EQ(N(job, "total_rows"), 7);
  EXPECT_EQ(N(job, "processed_rows"), 7);
  EXPECT_EQ(N(job, "created"), 3);
  EXPECT_EQ(N(job, "failed"), 4);
  EXPECT_EQ(N(job, "skipped"), 0);
  EXPECT_DOUBLE_EQ(job.Find("progress")->as_double(), 1.0);

  auto ada = Leads("lovelace");
  ASSERT_EQ(ada.size(), 1u);
  EXPECT_EQ(ada[0].Find("phone")->as_string(), "+12065550100");
  EXPECT_EQ(ada[0].Find("lead_score")->as_int(), 80);
  EXPECT_EQ(ada[0].Find("source")->as_string(), "fair");
  EXPECT_EQ(ada[0].Find("metadata")->Find("Notes")->as_string(), "likes;\r\nmath");
  std::vector<std::string> tags;
  for (const auto& t : ada[0].Find("tags")->items()) tags.push_back(t.as_string());
  EXPECT_EQ(tags, (std::vector<std::string>{"vip", "hot", "imported"}));
  EXPECT_EQ(Leads("turing").size(), 1u);  // the short row: missing cells are empty
  // Imported leads get time-ordered ids like any other (0013): the version digit is 7.
  EXPECT_EQ(Sql("SELECT string_agg(DISTINCT substr(id::text, 15, 1), '') FROM leads "
                "WHERE import_id = $1",
                db::Params().Add(job.Find("id")->as_string())),
            "7");

  // The history says the import did it.
  auto history = admin_.Get("/api/leads/" + ada[0].Find("id")->as_string() + "/status-history");
  ASSERT_EQ(history.status, 200) << history.body;
  EXPECT_NE(history.body.find("\"import\""), std::string::npos) << history.body;

  auto errors = admin_.Get("/api/imports/" + job.Find("id")->as_string() + "/errors.csv");
  ASSERT_EQ(errors.status, 200) << errors.body;
  EXPECT_NE(errors.Header("content-type").find("text/csv"), std::string::npos);
  const std::string& e = errors.body;
  EXPECT_EQ(
      e.rfind("\xEF\xBB\xBF"
              "First Name;Last Name;E-mail;Phone Number;Tags;Lead Score;Notes;_line;_error\r\n",
              0),
      0u)
      << e;
  EXPECT_NE(e.find("Bad;Phone;bad@example.com;12345;;;;6;\"phone: "), std::string::npos) << e;
  EXPECT_NE(e.find("Bad;Email;not-an-email;206-555-0102;;;;7;\"email: "), std::string::npos) << e;
  EXPECT_NE(e.find("No;Contact;;;;;;8;"), std::string::npos) << e;
  EXPECT_NE(e.find(";9;\"invalid UTF-8"), std::string::npos) << e;

  // Fix the rows in errors.csv and upload it again: the bookkeeping columns are ignored.
  std::string fixed =
      "First Name;Last Name;E-mail;Phone Number;Tags;Lead Score;Notes;_line;_error\r\n"
      "Bad;Phone;bad@example.com;206-555-0104;;;;6;\"phone: x\"\r\n"
      "Bad;Email;fixed@example.com;206-555-0102;;;;7;\"email: x\"\r\n";
  json::Value again = Import(fixed);
  ASSERT_EQ(again.Find("status")->as_string(), "completed") << json::Serialize(again);
  EXPECT_EQ(N(again, "created"), 2);
  EXPECT_EQ(N(again, "failed"), 0);
  EXPECT_TRUE(Leads("fixed%40example.com")[0].Find("metadata")->Find("_error") == nullptr);
}

// errors.csv goes round as often as needed: a too-long row keeps _line and _error under their
// headers (its extra cells after them), and an uploaded errors.csv's own _line and _error are
// replaced, not repeated.
TEST_F(ImportsApi, ErrorsCsvRoundTripsRaggedRowsAndAgain) {
  auto errors_of = [&](const json::Value& job) {
    auto r = admin_.Get("/api/imports/" + job.Find("id")->as_string() + "/errors.csv");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body.substr(3);  // the BOM
  };
  json::Value first = Import(
      "first_name,phone\n"
      "Ada,2065550100,extra,more\n"
      "Bob,12345\n");
  ASSERT_EQ(N(first, "failed"), 2) << json::Serialize(first);
  const std::string once = errors_of(first);
  EXPECT_EQ(once,
            "first_name,phone,_line,_error\r\n"
            "Ada,2065550100,2,\"row has 4 columns, the header 2\",extra,more\r\n"
            "Bob,12345,3,\"phone: phone number too short\"\r\n")
      << once;

  json::Value second = Import(once);
  ASSERT_EQ(N(second, "failed"), 2) << json::Serialize(second);
  const std::string twice = errors_of(second);
  EXPECT_EQ(twice.substr(0, twice.find("\r\n")), "first_name,phone,_line,_error") << twice;
  EXPECT_NE(twice.find("\r\nAda,2065550100,2,\"row has 6 columns, the header 4\",extra,more\r\n"),
            std::string::npos)
      << twice;
  EXPECT_NE(twice.find("\r\nBob,12345,3,\"phone: phone number too short\"\r\n"), std::string::npos)
      << twice;
}

// A file exported by GET /api/leads/export.csv goes back in with its tags whole: a JSON array
// cell is its items (commas and semicolons inside a tag kept); other cells split on ; and ,.
TEST_F(ImportsApi, AnExportedTagsCellImportsItsItems) {
  ASSERT_EQ(
      admin_.Post("/api/leads", R"({"email":"a@example.com","tags":["a","b c","x;y"]})").status,
      201);
  auto exported = admin_.Get("/api/leads/export.csv");
  ASSERT_EQ(exported.status, 200);
  ASSERT_EQ(admin_.Post("/api/leads/bulk", R"({"filter":{},"operation":{"delete":true}})").status,
            200);
  json::Value job = Import(exported.body);
  ASSERT_EQ(N(job, "created"), 1) << json::Serialize(job);
  auto leads = Leads("a%40example.com");
  ASSERT_EQ(leads.size(), 1u);
  std::vector<std::string> tags;
  for (const auto& t : leads[0].Find("tags")->items()) tags.push_back(t.as_string());
  EXPECT_EQ(tags, (std::vector<std::string>{"a", "b c", "x;y"}));
}

TEST_F(ImportsApi, DedupePolicies) {
  auto existing = admin_.Post("/api/leads",
                              R"({"phone":"+12065550100","first_name":"Old","company":"Initech"})");
  ASSERT_EQ(existing.status, 201) << existing.body;
  const std::string existing_id = existing.Json().Find("id")->as_string();
  const std::string csv =
      "first_name,last_name,email,phone,company\n"
      "New,Name,ada@example.com,2065550100,Acme\n"  // matches the existing lead by phone
      "Twin,One,twin@example.com,2065550105,\n"
      "Twin,Two,twin@example.com,2065550106,\n";  // repeats row 3's email

  json::Value skip = Import(csv, "dedupe=skip");
  EXPECT_EQ(N(skip, "created"), 1);
  EXPECT_EQ(N(skip, "skipped"), 2);
  EXPECT_EQ(N(skip, "updated"), 0);
  auto lead = admin_.Get("/api/leads/" + existing_id).Json();
  EXPECT_EQ(lead.Find("first_name")->as_string(), "Old");

  json::Value fill = Import(csv, "dedupe=update&update_mode=fill");
  EXPECT_EQ(N(fill, "updated"), 1) << json::Serialize(fill);
  lead = admin_.Get("/api/leads/" + existing_id).Json();
  EXPECT_EQ(lead.Find("first_name")->as_string(), "Old");  // kept
  EXPECT_EQ(lead.Find("last_name")->as_string(), "Name");  // filled
  EXPECT_EQ(lead.Find("email")->as_string(), "ada@example.com");
  EXPECT_EQ(lead.Find("company")->as_string(), "Initech");

  json::Value overwrite = Import(csv, "dedupe=update&update_mode=overwrite");
  EXPECT_EQ(N(overwrite, "updated"), 1) << json::Serialize(overwrite);
  // The twin lead matches but has these values already; its repeat is an in-file duplicate.
  EXPECT_EQ(N(overwrite, "skipped"), 2);
  lead = admin_.Get("/api/leads/" + existing_id).Json();
  EXPECT_EQ(lead.Find("first_name")->as_string(), "New");
  EXPECT_EQ(lead.Find("company")->as_string(), "Acme");

  // create: a second lead with the same email is fine, the same phone never is.
  json::Value create = Import(
      "email,phone\nada@example.com,2065550107\nada@example.com,2065550100\n", "dedupe=create");
  EXPECT_EQ(N(create, "created"), 1) << json::Serialize(create);
  EXPECT_EQ(N(create, "skipped"), 1);
  EXPECT_EQ(Leads("ada%40example.com").size(), 2u);
}

// Batches of two rows: every repeat below is found in an earlier transaction than its first
// occurrence, and must be decided exactly as within one.
class ImportsAcrossBatches : public ImportsApi {
 protected:
  void SetUp() override { Start(true, {}, /*batch_rows=*/2); }

  std::string Outcomes(const std::string& job_id) {
    return Sql(
        "SELECT string_agg(line || ':' || outcome, ' ' ORDER BY seq) FROM import_rows "
        "WHERE import_id = $1",
        db::Params().Add(job_id));
  }
};

TEST_F(ImportsAcrossBatches, RepeatsOfEarlierBatchesAreInFileDuplicates) {
  auto existing = admin_.Post("/api/leads", R"({"phone":"+12065550100","first_name":"Old"})");
  ASSERT_EQ(existing.status, 201) << existing.body;
  const std::string csv =
      "first_name,email,phone\n"
      "New,ada@example.com,2065550100\n"      // line 2: matches the existing lead
      "Fresh,fresh@example.com,2065550101\n"  // line 3: new
      "Again,,2065550101\n"                   // line 4: line 3's phone, next batch
      "Twice,ada@example.com,2065550102\n"    // line 5: line 2's email, next batch
      "Other,other@example.com,2065550103\n"  // line 6: new
      "Bad,bad@example.com,12345\n";          // line 7: invalid phone
  for (const char* policy : {"skip", "update"}) {
    SCOPED_TRACE(policy);
    json::Value job = Import(csv, std::string("dedupe=") + policy + "&update_mode=overwrite");
    ASSERT_EQ(job.Find("status")->as_string(), "completed") << json::Serialize(job);
    EXPECT_EQ(N(job, "total_rows"), 6);
    EXPECT_EQ(N(job, "failed"), 1);
    const std::string id = job.Find("id")->as_string();
    if (std::string(policy) == "skip") {
      EXPECT_EQ(N(job, "created"), 2);
      EXPECT_EQ(N(job, "skipped"), 3);
      EXPECT_EQ(Outcomes(id), "2:skip_duplicate 4:skip_in_file 5:skip_in_file 7:failed");
    } else {
      // Lines 2, 3 and 6 match leads now (3 and 6 with the values they already have); the
      // repeats of lines 2 and 3 in later batches stay in-file duplicates, not second updates.
      EXPECT_EQ(N(job, "created"), 0);
      EXPECT_EQ(N(job, "updated"), 1) << json::Serialize(job);
      EXPECT_EQ(N(job, "skipped"), 4);
      EXPECT_EQ(Outcomes(id),
                "2:update 3:unchanged 4:skip_in_file 5:skip_in_file 6:unchanged 7:failed");
      EXPECT_EQ(admin_.Get("/api/leads/" + existing.Json().Find("id")->as_string())
                    .Json()
                    .Find("first_name")
                    ->as_string(),
                "New");
    }
  }
  // Created leads are recorded by the import id they carry, not as rows.
  EXPECT_EQ(Sql("SELECT count(*) FROM leads WHERE import_id IS NOT NULL"), "2");
}

TEST_F(ImportsAcrossBatches, CreatePolicyStillNeverSharesAPhone) {
  json::Value job = Import(
      "email,phone\n"
      "a@example.com,2065550100\n"
      "b@example.com,2065550101\n"
      "a@example.com,2065550102\n"   // same email, next batch: created under `create`
      "c@example.com,2065550100\n",  // line 2's phone, next batch: never
      "dedupe=create");
  EXPECT_EQ(N(job, "created"), 3) << json::Serialize(job);
  EXPECT_EQ(N(job, "skipped"), 1);
  EXPECT_EQ(Leads("a%40example.com").size(), 2u);
}

TEST_F(ImportsAcrossBatches, CancelStopsBetweenBatchesAndKeepsWhatWasCommitted) {
  std::string csv = "email,phone\n";
  for (int i = 0; i < 400; ++i)
    csv += "u" + std::to_string(i) + "@example.com,206555" + std::to_string(1000 + i) + "\n";
  auto r = Upload(csv);
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string id = r.Json().Find("id")->as_string();
  for (int i = 0; i < 1000; ++i) {
    if (N(admin_.Get("/api/imports/" + id).Json(), "total_rows") > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto cancel = admin_.Post("/api/imports/" + id + "/cancel", "{}");
  ASSERT_EQ(cancel.status, 200) << cancel.body;
  json::Value job = Wait(id);
  EXPECT_EQ(job.Find("status")->as_string(), "cancelled") << json::Serialize(job);
  // Whatever was committed before the cancel is counted exactly, and nothing after it.
  EXPECT_EQ(std::to_string(N(job, "created")),
            Sql("SELECT count(*) FROM leads WHERE import_id = $1", db::Params().Add(id)));
  EXPECT_GT(N(job, "total_rows"), 0);
  EXPECT_LT(N(job, "total_rows"), 400);
}

// A query: whether the planner's statistics of `table` list $1 among the most common values
// of `column`, i.e. know how many rows have it.
std::string InStatistics(const std::string& table, const std::string& column) {
  return "SELECT coalesce($1 = ANY (most_common_vals::text::uuid[]), false) FROM pg_stats "
         "WHERE tablename = '" +
         table + "' AND attname = '" + column + "'";
}

// The first import of an organization the planner's statistics do not know yet. With every
// organization they know among the most common values, a new one is estimated at one row,
// and the per-row phone lookup was planned through any index starting with organization_id
// (reading every lead of the organization for each row of the next batch). The table-wide
// rule (ANALYZE once the table changed by more than it held) does not fire here: 2,500 new
// leads in a table of 3,000. The same holds for a new job's rows in import_rows and for an
// organization's DNC list.
class ImportsIntoANewOrganization : public ImportsApi {
 protected:
  void SetUp() override { Start(true, {}, /*batch_rows=*/1200); }

  // 3,000 leads of the other organization, analysed; autovacuum off for leads, so only the
  // import may analyse and the outcome does not depend on autovacuum's timing.
  void OnlyAnotherOrganizationInTheStatistics() {
    Sql("ALTER TABLE leads SET (autovacuum_enabled = false)");
    Sql("INSERT INTO leads (organization_id, phone, first_name, source) "
        "SELECT $1, '+1206555' || lpad(g::text, 4, '0'), 'Known', 'web' "
        "FROM generate_series(1, 3000) g",
        db::Params().Add(other_.organization_id));
    Sql("ANALYZE leads");
  }

  // A transaction of the owner holding the lock ANALYZE needs on leads, as an autovacuum or a
  // dry run's ANALYZE does; a ROLLBACK on the connection lets go of it.
  Result<db::PooledConnection> HoldStatisticsLock() {
    ASSIGN_OR_RETURN(db::PooledConnection conn, app_->db().owner_pool().Acquire());
    RETURN_IF_ERROR(conn->ExecScript("BEGIN; LOCK TABLE leads IN SHARE UPDATE EXCLUSIVE MODE"));
    return conn;
  }

  // `rows` rows that each create a lead.
  static std::string NewLeadsCsv(int rows) {
    std::string csv = "email,phone\n";
    for (int i = 0; i < rows; ++i)
      csv += "n" + std::to_string(i) + "@example.com,425555" + std::to_string(1000 + i) + "\n";
    return csv;
  }
};

TEST_F(ImportsIntoANewOrganization, RefreshesThePlannersViewOfTheOrganization) {
  OnlyAnotherOrganizationInTheStatistics();
  const std::string org_known = InStatistics("leads", "organization_id");
  ASSERT_EQ(Sql(org_known, db::Params().Add(org_.organization_id)), "f");

  json::Value job = Import(NewLeadsCsv(2500));
  ASSERT_EQ(job.Find("status")->as_string(), "completed") << json::Serialize(job);
  EXPECT_EQ(N(job, "created"), 2500);

  EXPECT_EQ(Sql(org_known, db::Params().Add(org_.organization_id)), "t");
  EXPECT_NE(Sql("EXPLAIN (FORMAT JSON) SELECT id FROM leads WHERE organization_id = '" +
                org_.organization_id + "' AND phone = '+14255551000' AND deleted_at IS NULL")
                .find("leads_phone_key"),
            std::string::npos);
}

TEST_F(ImportsIntoANewOrganization, RefreshesThePlannersViewOfTheJobsKeptRows) {
  Sql("ALTER TABLE import_rows SET (autovacuum_enabled = false)");
  // Every row fails (no valid contact), so each is kept in import_rows.
  auto failing = [](int rows) {
    std::string csv = "email,phone\n";
    for (int i = 0; i < rows; ++i) csv += "not-an-email-" + std::to_string(i) + ",12345\n";
    return csv;
  };
  json::Value first = Import(failing(3000));
  ASSERT_EQ(N(first, "failed"), 3000) << json::Serialize(first);
  Sql("ANALYZE import_rows");  // the statistics know the first job only

  // 2,500 kept rows never outgrow a table of 3,000 (0008's rule); the new job's estimate of
  // one row is what must be corrected.
  json::Value second = Import(failing(2500));
  ASSERT_EQ(N(second, "failed"), 2500) << json::Serialize(second);
  EXPECT_EQ(Sql(InStatistics("import_rows", "import_id"),
                db::Params().Add(second.Find("id")->as_string())),
            "t");
}

TEST_F(ImportsIntoANewOrganization, RefreshesThePlannersViewOfTheOrganizationsDncList) {
  Sql("ALTER TABLE dnc_list SET (autovacuum_enabled = false)");
  const std::string numbers =
      "INSERT INTO dnc_list (organization_id, phone) "
      "SELECT $1, '+1206556' || lpad(g::text, 4, '0') FROM generate_series(1, $2::int) g";
  Sql(numbers, db::Params().Add(other_.organization_id).Add(3000));
  Sql("ANALYZE dnc_list");
  Sql(numbers, db::Params().Add(org_.organization_id).Add(5000));
  ASSERT_EQ(
      Sql(InStatistics("dnc_list", "organization_id"), db::Params().Add(org_.organization_id)),
      "f");

  json::Value job = Import("email,phone\na@example.com,2065560001\n");
  EXPECT_EQ(N(job, "dnc_flagged"), 1) << json::Serialize(job);
  EXPECT_EQ(
      Sql(InStatistics("dnc_list", "organization_id"), db::Params().Add(org_.organization_id)),
      "t");
}

// Another transaction holding the statistics lock for good (a long dry run's ANALYZE, a
// manual VACUUM) makes the refresh skip a table after deadlock_timeout plus two seconds, not
// wait for it.
TEST_F(ImportsIntoANewOrganization, DoesNotWaitForTheStatisticsLockOfAnotherTransaction) {
  OnlyAnotherOrganizationInTheStatistics();
  auto holder = HoldStatisticsLock();
  ASSERT_TRUE(holder.ok()) << holder.status().ToString();

  json::Value job = Import(NewLeadsCsv(2500));
  ASSERT_TRUE((*holder)->Exec("ROLLBACK").ok());
  ASSERT_FALSE(job.is_null());
  EXPECT_EQ(job.Find("status")->as_string(), "completed") << json::Serialize(job);
  EXPECT_EQ(N(job, "created"), 2500);
}

// An autovacuum of leads holds the lock ANALYZE needs, and PostgreSQL cancels it only once
// a waiter has waited deadlock_timeout (1 s). A refresh that gave up at one second lost that
// race and skipped; the import's next batches were planned with the organization at one row
// (300,000 rows: ~100 s instead of ~20 s). A lock released after 1.5 s stands in for the
// cancelled autovacuum here: the ANALYZE must still run.
TEST_F(ImportsIntoANewOrganization, TheRefreshOutwaitsTheDeadlockTimeoutForTheStatisticsLock) {
  auto holder = HoldStatisticsLock();
  ASSERT_TRUE(holder.ok()) << holder.status().ToString();
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    EXPECT_TRUE((*holder)->Exec("ROLLBACK").ok());
  });
  const auto start = std::chrono::steady_clock::now();
  const std::string analysed = Sql("SELECT app_try_analyze('leads')");
  const auto waited = std::chrono::steady_clock::now() - start;
  releaser.join();
  EXPECT_EQ(analysed, "t");
  EXPECT_GE(waited, std::chrono::milliseconds(1400));  // it did wait for the lock
}

// A job resumed after a crash between a batch's commit and the statistics refresh after it:
// the resumed run refreshes before its first batch, not only after it. Here the refreshes of
// the first run skip (the test holds the statistics lock), the worker stops after a batch,
// and the restarted worker finishes the job. The ANALYZE must come before the resumed run's
// first batch, i.e. before its leads were created.
TEST_F(ImportsIntoANewOrganization, AResumedJobRefreshesStatisticsBeforeItsFirstBatch) {
  OnlyAnotherOrganizationInTheStatistics();
  auto holder = HoldStatisticsLock();
  ASSERT_TRUE(holder.ok()) << holder.status().ToString();

  auto r = Upload(NewLeadsCsv(3600));  // three batches of 1,200
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string id = r.Json().Find("id")->as_string();
  const std::string processed = "SELECT processed_rows FROM import_jobs WHERE id = $1";
  for (int i = 0; i < 600 && std::stoll("0" + Sql(processed, db::Params().Add(id))) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  app_->api().StopWorkers();  // during the first batch's refresh, which waits for the lock
  const int64_t done_before = std::stoll("0" + Sql(processed, db::Params().Add(id)));
  ASSERT_GT(done_before, 0);
  ASSERT_LT(done_before, 3600);
  ASSERT_TRUE((*holder)->Exec("ROLLBACK").ok());
  ASSERT_EQ(Sql("SELECT last_analyze IS NULL OR last_analyze < (SELECT min(created_at) FROM "
                "leads WHERE import_id = $1) FROM pg_stat_user_tables WHERE relname = 'leads'",
                db::Params().Add(id)),
            "t")
      << "the first run's refreshes were to skip";

  const std::string resumed_at = Sql("SELECT clock_timestamp()::text");
  app_->api().StartWorkers();
  json::Value job = Wait(id);
  ASSERT_EQ(job.Find("status")->as_string(), "completed") << json::Serialize(job);
  EXPECT_EQ(N(job, "created"), 3600);
  // Analysed by the resumed run, before any lead of it was written.
  EXPECT_EQ(Sql("SELECT last_analyze > $2::timestamptz AND last_analyze < (SELECT min(created_at) "
                "FROM leads WHERE import_id = $1 AND created_at > $2::timestamptz) "
                "FROM pg_stat_user_tables WHERE relname = 'leads'",
                db::Params().Add(id).Add(resumed_at)),
            "t");
}

// A dry run is one transaction; its ANALYZE sees the transaction's own leads (and is rolled
// back with them, but counted).
TEST_F(ImportsIntoANewOrganization, RefreshesStatisticsDuringADryRun) {
  OnlyAnotherOrganizationInTheStatistics();
  const std::string analysed =
      "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'leads'";
  const std::string before = Sql(analysed);

  const std::string path = app_->spool_dir() + "/dry-run.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << NewLeadsCsv(2500);
  }
  imports::ImportServiceOptions options;
  options.spool_dir = app_->spool_dir();
  options.batch_rows = 1200;
  imports::ImportService service(app_->db().app_pool(), options);
  db::TenantContext tenant{org_.organization_id, org_.user_id, "", "test", "import"};
  auto job = service.RunFile(tenant, path, imports::ImportOptions{}, /*dry_run=*/true, nullptr);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->counts.created, 2500);

  EXPECT_GT(std::stoll(Sql(analysed)), std::stoll(before));
  EXPECT_EQ(Sql("SELECT count(*) FROM leads WHERE organization_id = $1",
                db::Params().Add(org_.organization_id)),
            "0");
}

// Batches written two at a time (ImportServiceOptions::overlap_batches): a batch's rows that
// cannot repeat the previous batch are written while that one is still being written, and
// every row meets the decision it meets one batch at a time.
class ImportsOverlappingBatches : public ImportsApi {
 protected:
  void SetUp() override { Start(/*workers=*/false); }

  // Imports `csv` into `org` as `leadline import` does, in batches of `batch_rows`.
  Result<imports::ImportJob> RunFile(const auth::NewOrganization& org, const std::string& csv,
                                     bool overlap, imports::DedupePolicy dedupe, int64_t batch_rows,
                                     imports::UpdateMode update_mode = imports::UpdateMode::kFill) {
    const std::string path = app_->spool_dir() + "/overlap-" + org.organization_id + ".csv";
    {
      std::ofstream out(path, std::ios::binary);
      out << csv;
    }
    imports::ImportServiceOptions options;
    options.spool_dir = app_->spool_dir();
    options.batch_rows = batch_rows;
    options.overlap_batches = overlap;
    imports::ImportService service(app_->db().app_pool(), options);
    db::TenantContext tenant{org.organization_id, org.user_id, "", "test", "import"};
    imports::ImportOptions import_options;
    import_options.dedupe = dedupe;
    import_options.update_mode = update_mode;
    return service.RunFile(tenant, path, import_options, /*dry_run=*/false, nullptr);
  }

  // Each kept row's line, outcome and the line it repeats; and each created lead.
  std::string Outcomes(const std::string& job_id) {
    return Sql(
        "SELECT coalesce(string_agg(line || ':' || outcome || ':' || coalesce(duplicate_of, 0) || "
        "':' || coalesce(previous->>'first_name', '') || ':' || coalesce(version_after, 0), "
        "' ' ORDER BY seq), '') FROM import_rows WHERE import_id = $1",
        db::Params().Add(job_id));
  }
  std::string CreatedLeads(const std::string& job_id) {
    return Sql(
        "SELECT coalesce(string_agg(first_name || '/' || coalesce(phone, '') || '/' || "
        "coalesce(email, ''), ' ' ORDER BY first_name), '') FROM leads WHERE import_id = $1",
        db::Params().Add(job_id));
  }
};

// Batch 1 (rows 1-100) and batch 2 (101-200) are written one after the other, as every run's
// first two; batch 3 (201-300), which assigns leads to a user whose row the test locks, then
// waits in its foreign-key check while batch 4 (301-400) is written beside it.
class ImportsBesideABlockedBatch : public ImportsOverlappingBatches {
 protected:
  void SetUp() override {
    ImportsOverlappingBatches::SetUp();
    auto owner =
        admin_.Post("/api/users",
                    R"({"email":"owner@example.com","password":"correct-horse-1","role":"agent"})");
    ASSERT_EQ(owner.status, 201) << owner.body;
    owner_id_ = owner.Json().Find("id")->as_string();
    auto lock = app_->db().owner_pool().Acquire();
    ASSERT_TRUE(lock.ok());
    lock_.emplace(std::move(*lock));
    ASSERT_TRUE((*lock_)->ExecScript("BEGIN").ok());
    ASSERT_TRUE(
        (*lock_)
            ->Exec("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", db::Params().Add(owner_id_))
            .ok());
    auto pid = (*lock_)->Exec("SELECT pg_backend_pid()");
    ASSERT_TRUE(pid.ok());
    lock_pid_ = std::string(pid->Get(0, 0));
  }

  // Row `i` (0-based) of 400: a new lead, owned by the locked user in batch 3; `row` may change
  // any of them.
  void StartImport(imports::DedupePolicy dedupe,
                   const std::function<void(int i, std::string& phone, std::string& email,
                                            std::string& owner)>& row = nullptr) {
    csv_ = "first_name,phone,email,owner\n";
    for (int i = 0; i < 400; ++i) {
      std::string phone = "+1425555" + std::to_string(1000 + i), email;
      std::string owner = i >= 200 && i < 300 ? owner_id_ : "";
      if (row) row(i, phone, email, owner);
      csv_ += "Lead" + std::to_string(i) + "," + phone + "," + email + "," + owner + "\n";
    }
    run_ = std::async(std::launch::async, [this, dedupe] {
      return RunFile(org_, csv_, /*overlap=*/true, dedupe, 100, imports::UpdateMode::kOverwrite);
    });
  }

  void TearDown() override {
    if (lock_) (void)(*lock_)->ExecScript("ROLLBACK");
    if (run_.valid()) run_.wait();
    lock_.reset();
  }

  // Waits up to `seconds` for the import's transactions to be: one waiting for the lock, and
  // `written` transactions holding written rows while they wait for it.
  bool WaitUntilBlockedWith(int written, int seconds) {
    for (int i = 0; i < seconds * 20; ++i) {
      if (Sql("SELECT count(*) FILTER (WHERE wait_event_type = 'Lock') = 1 "
              "   AND count(*) FILTER (WHERE state = 'idle in transaction' "
              "                         AND backend_xid IS NOT NULL) = $2 "
              "FROM pg_stat_activity WHERE datname = current_database() AND pid <> $1",
              db::Params().Add(lock_pid_).Add(std::to_string(written))) == "t") {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // Releases the lock; the import must then complete.
  Result<imports::ImportJob> Release() {
    EXPECT_TRUE((*lock_)->ExecScript("ROLLBACK").ok());
    auto job = run_.get();
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    if (job.ok()) {
      EXPECT_EQ(job->status, imports::JobStatus::kCompleted);
    }
    return job;
  }

  // Releases the lock; the import must then complete with every row a new lead.
  void ReleaseAndExpectEveryLead() {
    auto job = Release();
    ASSERT_TRUE(job.ok());
    EXPECT_EQ(job->counts.created, 400);
    EXPECT_EQ(Sql("SELECT count(*) FROM leads WHERE organization_id = $1",
                  db::Params().Add(org_.organization_id)),
              "400");
    EXPECT_EQ(Sql("SELECT count(*) FROM leads WHERE assigned_to = $1", db::Params().Add(owner_id_)),
              "100");
  }

  std::string owner_id_, csv_, lock_pid_;
  std::optional<db::PooledConnection> lock_;
  std::future<Result<imports::ImportJob>> run_;
};

TEST_F(ImportsBesideABlockedBatch, TheNextBatchIsWrittenWhileThePreviousOneIsStillOpen) {
  StartImport(imports::DedupePolicy::kSkip);
  EXPECT_TRUE(WaitUntilBlockedWith(/*written=*/1, 5))
      << "batch 4 was not written while batch 3 waited";
  ReleaseAndExpectEveryLead();
}

TEST_F(ImportsBesideABlockedBatch, ABatchThatWaitsTooLongLetsGoAndWritesAfterThePreviousOne) {
  StartImport(imports::DedupePolicy::kSkip);
  ASSERT_TRUE(WaitUntilBlockedWith(/*written=*/1, 5));
  // Ten seconds on, batch 4 rolls its rows back (the previous batch might be waiting for one
  // of its locks), and writes them once batch 3 has committed.
  EXPECT_TRUE(WaitUntilBlockedWith(/*written=*/0, 20)) << "batch 4 kept its rows";
  ReleaseAndExpectEveryLead();
}

TEST_F(ImportsBesideABlockedBatch, UnderUpdateARowMatchingALeadThePreviousBatchUpdatesWaits) {
  // Known is matched by its phone in batch 3 (row 200, whose update of Known then waits for the
  // locked owner) and by its email in batch 4 (row 300, another phone): keys the two rows do
  // not share, one lead. Row 300 must wait, then find that row 200 updated Known: it repeats
  // row 200, as it would within one batch.
  Sql("INSERT INTO leads (organization_id, first_name, phone, email) "
      "VALUES ($1, 'Known', '+14255559000', 'known@example.com')",
      db::Params().Add(org_.organization_id));
  StartImport(imports::DedupePolicy::kUpdate,
              [](int i, std::string& phone, std::string& email, std::string& owner) {
                if (i == 200) phone = "+14255559000";
                if (i > 200) owner.clear();  // batch 3 waits in its update, holding Known
                if (i == 300) email = "known@example.com";
              });
  EXPECT_TRUE(WaitUntilBlockedWith(/*written=*/1, 5))
      << "batch 4 did not write beside batch 3 (or wrote row 300 without waiting)";
  auto job = Release();
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->counts.created, 398);
  EXPECT_EQ(job->counts.updated, 1);
  EXPECT_EQ(job->counts.skipped, 1);
  // Overwritten by row 200 only.
  EXPECT_EQ(Sql("SELECT first_name || ' ' || phone || ' v' || version FROM leads "
                "WHERE email = 'known@example.com'"),
            "Lead200 +14255559000 v2");
  EXPECT_EQ(Sql("SELECT outcome || ' ' || r.duplicate_of || ' ' || (SELECT line FROM import_rows f "
                "  WHERE f.import_id = r.import_id AND f.seq = r.duplicate_of) "
                "FROM import_rows r WHERE import_id = $1 AND line = 302",
                db::Params().Add(job->id)),
            "skip_duplicate 201 202");
}

// 90 rows for batches of 3, drawing from 12 phones and 9 emails, so that rows repeat rows of the
// batch before, of earlier batches and of their own, by phone, by email or both, and match the
// two leads each organization already holds (Known2 by its phone and by its email).
class ImportsOverlappingWithRepeats : public ImportsOverlappingBatches {
 protected:
  void SetUp() override {
    ImportsOverlappingBatches::SetUp();
    uint32_t state = 7;
    auto next = [&state](uint32_t n) {
      state = state * 1103515245u + 12345u;
      return (state >> 16) % n;
    };
    csv_ = "first_name,phone,email\n";
    for (int i = 0; i < 90; ++i) {
      const uint32_t phone = next(14), email = next(11);
      csv_ += "Row" + std::to_string(100 + i) + "," +
              (phone < 12    ? "+1206555" + std::to_string(1000 + phone)
               : phone == 12 ? ""
                             : "123") +
              "," + (email < 9 ? "e" + std::to_string(email) + "@example.com" : "") + "\n";
    }
    for (const auto* org : {&org_, &other_}) {
      Sql("INSERT INTO leads (organization_id, first_name, phone, email) VALUES "
          "($1, 'Known1', '+12065551003', NULL), ($1, 'Known2', '+12065551005', 'e4@example.com')",
          db::Params().Add(org->organization_id));
    }
  }

  // Imports the file into `other_` one batch at a time and into `org_` two at a time; every
  // row's outcome, the leads created and the leads the organizations held must agree.
  void ExpectTheSameDecisions(imports::DedupePolicy dedupe,
                              imports::UpdateMode mode = imports::UpdateMode::kFill) {
    auto one_at_a_time = RunFile(other_, csv_, /*overlap=*/false, dedupe, 3, mode);
    auto overlapping = RunFile(org_, csv_, /*overlap=*/true, dedupe, 3, mode);
    ASSERT_TRUE(one_at_a_time.ok()) << one_at_a_time.status().ToString();
    ASSERT_TRUE(overlapping.ok()) << overlapping.status().ToString();
    EXPECT_EQ(overlapping->counts.created, one_at_a_time->counts.created);
    EXPECT_EQ(overlapping->counts.updated, one_at_a_time->counts.updated);
    EXPECT_EQ(overlapping->counts.skipped, one_at_a_time->counts.skipped);
    EXPECT_EQ(overlapping->counts.failed, one_at_a_time->counts.failed);
    EXPECT_GT(overlapping->counts.skipped, 20);
    EXPECT_EQ(Outcomes(overlapping->id), Outcomes(one_at_a_time->id));
    EXPECT_EQ(CreatedLeads(overlapping->id), CreatedLeads(one_at_a_time->id));
    EXPECT_EQ(KnownLeads(org_), KnownLeads(other_));
  }

  // The leads the organization held before, as they are now, and what undo would restore.
  std::string KnownLeads(const auth::NewOrganization& org) {
    return Sql(
        "SELECT string_agg(coalesce(first_name, '') || '/' || coalesce(phone, '') || '/' || "
        "coalesce(email, '') || '/' || version, ' ' ORDER BY phone) FROM leads "
        "WHERE organization_id = $1 AND import_id IS NULL",
        db::Params().Add(org.organization_id));
  }

  std::string csv_;
};

TEST_F(ImportsOverlappingWithRepeats, SkipMakesTheDecisionsOfOneBatchAtATime) {
  ExpectTheSameDecisions(imports::DedupePolicy::kSkip);
}

TEST_F(ImportsOverlappingWithRepeats, CreateMakesTheDecisionsOfOneBatchAtATime) {
  ExpectTheSameDecisions(imports::DedupePolicy::kCreate);
}

TEST_F(ImportsOverlappingWithRepeats, UpdateMakesTheDecisionsOfOneBatchAtATime) {
  ExpectTheSameDecisions(imports::DedupePolicy::kUpdate, imports::UpdateMode::kOverwrite);
  EXPECT_GT(std::stoll(Sql("SELECT count(*) FROM import_rows "
                           "WHERE organization_id = $1 AND outcome = 'update'",
                           db::Params().Add(org_.organization_id))),
            0);
}

TEST_F(ImportsApi, DncNumbersAreFlaggedOrSkipped) {
  ASSERT_EQ(admin_.Post("/api/dnc", R"({"phone":"+12065550100"})").status, 201);
  const std::string csv = "email,phone\na@example.com,2065550100\nb@example.com,2065550101\n";
  json::Value flagged = Import(csv);
  EXPECT_EQ(N(flagged, "created"), 2);
  EXPECT_EQ(N(flagged, "dnc_flagged"), 1);
  auto a = Leads("a%40example.com");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_NE(json::Serialize(*a[0].Find("tags")).find("\"dnc\""), std::string::npos);
  EXPECT_EQ(json::Serialize(*Leads("b%40example.com")[0].Find("tags")).find("dnc"),
            std::string::npos);

  json::Value skipped = Import("email,phone\nc@example.com,2065550100\n", "dnc=skip&dedupe=create");
  EXPECT_EQ(N(skipped, "created"), 0);
  EXPECT_EQ(N(skipped, "skipped"), 1);
}

TEST_F(ImportsApi, UndoDeletesCreatedAndRestoresUpdated) {
  auto existing = admin_.Post("/api/leads", R"({"phone":"+12065550100","first_name":"Old"})");
  const std::string existing_id = existing.Json().Find("id")->as_string();
  auto untouched = admin_.Post("/api/leads", R"({"phone":"+12065550109","first_name":"Keep"})");
  json::Value job = Import(
      "first_name,phone\nNew,2065550100\nFresh,2065550101\nFresher,2065550102\nEdited,2065550109\n",
      "dedupe=update&update_mode=overwrite");
  ASSERT_EQ(N(job, "created"), 2);
  ASSERT_EQ(N(job, "updated"), 2);
  // Someone edits one of the updated leads after the import: undo leaves it alone.
  auto edited = admin_.Patch("/api/leads/" + untouched.Json().Find("id")->as_string(),
                             R"({"first_name":"Mine"})");
  ASSERT_EQ(edited.status, 200) << edited.body;

  const std::string id = job.Find("id")->as_string();
  auto undo = admin_.Post("/api/imports/" + id + "/undo", "{}");
  ASSERT_EQ(undo.status, 200) << undo.body;
  EXPECT_EQ(undo.Json().Find("deleted")->as_int(), 2);
  EXPECT_EQ(undo.Json().Find("restored")->as_int(), 1);
  EXPECT_EQ(undo.Json().Find("kept")->as_int(), 1);
  EXPECT_FALSE(undo.Json().Find("job")->Find("undone_at")->is_null());
  EXPECT_EQ(admin_.Get("/api/leads/" + existing_id).Json().Find("first_name")->as_string(), "Old");
  EXPECT_TRUE(Leads("fresh").empty());
  EXPECT_EQ(admin_.Get("/api/leads/" + untouched.Json().Find("id")->as_string())
                .Json()
                .Find("first_name")
                ->as_string(),
            "Mine");
  EXPECT_EQ(admin_.Post("/api/imports/" + id + "/undo", "{}").status, 409);
}

// A lead undo cannot put back is kept and everything else is undone: one whose old phone
// another lead took since, one the import converted (converted is terminal).
TEST_F(ImportsApi, UndoKeepsWhatCannotGoBackAndUndoesTheRest) {
  auto moved = admin_.Post("/api/leads", R"({"email":"moved@example.com","phone":"+12065550100"})");
  auto won = admin_.Post("/api/leads", R"({"email":"won@example.com","status":"qualified"})");
  auto plain = admin_.Post("/api/leads", R"({"email":"plain@example.com","first_name":"Old"})");
  ASSERT_EQ(plain.status, 201) << plain.body;
  json::Value job = Import(
      "email,phone,status,first_name\n"
      "moved@example.com,2065550199,,\n"
      "won@example.com,,converted,\n"
      "plain@example.com,,,New\n"
      "fresh@example.com,2065550150,,\n",
      "dedupe=update&update_mode=overwrite");
  ASSERT_EQ(N(job, "updated"), 3) << json::Serialize(job);
  ASSERT_EQ(N(job, "created"), 1);
  // Since the import, a new lead took the moved lead's old phone.
  ASSERT_EQ(admin_.Post("/api/leads", R"({"phone":"+12065550100"})").status, 201);

  auto undo = admin_.Post("/api/imports/" + job.Find("id")->as_string() + "/undo", "{}");
  ASSERT_EQ(undo.status, 200) << undo.body;
  EXPECT_EQ(undo.Json().Find("deleted")->as_int(), 1);
  EXPECT_EQ(undo.Json().Find("restored")->as_int(), 1);
  EXPECT_EQ(undo.Json().Find("kept")->as_int(), 2);
  auto lead = [&](const HttpResult& created) {
    return admin_.Get("/api/leads/" + created.Json().Find("id")->as_string()).Json();
  };
  EXPECT_EQ(lead(moved).Find("phone")->as_string(), "+12065550199");
  EXPECT_EQ(lead(won).Find("status")->as_string(), "converted");
  EXPECT_EQ(lead(plain).Find("first_name")->as_string(), "Old");
  EXPECT_TRUE(Leads("fresh").empty());
}

// One lead found by two rows, by phone in one batch and by email in a later one: the later row
// repeats the first, as it does within one batch.
TEST_F(ImportsAcrossBatches, ALeadFoundAgainInALaterBatchIsUpdatedOnce) {
  auto ada = admin_.Post("/api/leads",
                         R"({"phone":"+12065550100","email":"ada@example.com","first_name":"A"})");
  ASSERT_EQ(ada.status, 201) << ada.body;
  json::Value job = Import(
      "first_name,email,phone\n"
      "Phone,,2065550100\n"
      "Other,other@example.com,2065550101\n"
      "Email,ada@example.com,\n",
      "dedupe=update&update_mode=overwrite");
  const std::string id = job.Find("id")->as_string();
  EXPECT_EQ(Outcomes(id), "2:update 4:skip_duplicate");
  EXPECT_EQ(N(job, "updated"), 1);
  EXPECT_EQ(N(job, "skipped"), 1);
  EXPECT_EQ(Sql("SELECT duplicate_of FROM import_rows WHERE import_id = $1 AND line = 4",
                db::Params().Add(id)),
            "1");
  EXPECT_EQ(admin_.Get("/api/leads/" + ada.Json().Find("id")->as_string())
                .Json()
                .Find("first_name")
                ->as_string(),
            "Phone");
}

// An edit committed while the import's update of the same lead waits for it: the import updates
// the edited lead, and undo puts back the edited lead, not the lead as it was before the edit.
TEST_F(ImportsApi, UndoNeverRevertsAnEditTheImportWaitedFor) {
  auto lead = admin_.Post("/api/leads", R"({"phone":"+12065550100","first_name":"Old"})");
  ASSERT_EQ(lead.status, 201) << lead.body;
  const std::string id = lead.Json().Find("id")->as_string();
  auto editor = db::Connection::Open(app_->db().conninfo());
  ASSERT_TRUE(editor.ok()) << editor.status().ToString();
  ASSERT_TRUE((*editor)->ExecScript("BEGIN").ok());
  auto edited =
      (*editor)->Exec("UPDATE leads SET company = 'EditedCo' WHERE id = $1", db::Params().Add(id));
  ASSERT_TRUE(edited.ok()) << edited.status().ToString();
  auto started = Upload("phone,title\n2065550100,CTO\n", "dedupe=update&update_mode=overwrite");
  ASSERT_EQ(started.status, 202) << started.body;
  const std::string job_id = started.Json().Find("id")->as_string();
  bool waiting = false;
  for (int i = 0; i < 200 && !waiting; ++i) {
    waiting = Sql("SELECT count(*) > 0 FROM pg_stat_activity "
                  "WHERE datname = current_database() AND wait_event_type = 'Lock'") == "t";
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(waiting) << "the import never waited for the edit";
  ASSERT_TRUE((*editor)->ExecScript("COMMIT").ok());
  json::Value job = Wait(job_id);
  ASSERT_EQ(N(job, "updated"), 1) << json::Serialize(job);
  auto after = admin_.Get("/api/leads/" + id).Json();
  EXPECT_EQ(after.Find("company")->as_string(), "EditedCo");
  EXPECT_EQ(after.Find("title")->as_string(), "CTO");

  auto undo = admin_.Post("/api/imports/" + job_id + "/undo", "{}");
  ASSERT_EQ(undo.status, 200) << undo.body;
  EXPECT_EQ(undo.Json().Find("restored")->as_int(), 1);
  auto undone = admin_.Get("/api/leads/" + id).Json();
  EXPECT_EQ(undone.Find("company")->as_string(), "EditedCo") << "undo reverted the edit";
  EXPECT_TRUE(undone.Find("title")->is_null());
}

TEST_F(ImportsAcrossBatches, UndoRestoresPhonesTheImportMovedBetweenLeads) {
  auto a = admin_.Post("/api/leads", R"({"email":"a@example.com","phone":"+12065550100"})");
  auto c = admin_.Post("/api/leads", R"({"email":"c@example.com","phone":"+12065550102"})");
  ASSERT_EQ(c.status, 201) << c.body;
  // Line 2 moves a's phone away; line 6, two batches on, gives it to c.
  json::Value job = Import(
      "email,phone\n"
      "a@example.com,2065550101\n"
      "x@example.com,2065550110\n"
      "y@example.com,2065550111\n"
      "z@example.com,2065550112\n"
      "c@example.com,2065550100\n",
      "dedupe=update&update_mode=overwrite");
  ASSERT_EQ(N(job, "updated"), 2) << json::Serialize(job) << Outcomes(job.Find("id")->as_string());
  auto phone = [&](const HttpResult& created) {
    return admin_.Get("/api/leads/" + created.Json().Find("id")->as_string())
        .Json()
        .Find("phone")
        ->as_string();
  };
  ASSERT_EQ(phone(c), "+12065550100");

  auto undo = admin_.Post("/api/imports/" + job.Find("id")->as_string() + "/undo", "{}");
  ASSERT_EQ(undo.status, 200) << undo.body;
  EXPECT_EQ(undo.Json().Find("restored")->as_int(), 2);
  EXPECT_EQ(undo.Json().Find("kept")->as_int(), 0);
  EXPECT_EQ(phone(a), "+12065550100");
  EXPECT_EQ(phone(c), "+12065550102");
}

// Owners an import gives and its undo takes back are recorded as assignments, as a PATCH's are.
TEST_F(ImportsApi, OwnerChangesByUpdatesAndUndoAreAssignments) {
  auto agent = admin_.Post("/api/users", R"({"email":"agent@acme.test",)"
                                         R"("password":"correct-horse-1","role":"agent"})");
  ASSERT_EQ(agent.status, 201) << agent.body;
  auto lead = admin_.Post("/api/leads", R"({"email":"ada@example.com"})");
  const std::string lead_id = lead.Json().Find("id")->as_string();
  json::Value job =
      Import("email,owner\nada@example.com,agent@acme.test\n", "dedupe=update&update_mode=fill");
  ASSERT_EQ(N(job, "updated"), 1) << json::Serialize(job);
  auto assignments = [&] {
    return Sql(
        "SELECT string_agg(coalesce(u.email, '-') || ' ' || coalesce(p.email, '-') || ' ' || "
        "  a.strategy || ' ' || a.reason, '; ' ORDER BY a.created_at, a.id) "
        "FROM lead_assignments a LEFT JOIN users u ON u.id = a.assigned_to "
        "LEFT JOIN users p ON p.id = a.previous_assignee WHERE a.lead_id = $1",
        db::Params().Add(lead_id));
  };
  EXPECT_EQ(assignments(), "agent@acme.test - import imported");
  ASSERT_EQ(admin_.Post("/api/imports/" + job.Find("id")->as_string() + "/undo", "{}").status, 200);
  EXPECT_TRUE(admin_.Get("/api/leads/" + lead_id).Json().Find("assigned_to")->is_null());
  EXPECT_EQ(assignments(),
            "agent@acme.test - import imported; - agent@acme.test import import undone");
}

// The default source and owner are for rows without one: an update that overwrites keeps a
// lead's own source and owner, and fills them in only where the lead has none.
TEST_F(ImportsApi, DefaultSourceAndOwnerNeverOverwriteALeadsOwn) {
  auto agent = admin_.Post("/api/users", R"({"email":"agent@acme.test",)"
                                         R"("password":"correct-horse-1","role":"agent"})");
  ASSERT_EQ(agent.status, 201) << agent.body;
  const std::string agent_id = agent.Json().Find("id")->as_string();
  auto owned = admin_.Post("/api/leads", R"({"phone":"+12065550100","source":"zillow",)"
                                         R"("assigned_to":")" +
                                             agent_id + R"("})");
  auto bare = admin_.Post("/api/leads", R"({"phone":"+12065550101"})");
  ASSERT_EQ(bare.status, 201) << bare.body;
  json::Value job =
      Import("phone,first_name\n2065550100,Ada\n2065550101,Bob\n",
             "dedupe=update&update_mode=overwrite&source=csvimport&owner_id=boss%40acme.test");
  ASSERT_EQ(N(job, "updated"), 2) << json::Serialize(job);
  auto lead = [&](const HttpResult& created) {
    return admin_.Get("/api/leads/" + created.Json().Find("id")->as_string()).Json();
  };
  const json::Value a = lead(owned), b = lead(bare);
  EXPECT_EQ(a.Find("first_name")->as_string(), "Ada");
  EXPECT_EQ(a.Find("source")->as_string(), "zillow");
  EXPECT_EQ(a.Find("assigned_to")->as_string(), agent_id);
  EXPECT_EQ(b.Find("source")->as_string(), "csvimport");
  EXPECT_EQ(b.Find("assigned_to")->as_string(), org_.user_id);
}

TEST_F(ImportsApi, PreviewProposesMappingAndChangesNothing) {
  ASSERT_EQ(admin_.Post("/api/leads", R"({"phone":"+12065550100"})").status, 201);
  const std::string csv =
      "Full Name,Mobile,E-mail,Favourite Colour\n"
      "Ada Lovelace,206-555-0100,ada@example.com,blue\n"
      "Grace Hopper,206-555-0101,grace@example.com,red\n"
      "Grace Again,206-555-0101,,green\n"
      "Nobody,,,\n";
  auto r = Upload(csv, "dedupe=update", "/api/imports/preview");
  ASSERT_EQ(r.status, 200) << r.body;
  auto p = r.Json();
  auto columns = p.Find("columns")->items();
  ASSERT_EQ(columns.size(), 4u);
  EXPECT_EQ(columns[0].Find("field")->as_string(), "full_name");
  EXPECT_EQ(columns[1].Find("field")->as_string(), "phone");
  EXPECT_EQ(columns[2].Find("field")->as_string(), "email");
  EXPECT_EQ(columns[3].Find("field")->as_string(), "metadata.Favourite Colour");
  auto rows = p.Find("rows")->items();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].Find("outcome")->as_string(), "update");
  EXPECT_EQ(rows[0].Find("values")->Find("first_name")->as_string(), "Ada");
  EXPECT_EQ(rows[0].Find("values")->Find("phone")->as_string(), "+12065550100");
  EXPECT_EQ(rows[1].Find("outcome")->as_string(), "create");
  EXPECT_EQ(rows[2].Find("outcome")->as_string(), "skip_in_file");
  EXPECT_EQ(rows[2].Find("duplicate_of_line")->as_int(), 3);
  EXPECT_EQ(rows[3].Find("outcome")->as_string(), "failed");
  EXPECT_FALSE(rows[3].Find("errors")->items().empty());
  EXPECT_TRUE(Leads("grace").empty());
  EXPECT_TRUE(admin_.Get("/api/imports").Json().Find("data")->items().empty());

  // An explicit mapping overrides the guess; an unknown field is a 422 naming it.
  auto mapped =
      Upload(csv, "mapping=%7B%22Favourite%20Colour%22%3A%22%22%7D", "/api/imports/preview");
  ASSERT_EQ(mapped.status, 200) << mapped.body;
  EXPECT_TRUE(mapped.Json().Find("columns")->items()[3].Find("field")->is_null());
  auto bad = Upload(csv, "mapping=%7B%22Mobile%22%3A%22shoe_size%22%7D", "/api/imports/preview");
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_NE(bad.body.find("mapping.Mobile"), std::string::npos) << bad.body;
}

// The preview applies its rows as the job does (and rolls back): for every kind of row, the
// outcome it shows is the one the import of the same file then has.
TEST_F(ImportsApi, PreviewShowsWhatTheJobThenDoes) {
  ASSERT_EQ(
      admin_.Post("/api/leads", R"({"phone":"+12065550100","email":"ada@example.com"})").status,
      201);
  ASSERT_EQ(admin_.Post("/api/dnc", R"({"phone":"+12065550105"})").status, 201);
  const std::string csv =
      "email,phone,timezone,owner\n"
      "zone@example.com,2065550101,Mars/Olympus,\n"         // line 2: unknown time zone
      "owner@example.com,2065550102,,nobody@example.com\n"  // line 3: unknown owner
      ",2065550100,America/Chicago,\n"                      // line 4: the lead, by phone
      "ada@example.com,,,\n"                                // line 5: the same lead, by email
      "new@example.com,2065550103,America/New_York,boss@acme.test\n"  // line 6: new
      "again@example.com,2065550103,,\n"                              // line 7: line 6's phone
      "dnc@example.com,2065550105,,\n";                               // line 8: on the DNC list
  const std::string query = "dedupe=update&dnc=skip";
  auto r = Upload(csv, query, "/api/imports/preview");
  ASSERT_EQ(r.status, 200) << r.body;
  const json::Value preview = r.Json();
  const auto rows = preview.Find("rows")->items();
  std::string previewed;
  for (const auto& row : rows) {
    previewed +=
        std::to_string(row.Find("line")->as_int()) + ":" + row.Find("outcome")->as_string() + " ";
  }
  EXPECT_EQ(previewed,
            "2:failed 3:failed 4:update 5:skip_duplicate 6:create 7:skip_in_file 8:skip_dnc ");
  EXPECT_NE(json::Serialize(*rows[0].Find("errors")).find("timezone"), std::string::npos);
  EXPECT_NE(json::Serialize(*rows[1].Find("errors")).find("assigned_to"), std::string::npos);
  EXPECT_EQ(rows[3].Find("duplicate_of_line")->as_int(), 4);
  EXPECT_EQ(rows[3].Find("existing_id")->as_string(), rows[2].Find("existing_id")->as_string());
  EXPECT_TRUE(Leads("new%40example.com").empty());
  EXPECT_TRUE(admin_.Get("/api/imports").Json().Find("data")->items().empty());

  json::Value job = Import(csv, query);
  std::string imported;
  for (int line = 2; line <= 8; ++line) {
    std::string outcome = Sql("SELECT outcome FROM import_rows WHERE import_id = $1 AND line = $2",
                              db::Params().Add(job.Find("id")->as_string()).Add(line));
    imported += std::to_string(line) + ":" + (outcome.empty() ? "create" : outcome) + " ";
  }
  EXPECT_EQ(imported, previewed);
}

// A row names every field the database finds wrong at once (owner and time zone), in the preview
// and in errors.csv.
TEST_F(ImportsApi, AnExternalIdIsAKeyNotAText) {
  json::Value job = Import("email,external id\na@example.com,HS-1\nb@example.com," +
                           std::string(256, 'x') + "\n");
  EXPECT_EQ(N(job, "created"), 1) << json::Serialize(job);
  EXPECT_EQ(N(job, "failed"), 1);
  auto e = admin_.Get("/api/imports/" + job.Find("id")->as_string() + "/errors.csv");
  EXPECT_NE(e.body.find("external_id: at most 255 characters"), std::string::npos) << e.body;
}

TEST_F(ImportsApi, ARowNamesEveryBadFieldAtOnce) {
  const std::string csv = "email,timezone,owner\na@example.com,Mars/Base,nobody@example.com\n";
  auto preview = Upload(csv, "", "/api/imports/preview");
  ASSERT_EQ(preview.status, 200) << preview.body;
  const json::Value p = preview.Json();
  const std::string errors = json::Serialize(*p.Find("rows")->items()[0].Find("errors"));
  EXPECT_NE(errors.find("assigned_to"), std::string::npos) << errors;
  EXPECT_NE(errors.find("timezone"), std::string::npos) << errors;
  json::Value job = Import(csv);
  auto e = admin_.Get("/api/imports/" + job.Find("id")->as_string() + "/errors.csv");
  EXPECT_NE(e.body.find("assigned_to: no active user nobody@example.com in this organization; "
                        "timezone: unknown IANA time zone Mars/Base"),
            std::string::npos)
      << e.body;
}

// A default owner that is not an active user of the organization is refused before anything
// is queued, where every row would fail.
TEST_F(ImportsApi, AnUnknownDefaultOwnerIs422) {
  const std::string csv = "email\na@example.com\n";
  for (const char* path : {"/api/imports", "/api/imports/preview"}) {
    auto r = Upload(csv, "owner_id=nobody%40example.com", path);
    EXPECT_EQ(r.status, 422) << path << " " << r.body;
    EXPECT_NE(r.body.find("owner_id"), std::string::npos) << r.body;
  }
  EXPECT_EQ(Upload(csv, "owner_id=00000000-0000-4000-8000-000000000000").status, 422);
  EXPECT_TRUE(admin_.Get("/api/imports").Json().Find("data")->items().empty());
  json::Value job = Import(csv, "owner_id=boss%40acme.test");
  EXPECT_EQ(N(job, "created"), 1) << json::Serialize(job);
}

TEST_F(ImportsApi, XlsxImport) {
  char path[] = "/tmp/leadline-xlsx-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  ASSERT_TRUE(imports::WriteXlsx(path, {{"First Name", "Phone", "Email"},
                                        {"Ada", "2065550100", "ada@example.com"},
                                        {"Grace", "2065550101", ""}})
                  .ok());
  std::string body;
  {
    std::FILE* f = std::fopen(path, "rb");
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) body.append(buf, n);
    std::fclose(f);
  }
  ::unlink(path);
  auto r = Upload(body, "filename=people.xlsx", "/api/imports",
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  ASSERT_EQ(r.status, 202) << r.body;
  json::Value job = Wait(r.Json().Find("id")->as_string());
  EXPECT_EQ(job.Find("kind")->as_string(), "xlsx");
  EXPECT_EQ(N(job, "created"), 2) << json::Serialize(job);
  EXPECT_EQ(Leads("ada")[0].Find("phone")->as_string(), "+12065550100");
}

// Query parameters are text: bytes that are not UTF-8 (or a NUL) are a 400 naming the
// parameter, and a long file name is cut between characters, never inside one.
TEST_F(ImportsApi, ParametersMustBeUtf8Text) {
  const std::string csv = "email\na@example.com\n";
  for (const char* name : {"filename", "source", "owner_id", "tags"}) {
    for (const char* value : {"%FF", "ok%00nul", "%C3"}) {
      auto r = Upload(csv, std::string(name) + "=" + value);
      EXPECT_EQ(r.status, 400) << name << "=" << value << " " << r.body;
      EXPECT_NE(r.body.find(std::string("\"") + name + "\""), std::string::npos) << r.body;
    }
  }
  EXPECT_TRUE(admin_.Get("/api/imports").Json().Find("data")->items().empty());

  std::string long_name;
  for (int i = 0; i < 300; ++i) long_name += "%C3%A9";  // é, two bytes: 600 bytes
  auto r = Upload(csv, "filename=x" + long_name);
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string filename = r.Json().Find("filename")->as_string();
  EXPECT_EQ(filename.size(), 499u);  // "x" and 249 whole characters
  EXPECT_EQ(filename.substr(filename.size() - 2), "\xC3\xA9");
  Wait(r.Json().Find("id")->as_string());
}

TEST_F(ImportsApi, UploadsMayNameTheFileTypeAsProgramsDo) {
  int n = 0;
  for (const char* type : {"Text/CSV; charset=utf-8", "application/vnd.ms-excel",
                           "application/octet-stream", "text/plain"}) {
    const std::string csv = "email\nu" + std::to_string(n++) + "@example.com\n";
    auto r = Upload(csv, "", "/api/imports", type);
    ASSERT_EQ(r.status, 202) << type << " " << r.body;
    EXPECT_EQ(N(Wait(r.Json().Find("id")->as_string()), "created"), 1) << type;
  }
}

TEST_F(ImportsApi, BadUploadsAreRefusedWithNothingQueued) {
  EXPECT_EQ(Upload("").status, 422);
  EXPECT_EQ(Upload("first_name,company\nAda,Acme\n").status, 422);  // no phone or email column
  EXPECT_EQ(admin_.Post("/api/imports", R"({"file":"x"})").status, 415);
  for (const char* type : {"image/png", "multipart/form-data; boundary=x", "application/xml"}) {
    auto r = Upload("email\na@example.com\n", "", "/api/imports", type);
    EXPECT_EQ(r.status, 415) << type << " " << r.body;
    EXPECT_NE(r.body.find("text/csv"), std::string::npos) << r.body;
  }
  EXPECT_EQ(Upload("email\na@example.com\n", "dedupe=sometimes").status, 422);
  EXPECT_EQ(Upload("email\na@example.com\n", "delimiter=x").status, 422);
  // A typo never silently runs the defaults; a parameter given twice is not picked from.
  for (const char* query : {"dedup=update", "dedupe=skip&dedupe=update"}) {
    auto r = Upload("email\na@example.com\n", query);
    EXPECT_EQ(r.status, 400) << query << " " << r.body;
    EXPECT_NE(r.body.find("dedup"), std::string::npos) << r.body;
    EXPECT_EQ(Upload("email\na@example.com\n", query, "/api/imports/preview").status, 400);
  }
  EXPECT_TRUE(admin_.Get("/api/imports").Json().Find("data")->items().empty());

  // Agents cannot import.
  auto user = admin_.Post(
      "/api/users", R"({"email":"agent@acme.test","password":"correct-horse-1","role":"agent"})");
  ASSERT_EQ(user.status, 201) << user.body;
  auto login = app_->Client().Post("/api/auth/login",
                                   R"({"email":"agent@acme.test","password":"correct-horse-1"})");
  HttpClient agent = app_->Client(login.Json().Find("token")->as_string());
  EXPECT_EQ(
      agent.Send("POST", "/api/imports", "email\na@example.com\n", {{"Content-Type", "text/csv"}})
          .status,
      403);
}

TEST_F(ImportsApi, UploadLargerThanTheLimitIs413) {
  http::ServerOptions options;
  options.max_upload_bytes = 1024;
  Start(true, options);
  std::string csv = "email\n";
  while (csv.size() < 4096) csv += "someone@example.com\n";
  auto r = Upload(csv);
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_EQ(app_->Client(org_.api_key).Get("/api/imports").Json().Find("data")->items().size(), 0u);
}

TEST_F(ImportsApi, CancelQueuedAndOtherTenantsJobsAreInvisible) {
  Start(/*workers=*/false);
  auto r = Upload("email\na@example.com\n");
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string id = r.Json().Find("id")->as_string();
  EXPECT_EQ(r.Json().Find("status")->as_string(), "queued");

  HttpClient other = app_->Client(other_.api_key);
  EXPECT_EQ(other.Get("/api/imports/" + id).status, 404);
  EXPECT_EQ(other.Post("/api/imports/" + id + "/cancel", "{}").status, 404);
  EXPECT_EQ(other.Post("/api/imports/" + id + "/undo", "{}").status, 404);
  EXPECT_EQ(other.Get("/api/imports/" + id + "/errors.csv").status, 404);
  EXPECT_TRUE(other.Get("/api/imports").Json().Find("data")->items().empty());
  EXPECT_EQ(admin_.Get("/api/imports/not-a-uuid").status, 404);

  auto cancelled = admin_.Post("/api/imports/" + id + "/cancel", "{}");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(cancelled.Json().Find("status")->as_string(), "cancelled");
  EXPECT_EQ(admin_.Post("/api/imports/" + id + "/cancel", "{}").status, 409);
  // The worker starting later finds nothing to do.
  app_->api().StartWorkers();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(admin_.Get("/api/imports/" + id).Json().Find("status")->as_string(), "cancelled");
  EXPECT_TRUE(Leads("a%40example.com").empty());
}

// One import at a time in an organization (0015): two jobs of one organization could each
// find no lead with a row's email and each create one. Another session holding the
// organization's import lock stands in for another server's worker running one of its jobs:
// the organization's new job waits for it while another organization's job runs.
TEST_F(ImportsApi, OneImportAtATimeInAnOrganization) {
  auto holder = HoldImportLock(org_);
  ASSERT_TRUE(holder.ok()) << holder.status().ToString();
  auto mine = Upload("email\nsame@example.com\n");
  ASSERT_EQ(mine.status, 202) << mine.body;
  const std::string my_job = mine.Json().Find("id")->as_string();

  HttpClient other = app_->Client(other_.api_key);
  auto theirs = other.Send("POST", "/api/imports", "email\nthem@example.com\n",
                           {{"Content-Type", "text/csv"}});
  ASSERT_EQ(theirs.status, 202) << theirs.body;
  std::string their_status;
  for (int i = 0; i < 200 && their_status != "completed"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    their_status = other.Get("/api/imports/" + theirs.Json().Find("id")->as_string())
                       .Json()
                       .Find("status")
                       ->as_string();
  }
  ASSERT_EQ(their_status, "completed");
  EXPECT_EQ(admin_.Get("/api/imports/" + my_job).Json().Find("status")->as_string(), "queued");
  // The same file queued again: it runs after the first and finds its lead.
  auto again = Upload("email\nsame@example.com\n");
  ASSERT_EQ(again.status, 202) << again.body;

  holder->reset();  // the session ends, and its lock with it
  json::Value first = Wait(my_job);
  EXPECT_EQ(N(first, "created"), 1) << json::Serialize(first);
  json::Value second = Wait(again.Json().Find("id")->as_string());
  EXPECT_EQ(N(second, "created"), 0) << json::Serialize(second);
  EXPECT_EQ(N(second, "skipped"), 1) << json::Serialize(second);
  EXPECT_EQ(Leads("same%40example.com").size(), 1u);
}

// `leadline import` runs a job of its own; while another session imports into the
// organization it waits, and then finds that import's lead.
TEST_F(ImportsApi, TheCliWaitsForTheOrganizationsRunningImport) {
  Start(/*workers=*/false);
  auto holder = HoldImportLock(org_);
  ASSERT_TRUE(holder.ok()) << holder.status().ToString();
  const std::string path = app_->spool_dir() + "/cli-waits.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << "email\nwaited@example.com\n";
  }
  imports::ImportServiceOptions options;
  options.spool_dir = app_->spool_dir();
  imports::ImportService service(app_->db().app_pool(), options);
  db::TenantContext tenant{org_.organization_id, org_.user_id, "", "test", "import"};
  auto run = std::async(std::launch::async, [&] {
    return service.RunFile(tenant, path, imports::ImportOptions{}, /*dry_run=*/false, nullptr);
  });
  EXPECT_EQ(run.wait_for(std::chrono::milliseconds(500)), std::future_status::timeout);
  // Meanwhile the running import creates the lead.
  ASSERT_EQ(admin_.Post("/api/leads", R"({"email":"waited@example.com"})").status, 201);
  holder->reset();  // the session ends, and its lock with it
  auto job = run.get();
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->counts.created, 0);
  EXPECT_EQ(job->counts.skipped, 1);
}

TEST_F(ImportsApi, ListPagesNewestFirst) {
  for (int i = 0; i < 3; ++i) Import("email\nuser" + std::to_string(i) + "@example.com\n");
  auto first = admin_.Get("/api/imports?limit=2");
  ASSERT_EQ(first.status, 200) << first.body;
  auto page = first.Json();
  ASSERT_NE(page.Find("data"), nullptr) << first.body;
  ASSERT_EQ(page.Find("data")->items().size(), 2u);
  ASSERT_TRUE(page.Find("next_cursor")->is_string());
  auto second = admin_.Get("/api/imports?limit=2&cursor=" + page.Find("next_cursor")->as_string());
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.Json().Find("data")->items().size(), 1u);
  EXPECT_TRUE(second.Json().Find("next_cursor")->is_null());
  // The limits of every list: 1 to 500.
  EXPECT_EQ(admin_.Get("/api/imports?limit=500").status, 200);
  EXPECT_EQ(admin_.Get("/api/imports?limit=501").status, 400);
  EXPECT_EQ(admin_.Get("/api/imports?limit=0").status, 400);
  EXPECT_EQ(admin_.Get("/api/imports?limit=x").status, 400);
}

}  // namespace
}  // namespace leadline
