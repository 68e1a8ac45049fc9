// SQL files compiled into the binary (see cmake/embed_sql.cmake).
#pragma once

#include <string_view>
#include <vector>

namespace leadline::db {

struct EmbeddedFile {
  std::string_view name;  // file name, e.g. "0001_identity.up.sql"
  std::string_view text;
};

// db/migrations/*.sql sorted by name.
const std::vector<EmbeddedFile>& EmbeddedMigrationFiles();
// db/seeds/*.sql sorted by name.
const std::vector<EmbeddedFile>& EmbeddedSeedFiles();

}  // namespace leadline::db
