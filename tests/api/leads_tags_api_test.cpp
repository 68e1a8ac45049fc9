// GET /api/tags over the counts the lead triggers keep (0007): exact for admins and agents
// after concurrent creates, updates, tag changes, assignments, deletes, restores, merges and
// bulk operations, with folds running at the same time.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "leads/lead_validation.h"
#include "support/test_app.h"

namespace leadline {
namespace {

using testing::HttpClient;
using testing::TestApp;

using Counts = std::map<std::string, int64_t>;

class LeadsTagsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    app_ = std::make_unique<TestApp>();
    org_ = app_->db().CreateOrganization("Acme", "boss@acme.test", "correct-horse-1");
  }

  HttpClient Admin() { return app_->Client(org_.api_key); }

  struct Actor {
    std::string id;
    std::string token;
  };
  Actor MakeAgent(const std::string& email) {
    auto r = Admin().Post(
        "/api/users", R"({"email":")" + email + R"(","password":"pass-word-1","role":"agent"})");
    EXPECT_EQ(r.status, 201) << r.body;
    Actor a;
    a.id = r.Json().Find("id")->as_string();
    auth::AuthService service(app_->db().app_pool());
    auth::Principal p;
    p.organization_id = org_.organization_id;
    p.user_id = a.id;
    p.role = auth::Role::kAgent;
    auto key = service.CreateApiKey(p, "test");
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    a.token = key->api_key;
    return a;
  }

  // Every page of GET /api/tags, small pages so that cursors are exercised.
  Counts ApiCounts(HttpClient client) {
    Counts out;
    std::string cursor;
    for (int i = 0; i < 1000; ++i) {
      auto r = client.Get("/api/tags?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) break;
      auto body = r.Json();
      for (const auto& t : body.Find("data")->items()) {
        EXPECT_EQ(out.count(t.Find("tag")->as_string()), 0u) << "a tag on two pages";
        out[t.Find("tag")->as_string()] = t.Find("count")->as_int();
      }
      if (body.Find("next_cursor")->is_null()) break;
      cursor = body.Find("next_cursor")->as_string();
    }
    return out;
  }

  // The truth, from the leads themselves: live leads per tag (visible to `agent` if set).
  Counts DbCounts(const std::string& agent = "") {
    auto conn = app_->db().owner_pool().Acquire();
    EXPECT_TRUE(conn.ok());
    auto rows = (*conn)->Exec(
        "SELECT t.tag, count(*) FROM leads l "
        "CROSS JOIN LATERAL (SELECT DISTINCT u.tag FROM unnest(l.tags) u(tag)) t "
        "WHERE l.organization_id = $1 AND l.deleted_at IS NULL "
        "AND (nullif($2, '')::uuid IS NULL OR l.assigned_to IS NULL "
        "     OR l.assigned_to = nullif($2, '')::uuid) GROUP BY t.tag",
        db::Params().Add(org_.organization_id).Add(agent));
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    Counts out;
    for (int i = 0; rows.ok() && i < rows->size(); ++i) {
      out[std::string(rows->Get(i, 0))] = rows->GetInt(i, 1);
    }
    return out;
  }

  int64_t Scalar(const std::string& sql) {
    auto conn = app_->db().owner_pool().Acquire();
    EXPECT_TRUE(conn.ok());
    auto rows = (*conn)->Exec(sql, db::Params().Add(org_.organization_id));
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() && !rows->empty() && !rows->IsNull(0, 0) ? rows->GetInt(0, 0) : -1;
  }

  std::unique_ptr<TestApp> app_;
  auth::NewOrganization org_;
  int n_ = 0;
};

TEST_F(LeadsTagsApi, CountsAreExactAfterConcurrentWritesBulkOpsAndMerges) {
  Actor a1 = MakeAgent("a1@acme.test");
  Actor a2 = MakeAgent("a2@acme.test");
  const std::vector<std::string> tags = {"hot", "cold", "vip", "buyer", "seller", "x"};
  const std::vector<std::string> assignees = {"null", "\"" + a1.id + "\"", "\"" + a2.id + "\""};

  std::mutex mu;
  std::vector<std::string> ids;  // GUARDED_BY(mu)
  std::atomic<int> phone{0};     // a unique email per lead
  auto tag_list = [&](std::mt19937& rng) {
    std::string out = "[";
    int n = static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) {
      out += (i ? ",\"" : "\"") + tags[rng() % tags.size()] + "\"";
    }
    return out + "]";
  };
  auto any_id = [&](std::mt19937& rng) {
    std::lock_guard lock(mu);
    return ids.empty() ? std::string("00000000-0000-0000-0000-000000000000")
                       : ids[rng() % ids.size()];
  };
  auto create = [&](HttpClient c, std::mt19937& rng) {
    std::string body = R"({"email":"c)" + std::to_string(phone++) + R"(@x.com","tags":)" +
                       tag_list(rng) + R"(,"assigned_to":)" + assignees[rng() % assignees.size()] +
                       "}";
    auto r = c.Post("/api/leads", body);
    ASSERT_EQ(r.status, 201) << r.body;
    std::lock_guard lock(mu);
    ids.push_back(r.Json().Find("id")->as_string());
  };
  {
    std::mt19937 rng(7);
    for (int i = 0; i < 40; ++i) create(Admin(), rng);
  }

  std::atomic<bool> stop{false};
  std::atomic<int> folds{0};
  // Folds as fast as they go, next to the writers (the triggers and reads fold too).
  std::thread folder([&] {
    while (!stop) {
      auto conn = app_->db().owner_pool().Acquire();
      ASSERT_TRUE(conn.ok());
      auto r = (*conn)->Exec("SELECT lead_tag_counts_fold($1::uuid, 0)",
                             db::Params().Add(org_.organization_id));
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ++folds;
    }
  });
  // Many small multi-row statements next to the API writers: enough delta rows that the
  // triggers fold too (every 1024th delta row).
  std::thread sql_writer([&] {
    for (int i = 0; i < 120; ++i) {
      auto conn = app_->db().owner_pool().Acquire();
      ASSERT_TRUE(conn.ok());
      auto r = (*conn)->Exec(
          "INSERT INTO leads (organization_id, email, tags, assigned_to) "
          "SELECT $1::uuid, 'sql' || $2::int || '-' || g || '@x.com', "
          "ARRAY[(ARRAY['hot','cold','vip','buyer','seller','x'])[1 + (g + $2::int) % 6], "
          "      (ARRAY['hot','cold','vip','buyer','seller','x'])[1 + g % 5]], "
          "(ARRAY[NULL, $3::uuid, $4::uuid])[1 + g % 3] FROM generate_series(1, 30) g",
          db::Params().Add(org_.organization_id).Add(i).Add(a1.id).Add(a2.id));
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < 6; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937 rng(100 + w);
      HttpClient admin = Admin();
      for (int i = 0; i < 40; ++i) {
        std::string id = any_id(rng);
        std::string path = "/api/leads/" + id;
        switch (rng() % 10) {
          case 0:
            create(admin, rng);
            break;
          case 1:
            admin.Patch(path, R"({"tags":)" + tag_list(rng) + "}");
            break;
          case 2:
            admin.Post(path + "/tags",
                       R"({"add":)" + tag_list(rng) + R"(,"remove":)" + tag_list(rng) + "}");
            break;
          case 3:
            admin.Patch(path, R"({"assigned_to":)" + assignees[rng() % assignees.size()] + "}");
            break;
          case 4:
            admin.Delete(path);
            break;
          case 5:
            admin.Post(path + "/restore", "");
            break;
          case 6:
            admin.Post(path + "/merge", R"({"other_id":")" + any_id(rng) + "\"}");
            break;
          case 7: {
            std::string list =
                "\"" + any_id(rng) + "\",\"" + any_id(rng) + "\",\"" + any_id(rng) + "\"";
            const char* ops[] = {R"({"add_tags":["bulk","hot"]})", R"({"remove_tags":["hot"]})",
                                 R"({"assign":null})", R"({"set_status":"contacted"})"};
            admin.Post("/api/leads/bulk",
                       R"({"ids":[)" + list + R"(],"operation":)" + ops[rng() % 4] + "}");
            break;
          }
          case 8:
            admin.Post("/api/leads/bulk", R"({"filter":{"tag":"vip"},"operation":{"assign":")" +
                                              (rng() % 2 ? a1.id : a2.id) + "\"}}");
            break;
          default:
            // Agents change their own and unassigned leads; 404s are expected.
            app_->Client(rng() % 2 ? a1.token : a2.token)
                .Post(path + "/tags", R"({"add":)" + tag_list(rng) + "}");
            break;
        }
        if (i % 10 == 0) {
          EXPECT_EQ(admin.Get("/api/tags").status, 200);
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  sql_writer.join();
  stop = true;
  folder.join();
  EXPECT_GT(folds.load(), 0);
  EXPECT_GT(
      Scalar("SELECT last_value FROM lead_tag_count_deltas_id_seq WHERE $1::uuid IS NOT NULL"),
      1024)
      << "the triggers folded at least once";

  Counts truth = DbCounts();
  ASSERT_FALSE(truth.empty());
  EXPECT_EQ(ApiCounts(Admin()), truth);
  EXPECT_EQ(ApiCounts(app_->Client(a1.token)), DbCounts(a1.id));
  EXPECT_EQ(ApiCounts(app_->Client(a2.token)), DbCounts(a2.id));

  // Everything folded: the totals alone are the truth, and a rebuild changes nothing.
  ASSERT_GE(Scalar("SELECT lead_tag_counts_fold($1::uuid, 0)"), 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM lead_tag_count_deltas WHERE organization_id = $1"), 0);
  int64_t total = 0;
  for (const auto& [tag, n] : truth) total += n;
  EXPECT_EQ(Scalar("SELECT sum(count) FROM lead_tag_counts WHERE organization_id = $1"), total);
  ASSERT_GE(Scalar("SELECT lead_tag_counts_rebuild($1::uuid)"), 0);
  EXPECT_EQ(ApiCounts(Admin()), truth);
}

// A cursor is opaque but can be forged: one whose tag is not UTF-8 is a bad parameter (400
// naming it), not an error passed on from the database.
TEST_F(LeadsTagsApi, ATamperedCursorIs400NamingIt) {
  const std::string forged = leads::Base64UrlEncode(std::string("t1\n5\n\xff\xfe"));
  auto r = Admin().Get("/api/tags?cursor=" + forged);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("\"field\":\"cursor\""), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("UTF8"), std::string::npos) << r.body;
}

TEST_F(LeadsTagsApi, AgentsCountTheirOwnAndUnassignedLeads) {
  Actor a1 = MakeAgent("a1@acme.test");
  Actor a2 = MakeAgent("a2@acme.test");
  auto create = [&](const std::string& tags, const std::string& assignee) {
    auto r =
        Admin().Post("/api/leads", R"({"email":"l)" + std::to_string(n_++) + R"(@x.com","tags":)" +
                                       tags + R"(,"assigned_to":)" + assignee + "}");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json().Find("id")->as_string();
  };
  create(R"(["hot","vip"])", "null");
  create(R"(["hot"])", "\"" + a1.id + "\"");
  std::string moving = create(R"(["hot","cold"])", "\"" + a2.id + "\"");
  EXPECT_EQ(ApiCounts(Admin()), (Counts{{"hot", 3}, {"vip", 1}, {"cold", 1}}));
  EXPECT_EQ(ApiCounts(app_->Client(a1.token)), (Counts{{"hot", 2}, {"vip", 1}}));
  EXPECT_EQ(ApiCounts(app_->Client(a2.token)), (Counts{{"hot", 2}, {"vip", 1}, {"cold", 1}}));
  // Reassigning moves the lead's tags from one agent's view to the other's.
  ASSERT_EQ(Admin().Patch("/api/leads/" + moving, R"({"assigned_to":")" + a1.id + "\"}").status,
            200);
  EXPECT_EQ(ApiCounts(app_->Client(a1.token)), (Counts{{"hot", 3}, {"vip", 1}, {"cold", 1}}));
  EXPECT_EQ(ApiCounts(app_->Client(a2.token)), (Counts{{"hot", 1}, {"vip", 1}}));
  // Deleting and restoring.
  ASSERT_EQ(Admin().Delete("/api/leads/" + moving).status, 204);
  EXPECT_EQ(ApiCounts(Admin()), (Counts{{"hot", 2}, {"vip", 1}}));
  ASSERT_EQ(Admin().Post("/api/leads/" + moving + "/restore", "").status, 200);
  EXPECT_EQ(ApiCounts(Admin()), (Counts{{"hot", 3}, {"vip", 1}, {"cold", 1}}));
  // Another organization's tags never show.
  auto other = app_->db().CreateOrganization("Other", "o@other.test", "correct-horse-1");
  ASSERT_EQ(app_->Client(other.api_key)
                .Post("/api/leads", R"({"email":"o@x.com","tags":["hot"]})")
                .status,
            201);
  EXPECT_EQ(ApiCounts(Admin()), (Counts{{"hot", 3}, {"vip", 1}, {"cold", 1}}));
  EXPECT_EQ(ApiCounts(app_->Client(other.api_key)), (Counts{{"hot", 1}}));
}

}  // namespace
}  // namespace leadline
