#include "seed/demo_seed.h"

#include "auth/auth_service.h"
#include "db/embedded_sql.h"
#include "db/transaction.h"

namespace leadline::seed {

Result<DemoSeedResult> SeedDemo(db::Pool& owner_pool) {
  DemoSeedResult result;
  {
    ASSIGN_OR_RETURN(auto conn, owner_pool.Acquire());
    ASSIGN_OR_RETURN(db::Rows rows, conn->Exec("SELECT id FROM organizations WHERE name = $1",
                                               db::Params().Add(kDemoOrganization)));
    if (!rows.empty()) {
      result.organization_id = rows.Get(0, 0);
      return result;
    }
  }
  auth::AuthService auth(owner_pool);
  ASSIGN_OR_RETURN(auth::NewOrganization org,
                   auth.CreateOrganization(kDemoOrganization, kDemoAdminEmail, kDemoPassword));
  result.organization_id = org.organization_id;
  result.created = true;
  auth::Principal admin{org.organization_id, org.user_id, auth::Role::kAdmin};
  struct DemoUser {
    const char* email;
    const char* role;
    const char* name;
  };
  for (const DemoUser& u : {DemoUser{"manager@leadline.demo", "manager", "Maria Manager"},
                            DemoUser{"agent1@leadline.demo", "agent", "Alex Agent"},
                            DemoUser{"agent2@leadline.demo", "agent", "Sam Agent"}}) {
    ASSIGN_OR_RETURN(auth::User created,
                     auth.CreateUser(admin, u.email, kDemoPassword, u.role, std::string(u.name)));
  }
  db::TenantContext ctx = admin.Tenant("system");
  RETURN_IF_ERROR(db::RunInTransaction(owner_pool, ctx, [&](db::Transaction& tx) -> Status {
    for (const auto& file : db::EmbeddedSeedFiles()) {
      if (file.name != "demo.sql") continue;
      Status st = tx.connection().ExecScript(file.text);
      if (!st.ok()) return Status(st.code(), "demo.sql: " + st.message());
    }
    return Status::Ok();
  }));
  return result;
}

}  // namespace leadline::seed
