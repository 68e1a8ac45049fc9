// The embedded PostgreSQL cluster: first start, data kept across restarts, clear errors.
#include "db/embedded_cluster.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "core/process.h"
#include "db/connection.h"

namespace leadline {
namespace {

namespace fs = std::filesystem;

// A scratch directory under /tmp that the postgres system user can enter when we are root.
class ScratchDir {
 public:
  ScratchDir() {
    char tmpl[] = "/tmp/leadline-embedded-XXXXXX";
    path_ = mkdtemp(tmpl);
    fs::permissions(path_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(EmbeddedCluster, StartsKeepsDataAndStops) {
  ScratchDir dir;
  db::EmbeddedClusterOptions options;
  options.data_dir = dir.path() + "/var";
  {
    db::EmbeddedCluster cluster(options);
    Status st = cluster.Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_TRUE(cluster.started_here());
    auto conn = db::Connection::Open(cluster.conninfo());
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    ASSERT_TRUE(
        (*conn)->ExecScript("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)").ok());
    // No TCP listener: only the socket inside the data directory.
    auto addr = (*conn)->Exec("SELECT current_setting('listen_addresses')");
    ASSERT_TRUE(addr.ok());
    EXPECT_EQ(addr->Get(0, 0), "");
    ASSERT_TRUE(cluster.Stop().ok());
  }
  EXPECT_FALSE(fs::exists(options.data_dir + "/pgdata/postmaster.pid")) << "stopped on exit";
  {
    db::EmbeddedCluster cluster(options);
    ASSERT_TRUE(cluster.Start().ok());
    auto conn = db::Connection::Open(cluster.conninfo());
    ASSERT_TRUE(conn.ok());
    auto rows = (*conn)->Exec("SELECT v FROM kept");
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_EQ(rows->Get(0, 0), "42") << "data survives a restart";

    // A second user of the same directory finds it running and leaves it running.
    db::EmbeddedCluster second(options);
    ASSERT_TRUE(second.Start().ok());
    EXPECT_FALSE(second.started_here());
    ASSERT_TRUE(second.Stop().ok());
    auto still = db::Connection::Open(cluster.conninfo());
    EXPECT_TRUE(still.ok()) << "the second user did not stop the first one's cluster";
  }
}

TEST(EmbeddedCluster, MissingBinariesGiveAClearError) {
  ScratchDir dir;
  db::EmbeddedClusterOptions options;
  options.data_dir = dir.path() + "/var";
  options.bin_dir = dir.path() + "/no-such-bin";
  db::EmbeddedCluster cluster(options);
  Status st = cluster.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_NE(st.message().find("PostgreSQL server binaries not found"), std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("DATABASE_URL"), std::string::npos) << "says what to do instead";
}

TEST(EmbeddedCluster, DirectoryOwnedBySomeoneElseIsRefused) {
  ScratchDir dir;
  std::string pgdata = dir.path() + "/var/pgdata";
  fs::create_directories(pgdata);
  // Give the directory to a user that is not the one the cluster runs as.
  struct passwd* nobody = getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  if (!IsRoot()) GTEST_SKIP() << "only root can give a directory away";
  ASSERT_EQ(chown(pgdata.c_str(), nobody->pw_uid, nobody->pw_gid), 0);
  db::EmbeddedClusterOptions options;
  options.data_dir = dir.path() + "/var";
  db::EmbeddedCluster cluster(options);
  Status st = cluster.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("belongs to user 'nobody'"), std::string::npos) << st.message();
}

TEST(DatabaseLocation, DatabaseUrlStartsNothing) {
  ScratchDir dir;
  setenv("DATABASE_URL", "postgresql:///nowhere?host=/nonexistent", 1);
  db::DatabaseLocation loc;
  Status st = loc.Open(dir.path() + "/var");
  unsetenv("DATABASE_URL");
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(loc.embedded());
  EXPECT_EQ(loc.conninfo(), "postgresql:///nowhere?host=/nonexistent");
  EXPECT_FALSE(fs::exists(dir.path() + "/var")) << "no cluster directory was created";
}

}  // namespace
}  // namespace leadline
