// The demo organization loaded by `leadline seed --demo` and `leadline serve --seed-demo`.
#pragma once

#include <string>

#include "core/status.h"
#include "db/pool.h"

namespace leadline::seed {

inline constexpr char kDemoOrganization[] = "Leadline Demo";
inline constexpr char kDemoAdminEmail[] = "admin@leadline.demo";
inline constexpr char kDemoPassword[] = "leadline-demo";

struct DemoSeedResult {
  std::string organization_id;
  bool created = false;  // false: it already existed and nothing was changed
};

// Creates the demo organization, its four users and the rows of db/seeds/demo.sql, unless
// an organization of that name exists. `owner_pool` connects as the migration owner.
Result<DemoSeedResult> SeedDemo(db::Pool& owner_pool);

}  // namespace leadline::seed
