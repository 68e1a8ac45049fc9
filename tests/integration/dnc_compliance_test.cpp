// The compliance module against a real database: the in-process checker and is_on_dnc_list
// agree, changes propagate between two checker instances over NOTIFY, the national registry
// round-trips through full and change files, and the gate decides and logs (calling hours at
// the edges with an injected clock, consent revocation, stale registry).
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>

#include "db/transaction.h"
#include "dnc/compliance.h"
#include "http/json.h"
#include "phone/phone_timezones.h"
#include "support/test_db.h"

namespace leadline::dnc {
namespace {

using std::chrono::system_clock;
using testing::TestDatabase;

system_clock::time_point Utc(int y, int mo, int d, int h, int mi) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  return system_clock::from_time_t(timegm(&tm));
}

class ComplianceDb : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create();
    auto org = db_->CreateOrganization("Acme");
    admin_.organization_id = org.organization_id;
    admin_.user_id = org.user_id;
    admin_.role = auth::Role::kAdmin;
  }
  void TearDown() override { checkers_.clear(); }

  DncChecker& NewChecker(db::Pool& pool) {
    checkers_.push_back(std::make_unique<DncChecker>(pool));
    EXPECT_TRUE(checkers_.back()->WaitUntilReady(std::chrono::seconds(30)));
    return *checkers_.back();
  }

  std::string InsertLead(const std::string& phone, const std::optional<std::string>& tz) {
    std::string id;
    Status st = db::RunInTransaction(db_->app_pool(), admin_.Tenant(), [&](db::Transaction& tx) {
      auto r = tx.Exec(
          "INSERT INTO leads (organization_id, first_name, phone, timezone) "
          "VALUES (app_current_org(), 'Test', $1, $2) RETURNING id",
          db::Params().Add(phone).Add(tz));
      if (!r.ok()) return r.status();
      id = std::string(r->Get(0, 0));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return id;
  }

  // is_on_dnc_list for many numbers at once, in order.
  std::vector<bool> SqlCheck(const std::vector<std::string>& phones) {
    std::string array = "{";
    for (const auto& p : phones) array += (array.size() > 1 ? "," : "") + p;
    array += "}";
    std::vector<bool> out;
    Status st = db::RunInTransaction(db_->app_pool(), admin_.Tenant(), [&](db::Transaction& tx) {
      auto r = tx.Exec(
          "SELECT is_on_dnc_list(p, app_current_org()) FROM unnest($1::text[]) WITH ORDINALITY "
          "u(p, n) ORDER BY n",
          db::Params().Add(array));
      if (!r.ok()) return r.status();
      for (int i = 0; i < r->size(); ++i) out.push_back(r->GetBool(i, 0));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  static std::shared_ptr<const phone::PhoneTimezones> Zones() {
    auto z = phone::PhoneTimezones::LoadFromFile(std::string(LEADLINE_SOURCE_DIR) +
                                                 "/data/phone-timezones/map_data.txt");
    EXPECT_TRUE(z.ok()) << z.status().ToString();
    return std::make_shared<const phone::PhoneTimezones>(std::move(z).value());
  }

  std::unique_ptr<TestDatabase> db_;
  auth::Principal admin_;
  std::vector<std::unique_ptr<DncChecker>> checkers_;
};

// Two checkers with their own connections stand for two server processes on one database.
TEST_F(ComplianceDb, ChangesPropagateBetweenCheckerInstances) {
  db::Pool other_pool(db_->app_pool().options());
  DncChecker& a = NewChecker(db_->app_pool());
  DncChecker& b = NewChecker(other_pool);
  DncService service_a(db_->app_pool(), a);
  const uint64_t key = 12065550123ull;
  auto now = [] { return ToUnixMicros(system_clock::now()); };
  ASSERT_FALSE(b.View(admin_.organization_id)->OnOrganizationList(key, now()));

  auto wait_for = [&](bool want, const char* what) {
    auto start = std::chrono::steady_clock::now();
    auto deadline = start + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      auto v = b.View(admin_.organization_id);
      EXPECT_TRUE(v.ok());
      if (v->OnOrganizationList(key, now()) == want) {
        std::printf(
            "%s seen by the other checker after %.1f ms\n", what,
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count());
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  };

  auto added = service_a.Add(admin_, {"+12065550123", "asked", std::nullopt, std::nullopt});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_TRUE(a.View(admin_.organization_id)->OnOrganizationList(key, now()))
      << "the writer's own checker sees its change at once";
  EXPECT_TRUE(wait_for(true, "add"));

  ASSERT_TRUE(service_a.Remove(admin_, added->entry.id, std::string("test")).ok());
  EXPECT_FALSE(a.View(admin_.organization_id)->OnOrganizationList(key, now()));
  EXPECT_TRUE(wait_for(false, "remove"));
  EXPECT_GE(b.stats().notifications, 2u);
}

TEST_F(ComplianceDb, CheckerAndSqlAgreeIncludingExpiryAndRegistry) {
  // Organization entries: live, expiring soon, expired, removed.
  std::mt19937_64 rng(7);
  std::vector<std::string> phones;
  // A few area codes: every touched area code is a 1.25 MB bitmap to store.
  const char* kAreas[] = {"206", "425", "212", "312", "503"};
  auto random_phone = [&] {
    return "+1" + std::string(kAreas[rng() % 5]) + std::to_string(2000000 + rng() % 8000000);
  };
  std::string registry;
  Status st = db::RunInTransaction(db_->app_pool(), admin_.Tenant(), [&](db::Transaction& tx) {
    for (int i = 0; i < 2000; ++i) {
      std::string p = random_phone();
      phones.push_back(p);
      std::optional<std::string> expires;
      if (i % 4 == 1) expires = "now() + interval '1 day'";
      if (i % 4 == 2) expires = "now() - interval '1 second'";
      std::string sql =
          "INSERT INTO dnc_list (organization_id, phone, expires_at, removed_at) "
          "VALUES (app_current_org(), $1, " +
          (expires ? *expires : std::string("NULL")) + ", " + (i % 4 == 3 ? "now()" : "NULL") +
          ") ON CONFLICT DO NOTHING";
      auto r = tx.Exec(std::string_view(sql), db::Params().Add(p));
      if (!r.ok()) return r.status();
    }
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  for (int i = 0; i < 3000; ++i) {
    std::string p = random_phone();
    phones.push_back(p);
    if (i % 2 == 0) registry += p.substr(2, 3) + "," + p.substr(5) + "\n";
  }
  RegistryLoadOptions options;
  options.as_of = "2026-01-01";
  ASSERT_TRUE(LoadRegistry(db_->owner_pool(), registry, options).ok());
  for (int i = 0; i < 15000; ++i) phones.push_back(random_phone());

  DncChecker& checker = NewChecker(db_->app_pool());
  auto view = checker.View(admin_.organization_id);
  ASSERT_TRUE(view.ok());
  ASSERT_TRUE(view->national_ready());
  int64_t now = ToUnixMicros(system_clock::now());
  std::vector<bool> sql = SqlCheck(phones);
  ASSERT_EQ(sql.size(), phones.size());
  int listed = 0;
  for (size_t i = 0; i < phones.size(); ++i) {
    uint64_t key = *PhoneKey(phones[i]);
    bool mem = view->OnOrganizationList(key, now) || view->OnNationalRegistry(key);
    EXPECT_EQ(mem, sql[i]) << phones[i];
    listed += sql[i];
  }
  std::printf("checker and is_on_dnc_list agree on %zu numbers (%d listed)\n", phones.size(),
              listed);
  EXPECT_GT(listed, 1500);
}

TEST_F(ComplianceDb, RegistryFullAndChangeFilesRoundTrip) {
  RegistryLoadOptions full;
  full.kind = RegistryFileKind::kFull;
  full.as_of = "2026-03-01";
  full.source_name = "full.txt";
  auto r1 = LoadRegistry(
      db_->owner_pool(),
      "AreaCode,PhoneNumber\n206,5550100\n206,5550101\n425,5550100\r\n425,5550100\n", full);
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_EQ(r1->lines, 4u);
  EXPECT_EQ(r1->added, 3u);
  EXPECT_EQ(r1->area_codes, 2);
  EXPECT_EQ(r1->total, 3u);

  DncChecker& checker = NewChecker(db_->app_pool());
  auto view = checker.View(admin_.organization_id);
  EXPECT_TRUE(view->OnNationalRegistry(12065550100ull));
  EXPECT_TRUE(view->OnNationalRegistry(14255550100ull));
  EXPECT_FALSE(view->OnNationalRegistry(12065550102ull));

  RegistryLoadOptions changes;
  changes.kind = RegistryFileKind::kChanges;
  changes.as_of = "2026-03-02";
  auto r2 =
      LoadRegistry(db_->owner_pool(), "206,5550100,D\n206,5550102,A\n503,5550100,A\n", changes);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->added, 1u);
  EXPECT_EQ(r2->removed, 1u);
  EXPECT_EQ(r2->skipped, 1u) << "503 has no full file: its changes are not applied";
  EXPECT_EQ(r2->total, 3u);

  // A checker that starts now reads the stored snapshot (no source files needed)...
  DncChecker& fresh = NewChecker(db_->app_pool());
  auto v2 = fresh.View(admin_.organization_id);
  EXPECT_FALSE(v2->OnNationalRegistry(12065550100ull));
  EXPECT_TRUE(v2->OnNationalRegistry(12065550101ull));
  EXPECT_TRUE(v2->OnNationalRegistry(12065550102ull));
  EXPECT_FALSE(v2->OnNationalRegistry(15035550100ull));
  EXPECT_EQ(v2->national()->numbers(), 3u);
  // ...and the running one follows the NOTIFY.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (checker.View(admin_.organization_id)->OnNationalRegistry(12065550100ull) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_FALSE(checker.View(admin_.organization_id)->OnNationalRegistry(12065550100ull));
  EXPECT_TRUE(checker.View(admin_.organization_id)->OnNationalRegistry(12065550102ull));
  auto sql = SqlCheck({"+12065550100", "+12065550101", "+12065550102", "+15035550100"});
  EXPECT_EQ(sql, (std::vector<bool>{false, true, true, false}));

  auto status = ReadRegistryStatus(db_->app_pool());
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->area_codes, 2);
  EXPECT_EQ(status->numbers, 3);
  EXPECT_EQ(status->as_of.value_or(""), "2026-03-02") << "a change file refreshes every area code";

  // A malformed line stores nothing.
  auto bad = LoadRegistry(db_->owner_pool(), "206,5550199\nnot a number\n", full);
  EXPECT_EQ(bad.status().code(), StatusCode::kValidationFailed);
  EXPECT_FALSE(SqlCheck({"+12065550199"})[0]);
  auto del_in_full = LoadRegistry(db_->owner_pool(), "206,5550199,D\n", full);
  EXPECT_EQ(del_in_full.status().code(), StatusCode::kValidationFailed);
}

class GateDb : public ComplianceDb {
 protected:
  void SetUp() override {
    ComplianceDb::SetUp();
    gate_ = std::make_unique<ComplianceGate>(db_->app_pool(), Zones());
  }
  void NoRegistryRequired() {
    ASSERT_TRUE(db::RunInTransaction(db_->app_pool(), admin_.Tenant(), [](db::Transaction& tx) {
                  return repo_set(tx);
                }).ok());
  }
  static Status repo_set(db::Transaction& tx) {
    return tx
        .Exec(
            "INSERT INTO system_config (organization_id, key, value) VALUES (app_current_org(), "
            "'compliance.national_registry_required', 'false')")
        .status();
  }
  Decision Decide(const std::string& lead, system_clock::time_point at,
                  Channel channel = Channel::kCall) {
    auto d = gate_->Check(admin_, lead, channel, at);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? *d : Decision{};
  }
  std::unique_ptr<ComplianceGate> gate_;
};

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST_F(GateDb, CallingHoursAtTheEdgesInSeveralZones) {
  NoRegistryRequired();
  struct Case {
    std::string phone;
    std::optional<std::string> tz;
    int utc_offset;  // summer
  };
  std::vector<Case> cases = {{"+12125550101", "America/New_York", -4},
                             {"+14255550102", std::nullopt, -7},  // prefix: Los_Angeles
                             {"+18085550103", "Pacific/Honolulu", -10},
                             {"+13125550104", "America/Chicago", -5}};
  for (const auto& c : cases) {
    std::string lead = InsertLead(c.phone, c.tz);
    auto at = [&](int h, int m) {
      return Utc(2026, 7, 15, h, m) - std::chrono::hours(c.utc_offset);
    };
    EXPECT_FALSE(Decide(lead, at(7, 59)).allowed) << c.phone;
    EXPECT_TRUE(Has(Decide(lead, at(7, 59)).reasons, "calling-hours"));
    EXPECT_TRUE(Decide(lead, at(8, 0)).allowed) << c.phone;
    EXPECT_TRUE(Decide(lead, at(20, 59)).allowed) << c.phone;
    EXPECT_FALSE(Decide(lead, at(21, 0)).allowed) << c.phone;
  }
}

TEST_F(GateDb, MultiZonePrefixMustBeInsideEveryZone) {
  NoRegistryRequired();
  auto zones = Zones()->ZonesFor("+12082990100");
  ASSERT_EQ(zones, (std::vector<std::string>{"America/Boise", "America/Los_Angeles"}));
  std::string lead = InsertLead("+12082990100", std::nullopt);
  EXPECT_FALSE(Decide(lead, Utc(2026, 7, 15, 14, 59)).allowed);  // LA 07:59, Boise 08:59
  EXPECT_TRUE(Decide(lead, Utc(2026, 7, 15, 15, 0)).allowed);    // LA 08:00
  EXPECT_TRUE(Decide(lead, Utc(2026, 7, 16, 2, 59)).allowed);    // Boise 20:59
  Decision late = Decide(lead, Utc(2026, 7, 16, 3, 0));          // Boise 21:00, LA 20:00
  EXPECT_FALSE(late.allowed);
  EXPECT_EQ(late.reasons, std::vector<std::string>{"calling-hours"});
  // The lead's own zone, when set, is the only one checked.
  std::string with_tz = InsertLead("+12082990101", "America/Los_Angeles");
  EXPECT_TRUE(Decide(with_tz, Utc(2026, 7, 16, 3, 0)).allowed);
}

TEST_F(GateDb, ComplianceLogRecordsEveryDecision) {
  NoRegistryRequired();
  std::string lead = InsertLead("+12125550101", "America/New_York");
  Decision ok = Decide(lead, Utc(2026, 7, 15, 16, 0));        // 12:00 New York
  Decision refused = Decide(lead, Utc(2026, 7, 15, 11, 59));  // 07:59
  ASSERT_TRUE(ok.allowed);
  ASSERT_FALSE(refused.allowed);
  auto log = gate_->Log(admin_, lead, std::nullopt, 50);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 2u);
  const ComplianceLogEntry& last = (*log)[0];  // newest first
  EXPECT_EQ(last.id, refused.log_id);
  EXPECT_EQ(last.decision, "blocked");
  EXPECT_EQ(last.reasons_json, "[\"calling-hours\"]");
  EXPECT_EQ(last.phone.value_or(""), "+12125550101");
  EXPECT_EQ(last.decided_at, "2026-07-15T11:59:00Z");
  EXPECT_EQ(last.actor_id.value_or(""), admin_.user_id);
  auto details = json::Parse(last.details_json);
  ASSERT_TRUE(details.ok());
  const json::Value* checked = details->Find("checked");
  ASSERT_NE(checked, nullptr);
  std::vector<std::string> rules;
  for (const auto& c : checked->items()) rules.push_back(c.Find("rule")->as_string());
  EXPECT_EQ(rules, (std::vector<std::string>{"organization_dnc", "national_registry", "consent",
                                             "calling_hours"}));
  const json::Value& hours = checked->items()[3];
  EXPECT_EQ(hours.Find("zone_source")->as_string(), "lead");
  const json::Value& zone = hours.Find("zones")->items()[0];
  EXPECT_EQ(zone.Find("zone")->as_string(), "America/New_York");
  EXPECT_EQ(zone.Find("local_time")->as_string(), "2026-07-15T07:59:00");
  EXPECT_FALSE(zone.Find("inside")->as_bool());
  EXPECT_EQ((*log)[1].decision, "allowed");
  EXPECT_EQ((*log)[1].reasons_json, "[]");

  // Append-only: the server role cannot change or delete a decision.
  Status upd = db::RunInTransaction(db_->app_pool(), admin_.Tenant(), [&](db::Transaction& tx) {
    return tx.Exec("UPDATE compliance_log SET decision = 'allowed'").status();
  });
  EXPECT_EQ(upd.code(), StatusCode::kPermissionDenied);
  Status del = db::RunInTransaction(db_->owner_pool(), admin_.Tenant(), [&](db::Transaction& tx) {
    return tx.Exec("DELETE FROM compliance_log").status();
  });
  EXPECT_EQ(del.code(), StatusCode::kPermissionDenied) << "even the owner, by trigger";
}

TEST_F(GateDb, OrganizationListWithExpiry) {
  NoRegistryRequired();
  std::string lead = InsertLead("+12125550101", "America/New_York");
  DncChecker& checker = NewChecker(db_->app_pool());
  DncService svc(db_->app_pool(), checker);
  auto noon = Utc(2026, 7, 15, 16, 0);
  ASSERT_TRUE(
      svc.Add(admin_, {"(212) 555-0101", "asked", std::nullopt, "2099-01-01T00:00:00Z"}).ok());
  Decision d = Decide(lead, noon);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reasons.front(), "dnc");
  // Past its expiry the entry no longer blocks (the gate compares with its clock).
  EXPECT_TRUE(Decide(lead, Utc(2099, 7, 15, 16, 0)).allowed);
}

TEST_F(GateDb, ConsentRevocationBlocksThatChannel) {
  NoRegistryRequired();
  std::string lead = InsertLead("+12125550101", "America/New_York");
  ConsentService consent(db_->app_pool());
  auto noon = Utc(2026, 7, 15, 16, 0);
  ASSERT_TRUE(consent
                  .Record(admin_, lead,
                          {"call", "I agree to be called", "web_form", "2026-07-01T00:00:00Z",
                           "203.0.113.9", std::nullopt})
                  .ok());
  EXPECT_TRUE(Decide(lead, noon).allowed);
  ASSERT_TRUE(consent
                  .Revoke(admin_, lead,
                          {"sms", "replied no texts", "sms", "2026-07-02T00:00:00Z", std::nullopt})
                  .ok());
  EXPECT_TRUE(Decide(lead, noon).allowed) << "an SMS revocation leaves calls alone";
  Decision sms = Decide(lead, noon, Channel::kSms);
  EXPECT_FALSE(sms.allowed);
  EXPECT_EQ(sms.reasons.front(), "consent-revoked");
  ASSERT_TRUE(consent
                  .Revoke(admin_, lead,
                          {"all", std::nullopt, "verbal", "2026-07-03T00:00:00Z", std::nullopt})
                  .ok());
  EXPECT_EQ(Decide(lead, noon).reasons, std::vector<std::string>{"consent-revoked"});
  // New consent after the revocation restores the channel.
  ASSERT_TRUE(consent
                  .Record(admin_, lead,
                          {"call", "I agree again", "recording", "2026-07-04T00:00:00Z",
                           std::nullopt, std::nullopt})
                  .ok());
  EXPECT_TRUE(Decide(lead, noon).allowed);
  auto listed = consent.List(admin_, lead);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->first.size(), 2u);
  EXPECT_EQ(listed->second.size(), 2u);
  EXPECT_EQ(
      consent.Record(admin_, lead, {"fax", "", "smoke", std::nullopt, std::nullopt, std::nullopt})
          .status()
          .field_errors()
          .size(),
      3u);
}

TEST_F(GateDb, StaleOrMissingRegistryBlocks) {
  std::string lead = InsertLead("+12065550100", "America/Los_Angeles");
  auto noon = Utc(2026, 7, 15, 19, 0);  // 12:00 Los Angeles
  Decision none = Decide(lead, noon);
  EXPECT_EQ(none.reasons, std::vector<std::string>{"registry-stale"})
      << "required by default and never loaded";

  RegistryLoadOptions o;
  o.as_of = "2026-06-01";  // 44 days before
  ASSERT_TRUE(LoadRegistry(db_->owner_pool(), "206,5550199\n", o).ok());
  Decision stale = Decide(lead, noon);
  EXPECT_EQ(stale.reasons, std::vector<std::string>{"registry-stale"});
  EXPECT_NE(stale.detail.find("44 days"), std::string::npos) << stale.detail;
  o.as_of = "2026-06-14";  // 31 days: still fresh enough
  ASSERT_TRUE(LoadRegistry(db_->owner_pool(), "206,5550199\n", o).ok());
  EXPECT_TRUE(Decide(lead, noon).allowed);
  EXPECT_FALSE(Decide(lead, Utc(2026, 7, 16, 19, 0)).allowed) << "32 days";

  o.kind = RegistryFileKind::kChanges;
  o.as_of = "2026-07-15";
  ASSERT_TRUE(LoadRegistry(db_->owner_pool(), "206,5550100,A\n", o).ok());
  Decision listed = Decide(lead, noon);
  EXPECT_EQ(listed.reasons, std::vector<std::string>{"dnc"});
  EXPECT_NE(listed.detail.find("national"), std::string::npos);

  // An area code without registry data: blocked when required, a warning otherwise.
  std::string other = InsertLead("+14255550100", "America/Los_Angeles");
  EXPECT_EQ(Decide(other, noon).reasons, std::vector<std::string>{"registry-stale"});
  NoRegistryRequired();
  Decision warned = Decide(other, noon);
  EXPECT_TRUE(warned.allowed);
  ASSERT_EQ(warned.warnings.size(), 1u);
}

TEST_F(GateDb, UnknownLeadsAndMissingPhones) {
  auto missing = gate_->Check(admin_, "123e4567-e89b-12d3-a456-426614174000", Channel::kCall,
                              system_clock::now());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  std::string no_phone;
  ASSERT_TRUE(db::RunInTransaction(db_->app_pool(), admin_.Tenant(), [&](db::Transaction& tx) {
                auto r = tx.Exec(
                    "INSERT INTO leads (organization_id, email) VALUES "
                    "(app_current_org(), 'x@example.com') RETURNING id");
                if (!r.ok()) return r.status();
                no_phone = std::string(r->Get(0, 0));
                return Status::Ok();
              }).ok());
  auto d = gate_->Check(admin_, no_phone, Channel::kCall, system_clock::now());
  EXPECT_EQ(d.status().code(), StatusCode::kValidationFailed);
  // Another organization's lead reads as missing.
  auto other = db_->CreateOrganization("Other", "o@example.com");
  auth::Principal stranger{other.organization_id, other.user_id, auth::Role::kAdmin};
  EXPECT_EQ(gate_->Check(stranger, no_phone, Channel::kCall, system_clock::now()).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace leadline::dnc
