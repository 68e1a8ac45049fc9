// Black-box HTTP tests of lead lists (filters, sorts, keyset cursors, search), the CSV export
// and bulk changes.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "phone/phone.h"
#include "support/test_app.h"

namespace leadline {
namespace {

using testing::HttpClient;
using testing::HttpResult;
using testing::TestApp;

class LeadsListApi : public ::testing::Test {
 protected:
  void SetUp() override {
    app_ = std::make_unique<TestApp>();
    org_ = app_->db().CreateOrganization("Acme", "boss@acme.test", "correct-horse-1");
  }

  HttpClient Admin() { return app_->Client(org_.api_key); }

  std::string CreateId(const std::string& body) {
    auto r = Admin().Post("/api/leads", body);
    EXPECT_EQ(r.status, 201) << body << " -> " << r.body;
    return r.Json().Find("id")->as_string();
  }

  // Runs SQL as the owner inside the organization (the history triggers see it).
  std::string Sql(const std::string& sql, db::Params params = {}) {
    db::TenantContext ctx;
    ctx.organization_id = org_.organization_id;
    ctx.user_id = org_.user_id;
    auto tx = db::Transaction::Begin(app_->db().owner_pool(), ctx);
    EXPECT_TRUE(tx.ok()) << tx.status().ToString();
    auto rows = tx->Exec(sql, params);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_TRUE(tx->Commit().ok());
    if (!rows.ok() || rows->empty() || rows->IsNull(0, 0)) return "";
    return std::string(rows->Get(0, 0));
  }

  // Inserts `n` leads in one statement (they share created_at; ids break the tie).
  void InsertMany(int n, const std::string& name = "bulk") {
    Sql("INSERT INTO leads (organization_id, first_name, email, lead_score, tags) "
        "SELECT app_current_org(), $1 || i, $1 || i || '@example.com', i % 101, ARRAY[$1] "
        "FROM generate_series(1, $2::int) i",
        db::Params().Add(name).Add(n));
  }

  // Every id of a listing, following next_cursor.
  std::vector<std::string> AllIds(const std::string& query, int* pages = nullptr) {
    std::vector<std::string> ids;
    std::string cursor;
    for (int i = 0; i < 10000; ++i) {
      std::string sep = query.find('?') == std::string::npos ? "?" : "&";
      auto r = Admin().Get(query + (cursor.empty() ? "" : sep + "cursor=" + cursor));
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) break;
      auto body = r.Json();
      for (const auto& l : body.Find("data")->items()) ids.push_back(l.Find("id")->as_string());
      if (pages) ++*pages;
      if (body.Find("next_cursor")->is_null()) break;
      cursor = body.Find("next_cursor")->as_string();
    }
    return ids;
  }

  std::vector<json::Value> Data(const std::string& query) {
    auto r = Admin().Get(query);
    EXPECT_EQ(r.status, 200) << query << " -> " << r.body;
    if (r.status != 200) return {};
    return r.Json().Find("data")->items();
  }

  std::vector<std::string> Names(const std::string& query) {
    std::vector<std::string> out;
    for (const auto& l : Data(query)) {
      const json::Value* n = l.Find("first_name");
      out.push_back(n->is_string() ? n->as_string() : "");
    }
    return out;
  }

  static void ExpectBadParam(const HttpResult& r, const std::string& field) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/problem+json");
    auto body = r.Json();
    ASSERT_NE(body.Find("errors"), nullptr) << r.body;
    EXPECT_EQ(body.Find("errors")->items()[0].Find("field")->as_string(), field) << r.body;
  }

  // The ids the database orders for a filter, as the reference for paging.
  std::vector<std::string> Expected(const std::string& where, const std::string& order,
                                    const std::string& agent = "") {
    auto conn = app_->db().owner_pool().Acquire();
    EXPECT_TRUE(conn.ok());
    auto rows = (*conn)->Exec(
        "SELECT l.id FROM leads l WHERE l.organization_id = $1 AND l.deleted_at IS NULL "
        "AND (nullif($2, '')::uuid IS NULL OR l.assigned_to IS NULL "
        "OR l.assigned_to = nullif($2, '')::uuid) AND " +
            where + " ORDER BY " + order,
        db::Params().Add(org_.organization_id).Add(agent));
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<std::string> out;
    for (int i = 0; rows.ok() && i < rows->size(); ++i) out.emplace_back(rows->Get(i, 0));
    return out;
  }

  std::unique_ptr<TestApp> app_;
  auth::NewOrganization org_;
};

TEST_F(LeadsListApi, EverySortWithCursorPaging) {
  // Scores with ties, created one by one (distinct created_at).
  const int scores[] = {50, 10, 90, 50, 30, 70, 10};
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    ids.push_back(CreateId(R"({"first_name":"L)" + std::to_string(i) + R"(","email":"l)" +
                           std::to_string(i) + R"(@x.com","lead_score":)" +
                           std::to_string(scores[i]) + "}"));
  }
  std::vector<std::string> newest_first(ids.rbegin(), ids.rend());
  EXPECT_EQ(AllIds("/api/leads?limit=3"), newest_first) << "default -created_at";
  EXPECT_EQ(AllIds("/api/leads?sort=-created_at&limit=2"), newest_first);
  EXPECT_EQ(AllIds("/api/leads?sort=created_at&limit=3"), ids);

  // By score, ties by id in the same direction.
  std::vector<std::string> by_score = ids;
  std::vector<std::pair<int, std::string>> keyed;
  for (int i = 0; i < 7; ++i) keyed.emplace_back(scores[i], ids[i]);
  std::sort(keyed.begin(), keyed.end());
  for (int i = 0; i < 7; ++i) by_score[i] = keyed[i].second;
  int pages = 0;
  EXPECT_EQ(AllIds("/api/leads?sort=lead_score&limit=2", &pages), by_score);
  EXPECT_EQ(pages, 4);
  std::vector<std::string> by_score_desc(by_score.rbegin(), by_score.rend());
  EXPECT_EQ(AllIds("/api/leads?sort=-lead_score&limit=3"), by_score_desc);

  // updated_at follows the latest change.
  ASSERT_EQ(Admin().Patch("/api/leads/" + ids[2], R"({"title":"touched"})").status, 200);
  auto updated = AllIds("/api/leads?sort=-updated_at&limit=4");
  ASSERT_EQ(updated.size(), 7u);
  EXPECT_EQ(updated.front(), ids[2]);
  auto updated_asc = AllIds("/api/leads?sort=updated_at&limit=4");
  EXPECT_EQ(updated_asc.back(), ids[2]);

  // A cursor belongs to its sort.
  auto first = Admin().Get("/api/leads?sort=lead_score&limit=2").Json();
  std::string cursor = first.Find("next_cursor")->as_string();
  ExpectBadParam(Admin().Get("/api/leads?sort=-created_at&cursor=" + cursor), "cursor");
}

// Several statuses in created_at order run as one index scan per status, merged; q alone
// asks the search function for the page itself. Both page exactly like the plain query:
// every lead once, in order, with created_at ties (rows of one statement) broken by id.
TEST_F(LeadsListApi, PerStatusBranchesAndSearchPagesKeepKeysetOrder) {
  auto agent_r = Admin().Post(
      "/api/users", R"({"email":"ag@acme.test","password":"pass-word-1","role":"agent"})");
  ASSERT_EQ(agent_r.status, 201) << agent_r.body;
  std::string agent = agent_r.Json().Find("id")->as_string();
  for (int batch = 0; batch < 3; ++batch) {
    Sql("INSERT INTO leads (organization_id, first_name, last_name, email, status, lead_score, "
        "assigned_to) SELECT app_current_org(), 'Ann' || g, 'Smithers', 's' || $1::int || '-' || g "
        "|| '@x.com', (ARRAY['new','contacted','qualified','lost'])[1 + g % 4], g % 7, "
        "CASE WHEN g % 5 = 0 THEN $2::uuid END "
        "FROM generate_series(1, 60) g",
        db::Params().Add(batch).Add(agent));
  }
  // A lead of someone else, which the agent must not see.
  Sql("UPDATE leads SET assigned_to = $1 WHERE email LIKE 's2-2%'", db::Params().Add(org_.user_id));
  Sql("UPDATE leads SET deleted_at = now() WHERE email LIKE 's1-1%'");
  const std::string statuses = "l.status IN ('new','qualified','lost')";
  EXPECT_EQ(AllIds("/api/leads?status=new,qualified,lost&limit=7"),
            Expected(statuses, "l.created_at DESC, l.id DESC"));
  EXPECT_EQ(AllIds("/api/leads?status=new&status=lost,qualified&sort=created_at&limit=11"),
            Expected(statuses, "l.created_at, l.id"));
  EXPECT_EQ(AllIds("/api/leads?status=contacted,lost&score_min=3&limit=5"),
            Expected("l.status IN ('contacted','lost') AND l.lead_score >= 3",
                     "l.created_at DESC, l.id DESC"));

  const std::string like = "l.search_text LIKE '%smithers%'";
  for (const char* sort : {"created_at", "updated_at", "lead_score"}) {
    for (bool desc : {true, false}) {
      std::string order =
          std::string("l.") + sort + (desc ? " DESC" : "") + ", l.id" + (desc ? " DESC" : "");
      std::string url =
          std::string("/api/leads?q=SMITHERS&limit=9&sort=") + (desc ? "-" : "") + sort;
      auto want = Expected(like, order);
      EXPECT_EQ(want.size(), 169u);
      EXPECT_EQ(AllIds(url), want) << url;
    }
  }
  // An agent's search pages over their own and unassigned leads only.
  auto key = [&] {
    auth::AuthService service(app_->db().app_pool());
    auth::Principal p;
    p.organization_id = org_.organization_id;
    p.user_id = agent;
    p.role = auth::Role::kAgent;
    return service.CreateApiKey(p, "test")->api_key;
  }();
  std::vector<std::string> got;
  std::string cursor;
  for (int i = 0; i < 100; ++i) {
    auto r = app_->Client(key).Get("/api/leads?q=smithers&limit=8" +
                                   (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    auto body = r.Json();
    for (const auto& l : body.Find("data")->items()) got.push_back(l.Find("id")->as_string());
    if (body.Find("next_cursor")->is_null()) break;
    cursor = body.Find("next_cursor")->as_string();
  }
  EXPECT_EQ(got, Expected(like, "l.created_at DESC, l.id DESC", agent));
  EXPECT_LT(got.size(), 169u);
}

TEST_F(LeadsListApi, EveryFilter) {
  std::string agent_id;
  {
    auto r = Admin().Post("/api/users",
                          R"({"email":"agent@acme.test","password":"pass-word-1","role":"agent"})");
    ASSERT_EQ(r.status, 201);
    agent_id = r.Json().Find("id")->as_string();
  }
  CreateId(
      R"({"first_name":"Ann","last_name":"Archer","email":"ann@alpha.com","phone":"+12065550100","status":"new","tags":["vip","hot"],"source":"web","lead_score":10})");
  CreateId(
      R"({"first_name":"Bob","last_name":"Baker","email":"bob@beta.com","phone":"+12065550111","status":"contacted","tags":["vip"],"source":"referral","lead_score":50,"assigned_to":")" +
      agent_id + R"("})");
  CreateId(
      R"({"first_name":"Cy","last_name":"Cole","email":"cy@gamma.com","status":"qualified","tags":["hot"],"source":"web","lead_score":90})");
  CreateId(
      R"({"first_name":"Di","last_name":"50%_off","email":"di@delta.com","status":"lost","lead_score":70})");
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(sorted(Names("/api/leads?status=new,contacted")), (V{"Ann", "Bob"}));
  EXPECT_EQ(sorted(Names("/api/leads?status=new&status=lost")), (V{"Ann", "Di"}));
  EXPECT_EQ(sorted(Names("/api/leads?tag=vip")), (V{"Ann", "Bob"}));
  EXPECT_EQ(sorted(Names("/api/leads?tag=vip&tag=hot")), (V{"Ann"})) << "all tags must match";
  EXPECT_EQ(Names("/api/leads?tag=none"), V{});
  EXPECT_EQ(sorted(Names("/api/leads?source=web")), (V{"Ann", "Cy"}));
  EXPECT_EQ(sorted(Names("/api/leads?score_min=50")), (V{"Bob", "Cy", "Di"}));
  EXPECT_EQ(sorted(Names("/api/leads?score_max=50")), (V{"Ann", "Bob"}));
  EXPECT_EQ(sorted(Names("/api/leads?score_min=50&score_max=70")), (V{"Bob", "Di"}));
  EXPECT_EQ(Names("/api/leads?assigned_to=" + agent_id), (V{"Bob"}));
  EXPECT_EQ(sorted(Names("/api/leads?assigned_to=none")), (V{"Ann", "Cy", "Di"}));
  EXPECT_EQ(Names("/api/leads?assigned_to=me"), V{}) << "the admin has none";
  // q: name, email or phone, case-insensitive; phone input in any format; wildcards literal.
  EXPECT_EQ(Names("/api/leads?q=archer"), (V{"Ann"})) << "trigram path";
  EXPECT_EQ(Names("/api/leads?q=BETA.COM"), (V{"Bob"}));
  EXPECT_EQ(Names("/api/leads?q=%28206%29%20555-0111"), (V{"Bob"})) << "(206) 555-0111";
  EXPECT_EQ(sorted(Names("/api/leads?q=555")), (V{"Ann", "Bob"}));
  EXPECT_EQ(Names("/api/leads?q=cy"), (V{"Cy"})) << "short q: filter path";
  EXPECT_EQ(Names("/api/leads?q=50%25_"), (V{"Di"})) << "% and _ match themselves";
  EXPECT_EQ(Names("/api/leads?q=%25"), (V{"Di"}));
  EXPECT_EQ(Names("/api/leads?q=a_n"), V{});
  EXPECT_EQ(sorted(Names("/api/leads?q=")), (V{"Ann", "Bob", "Cy", "Di"})) << "empty q: no filter";
  EXPECT_EQ(Names("/api/leads?q=vip&tag=vip"), V{}) << "q does not search tags";
  // Combined.
  EXPECT_EQ(Names("/api/leads?status=new,qualified&tag=hot&source=web&score_min=20"), (V{"Cy"}));

  // created_from (inclusive) / created_to (exclusive).
  Sql("UPDATE leads SET created_at = '2026-01-15T12:00:00Z' WHERE first_name = 'Ann'");
  Sql("UPDATE leads SET created_at = '2026-02-01T00:00:00Z' WHERE first_name = 'Bob'");
  EXPECT_EQ(Names("/api/leads?created_to=2026-02-01T00:00:00Z"), (V{"Ann"}));
  EXPECT_EQ(
      sorted(Names("/api/leads?created_from=2026-01-15T12:00:00Z&created_to=2026-03-01T00:00:00Z")),
      (V{"Ann", "Bob"}));
  EXPECT_EQ(
      Names("/api/leads?created_from=2026-01-15T13:00:00%2B01:00&created_to=2026-01-16T00:00:00Z"),
      (V{"Ann"}))
      << "offsets are honoured";
}

TEST_F(LeadsListApi, BadParametersAre400NamingTheParameter) {
  const std::pair<const char*, const char*> cases[] = {
      {"status=won", "status"},
      {"limit=0", "limit"},
      {"limit=501", "limit"},
      {"limit=abc", "limit"},
      {"sort=name", "sort"},
      {"score_min=x", "score_min"},
      {"score_max=200", "score_max"},
      {"created_from=yesterday", "created_from"},
      {"created_to=2026-13-01T00:00:00Z", "created_to"},
      {"assigned_to=bob", "assigned_to"},
      {"cursor=not-a-cursor", "cursor"},
      {"tag=", "tag"},
      {"source=", "source"},
      {"q=%FF", "q"},
      {"colour=red", "colour"},
      {"limit=5&limit=6", "limit"},
  };
  for (const auto& [query, field] : cases) {
    SCOPED_TRACE(query);
    ExpectBadParam(Admin().Get(std::string("/api/leads?") + query), field);
  }
  ExpectBadParam(Admin().Get("/api/leads/export.csv?limit=5"), "limit");
  ExpectBadParam(Admin().Get("/api/leads/export.csv?status=bogus"), "status");
}

TEST_F(LeadsListApi, LimitDefaultsTo50AndAllows500) {
  InsertMany(120);
  auto first = Admin().Get("/api/leads");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.Json().Find("data")->items().size(), 50u);
  EXPECT_FALSE(first.Json().Find("next_cursor")->is_null());
  auto all = Admin().Get("/api/leads?limit=500").Json();
  EXPECT_EQ(all.Find("data")->items().size(), 120u);
  EXPECT_TRUE(all.Find("next_cursor")->is_null());
  // Same created_at for all: the id breaks the tie, and paging sees each lead once.
  auto ids = AllIds("/api/leads?limit=7");
  EXPECT_EQ(ids.size(), 120u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 120u);
}

TEST_F(LeadsListApi, CursorsAreStableUnderConcurrentInserts) {
  InsertMany(300, "old");
  std::set<std::string> before;
  {
    auto all = Admin().Get("/api/leads?limit=500").Json();
    for (const auto& l : all.Find("data")->items()) before.insert(l.Find("id")->as_string());
  }
  ASSERT_EQ(before.size(), 300u);
  for (const char* sort : {"-created_at", "lead_score", "created_at"}) {
    SCOPED_TRACE(sort);
    std::atomic<bool> stop{false};
    std::atomic<int> inserted{0};
    std::thread writer([&] {
      HttpClient c = Admin();
      for (int i = 0; !stop.load() && i < 400; ++i) {
        auto r =
            c.Post("/api/leads", R"({"email":"new)" + std::to_string(i) + std::string(sort) +
                                     R"(@x.com","lead_score":)" + std::to_string(i % 101) + "}");
        if (r.status == 201) ++inserted;
      }
    });
    std::vector<std::string> seen = AllIds(std::string("/api/leads?limit=13&sort=") + sort);
    stop = true;
    writer.join();
    EXPECT_GT(inserted.load(), 0);
    std::set<std::string> unique(seen.begin(), seen.end());
    EXPECT_EQ(unique.size(), seen.size()) << "no lead twice";
    for (const auto& id : before)
      EXPECT_TRUE(unique.count(id)) << "pre-existing lead skipped: " << id;
  }
}

// A minimal RFC 4180 reader for checking the export.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  bool field_started = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
      field_started = false;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(field);
      field.clear();
      field_started = false;
      rows.emplace_back();
      ++i;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (rows.back().empty() && field.empty()) rows.pop_back();
  return rows;
}

TEST_F(LeadsListApi, ExportCsvQuotesAndFilters) {
  CreateId(
      R"({"first_name":"Smith, John","last_name":"O\"Neil","email":"john@x.com","company":"Line1\nLine2","tags":["a,b","q\"t"],"status":"qualified"})");
  CreateId(
      R"({"first_name":"Plain","email":"plain@x.com","phone":"(206) 555-0100","metadata":{"k":"v"}})");
  auto r = Admin().Get("/api/leads/export.csv?sort=created_at");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(r.Header("content-disposition"), "attachment; filename=\"leads.csv\"");
  EXPECT_EQ(r.Header("transfer-encoding"), "chunked") << "streamed";
  auto rows = ParseCsv(r.body);
  ASSERT_EQ(rows.size(), 3u) << r.body;
  const auto& header = rows[0];
  ASSERT_EQ(header.size(), 17u);
  auto col = [&](const std::string& name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  for (const auto& row : rows) ASSERT_EQ(row.size(), header.size()) << r.body;
  EXPECT_EQ(rows[1][col("first_name")], "Smith, John");
  EXPECT_EQ(rows[1][col("last_name")], "O\"Neil");
  EXPECT_EQ(rows[1][col("company")], "Line1\nLine2");
  EXPECT_EQ(rows[1][col("tags")], R"(["a,b","q\"t"])");
  EXPECT_EQ(rows[1][col("status")], "qualified");
  EXPECT_EQ(rows[1][col("phone")], "");
  EXPECT_EQ(rows[2][col("phone")], "tel:+12065550100") << "the phone column's own rule";
  EXPECT_EQ(rows[2][col("metadata")], R"({"k": "v"})");
  EXPECT_NE(r.body.find("\"Smith, John\",\"O\"\"Neil\""), std::string::npos) << r.body;

  auto filtered = Admin().Get("/api/leads/export.csv?status=qualified");
  ASSERT_EQ(filtered.status, 200);
  EXPECT_EQ(ParseCsv(filtered.body).size(), 2u);
  auto none = Admin().Get("/api/leads/export.csv?tag=missing");
  ASSERT_EQ(none.status, 200);
  EXPECT_EQ(ParseCsv(none.body).size(), 1u) << "header only";
}

// Spreadsheets evaluate cells starting with = + - @ tab or CR: those get a leading
// apostrophe. Phones (E.164, always "+digits") are written as tel: URIs instead, which stay
// exact and read back through the phone normalizer.
TEST_F(LeadsListApi, ExportNeutralisesFormulasAndKeepsPhonesExact) {
  CreateId(R"j({"first_name":"=HYPERLINK(\"http://x\")","last_name":"+cmd|' /C calc'!A0",)j"
           R"j("company":"-2+3","title":"@SUM(A1)","email":"ok@x.com",)j"
           R"j("phone":"+44 20 7946 0958","tags":["=bad"]})j");
  std::string second = CreateId(R"({"first_name":"Mid=dle","last_name":"a-b","email":"b@x.com"})");
  // Tab and CR cannot come through the API's validation, but may through other writers.
  Sql("UPDATE leads SET company = E'\\tTAB', title = E'\\rCR', source = '=1+1' WHERE id = $1",
      db::Params().Add(second));
  auto r = Admin().Get("/api/leads/export.csv?sort=created_at");
  ASSERT_EQ(r.status, 200) << r.body;
  auto rows = ParseCsv(r.body);
  ASSERT_EQ(rows.size(), 3u) << r.body;
  const auto& header = rows[0];
  auto col = [&](const std::string& name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  EXPECT_EQ(rows[1][col("first_name")], "'=HYPERLINK(\"http://x\")");
  EXPECT_EQ(rows[1][col("last_name")], "'+cmd|' /C calc'!A0");
  EXPECT_EQ(rows[1][col("company")], "'-2+3");
  EXPECT_EQ(rows[1][col("title")], "'@SUM(A1)");
  EXPECT_EQ(rows[1][col("email")], "ok@x.com");
  EXPECT_EQ(rows[1][col("tags")], R"(["=bad"])") << "JSON starts with [";
  EXPECT_EQ(rows[1][col("phone")], "tel:+442079460958");
  EXPECT_EQ(rows[2][col("first_name")], "Mid=dle") << "only a leading character counts";
  EXPECT_EQ(rows[2][col("last_name")], "a-b");
  EXPECT_EQ(rows[2][col("phone")], "");
  EXPECT_EQ(rows[2][col("company")], "'\tTAB");
  EXPECT_EQ(rows[2][col("title")], "'\rCR");
  EXPECT_EQ(rows[2][col("source")], "'=1+1");
  // No cell of the file starts with a formula character.
  for (const auto& row : rows) {
    for (const auto& cell : row) {
      ASSERT_TRUE(cell.empty() || std::string_view("=+-@\t\r").find(cell[0]) == std::string::npos)
          << cell;
    }
  }
  // The exported phone reads back exactly through the same normaliser the API uses.
  auto back = phone::NormalizeToE164(rows[1][col("phone")], "US");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, "+442079460958");
}

TEST_F(LeadsListApi, ExportStreamsManyBatches) {
  InsertMany(12000);
  auto r = Admin().Get("/api/leads/export.csv");
  ASSERT_EQ(r.status, 200);
  size_t lines = std::count(r.body.begin(), r.body.end(), '\n');
  EXPECT_EQ(lines, 12001u);
  // The connection went back to the pool: the API still answers.
  EXPECT_EQ(Admin().Get("/api/leads?limit=1").status, 200);
}

// Above 2000 matches q and tag filters switch from candidate id sets to row filters; both
// paths give the same answers.
TEST_F(LeadsListApi, SearchAndTagsBeyondTheCandidateCapStillFilter) {
  InsertMany(2100, "common");
  CreateId(
      R"({"first_name":"Rare","last_name":"Zebedee","email":"z@x.com","tags":["rare","common"]})");
  auto common = Admin().Get("/api/leads?q=common&limit=500").Json();
  ASSERT_EQ(common.Find("data")->items().size(), 500u);
  for (const auto& l : common.Find("data")->items()) {
    EXPECT_EQ(l.Find("first_name")->as_string().rfind("common", 0), 0u);
  }
  EXPECT_FALSE(common.Find("next_cursor")->is_null());
  EXPECT_EQ(AllIds("/api/leads?q=common&limit=500").size(), 2100u);
  EXPECT_EQ(Names("/api/leads?q=zebedee"), (std::vector<std::string>{"Rare"}));
  EXPECT_EQ(Names("/api/leads?q=common2099&limit=5"), (std::vector<std::string>{"common2099"}));
  EXPECT_EQ(AllIds("/api/leads?tag=common&limit=500").size(), 2101u);
  EXPECT_EQ(Names("/api/leads?tag=rare"), (std::vector<std::string>{"Rare"}));
  EXPECT_EQ(Names("/api/leads?tag=rare&tag=common"), (std::vector<std::string>{"Rare"}));
  EXPECT_EQ(Names("/api/leads?tag=rare&q=common"), std::vector<std::string>{});
}

TEST_F(LeadsListApi, BulkByIds) {
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(CreateId(R"({"email":"b)" + std::to_string(i) + R"(@x.com","tags":["t"]})"));
  }
  ASSERT_EQ(Admin().Patch("/api/leads/" + ids[3], R"({"status":"converted"})").status, 200);
  std::string id_list = "\"" + ids[0] + "\",\"" + ids[1] + "\",\"" + ids[2] + "\",\"" + ids[3] +
                        "\",\"00000000-0000-4000-8000-000000000000\"";
  auto r = Admin().Post("/api/leads/bulk",
                        "{\"ids\":[" + id_list + R"(],"operation":{"set_status":"contacted"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = r.Json();
  EXPECT_EQ(body.Find("matched")->as_int(), 4);
  EXPECT_EQ(body.Find("updated")->as_int(), 3);
  EXPECT_EQ(body.Find("skipped")->as_int(), 1);
  EXPECT_EQ(body.Find("not_found")->as_int(), 1);
  EXPECT_EQ(body.Find("skipped_reasons")->Find("terminal_status")->as_int(), 1);
  EXPECT_EQ(Sql("SELECT count(*) FROM lead_audit_log WHERE action = 'bulk_update'"), "3");
  EXPECT_EQ(Sql("SELECT count(*) FROM lead_status_history WHERE to_status = 'contacted'"), "3");

  r = Admin().Post("/api/leads/bulk",
                   "{\"ids\":[" + id_list + R"(],"operation":{"add_tags":["x","t"]}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().Find("updated")->as_int(), 4);
  r = Admin().Post("/api/leads/bulk",
                   "{\"ids\":[" + id_list + R"(],"operation":{"add_tags":["x"]}})");
  EXPECT_EQ(r.Json().Find("skipped_reasons")->Find("unchanged")->as_int(), 4);
  r = Admin().Post("/api/leads/bulk",
                   "{\"ids\":[\"" + ids[0] + R"("],"operation":{"remove_tags":["t"]}})");
  EXPECT_EQ(r.Json().Find("updated")->as_int(), 1);
  auto lead0 = Admin().Get("/api/leads/" + ids[0]).Json();
  EXPECT_EQ(json::Serialize(*lead0.Find("tags")), R"(["x"])");

  auto user = Admin().Post("/api/users",
                           R"({"email":"m@acme.test","password":"pass-word-1","role":"manager"})");
  std::string manager_id = user.Json().Find("id")->as_string();
  r = Admin().Post("/api/leads/bulk",
                   "{\"ids\":[" + id_list + R"(],"operation":{"assign":")" + manager_id + "\"}}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().Find("updated")->as_int(), 4);
  EXPECT_EQ(
      Sql("SELECT count(*) FROM lead_assignments WHERE assigned_to = $1 AND strategy = 'manual' "
          "AND previous_assignee IS NULL AND reason = 'bulk'",
          db::Params().Add(manager_id)),
      "4");
  r = Admin().Post("/api/leads/bulk", "{\"ids\":[" + id_list + R"(],"operation":{"assign":null}})");
  EXPECT_EQ(r.Json().Find("updated")->as_int(), 4);
  EXPECT_EQ(Sql("SELECT count(*) FROM lead_assignments WHERE assigned_to IS NULL AND "
                "previous_assignee = $1",
                db::Params().Add(manager_id)),
            "4");

  r = Admin().Post("/api/leads/bulk", "{\"ids\":[" + id_list + R"(],"operation":{"delete":true}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().Find("updated")->as_int(), 4);
  EXPECT_EQ(Sql("SELECT count(*) FROM lead_audit_log WHERE action = 'bulk_delete'"), "4");
  EXPECT_EQ(Admin().Get("/api/leads").Json().Find("data")->items().size(), 0u);
  auto hist = Admin().Get("/api/leads/" + ids[0] + "/history").Json().Find("data")->items();
  EXPECT_EQ(hist.front().Find("action")->as_string(), "bulk_delete");
}

TEST_F(LeadsListApi, BulkByFilter) {
  CreateId(R"({"email":"a@x.com","status":"new","tags":["fair"]})");
  CreateId(R"({"email":"b@x.com","status":"new","tags":["fair","vip"]})");
  CreateId(R"({"email":"c@x.com","status":"contacted","tags":["fair"]})");
  auto r = Admin().Post(
      "/api/leads/bulk",
      R"({"filter":{"status":"new","tag":["fair"]},"operation":{"set_status":"nurturing"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().Find("matched")->as_int(), 2);
  EXPECT_EQ(r.Json().Find("updated")->as_int(), 2);
  EXPECT_EQ(Names("/api/leads?status=nurturing").size(), 2u);
  r = Admin().Post("/api/leads/bulk",
                   R"({"filter":{"q":"x.com","score_max":0},"operation":{"add_tags":["bulk"]}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().Find("updated")->as_int(), 3);
}

TEST_F(LeadsListApi, BulkRequestsAreValidated) {
  std::string id = CreateId(R"({"email":"a@x.com"})");
  auto expect422 = [&](const std::string& body, const std::string& field) {
    auto r = Admin().Post("/api/leads/bulk", body);
    EXPECT_EQ(r.status, 422) << body << " -> " << r.body;
    if (r.status != 422) return;
    bool found = false;
    auto problem = r.Json();
    for (const auto& e : problem.Find("errors")->items()) {
      found = found || e.Find("field")->as_string() == field;
    }
    EXPECT_TRUE(found) << body << " -> " << r.body;
  };
  const std::string ids = "{\"ids\":[\"" + id + "\"],";
  expect422(R"({"operation":{"delete":true}})", "ids");
  expect422(ids + R"("filter":{},"operation":{"delete":true}})", "ids");
  expect422(R"({"ids":[],"operation":{"delete":true}})", "ids");
  expect422(R"({"ids":["nope"],"operation":{"delete":true}})", "ids");
  expect422(ids + R"("operation":{}})", "operation");
  expect422(ids + R"("operation":{"delete":true,"assign":null}})", "operation");
  expect422(ids + R"("operation":{"set_status":"won"}})", "operation.set_status");
  expect422(ids + R"("operation":{"add_tags":[]}})", "operation.add_tags");
  expect422(ids + R"("operation":{"assign":"bob"}})", "operation.assign");
  expect422(ids + R"("operation":{"assign":"00000000-0000-4000-8000-000000000000"}})",
            "operation.assign");
  expect422(ids + R"("operation":{"delete":false}})", "operation.delete");
  expect422(ids + R"("operation":{"explode":true}})", "operation.explode");
  expect422(R"({"filter":{"status":"won"},"operation":{"delete":true}})", "filter.status");
  expect422(R"({"filter":{"colour":"red"},"operation":{"delete":true}})", "filter.colour");
  expect422(R"({"filter":{"sort":"lead_score"},"operation":{"delete":true}})", "filter.sort");
  // A filter of the wrong JSON type is refused, not read as the other.
  expect422(R"({"filter":{"score_min":"5"},"operation":{"delete":true}})", "filter.score_min");
  expect422(R"({"filter":{"tag":5},"operation":{"delete":true}})", "filter.tag");
  expect422(R"({"filter":{"q":5},"operation":{"delete":true}})", "filter.q");
  expect422(ids + R"("operation":{"delete":true},"extra":1})", "extra");
  std::string many = "{\"ids\":[";
  for (int i = 0; i < 10001; ++i) many += (i ? ",\"" : "\"") + id + "\"";
  expect422(many + R"(],"operation":{"delete":true}})", "ids");
  EXPECT_EQ(Admin().Get("/api/leads/" + id).status, 200) << "nothing happened";
}

TEST_F(LeadsListApi, BulkFilterOverTheCapIs422) {
  InsertMany(10001);
  auto r = Admin().Post("/api/leads/bulk", R"({"filter":{},"operation":{"add_tags":["x"]}})");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(Sql("SELECT count(*) FROM leads WHERE 'x' = ANY (tags)"), "0");
}

}  // namespace
}  // namespace leadline
