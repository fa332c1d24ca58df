//===- UserDirsTest.cpp - Home and cache directories ----------------------===//
//
// With HOME unset (a cron job, `env -i`), the trainer cache and the data
// sets must not land in the current directory (issue 17, class 2).
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Driver/Trainers.h"
#include "ccrnn/Runtime/Idx.h"
#include "ccrnn/Runtime/UserDirs.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <pwd.h>
#include <unistd.h>

namespace {

// Sets or unsets variables for one test and restores them after it.
class Environment : public ::testing::Test {
protected:
  void set(const char *name, const char *value) {
    if (!saved.count(name)) {
      const char *old = std::getenv(name);
      saved[name] = old ? std::optional<std::string>(old) : std::nullopt;
    }
    if (value)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  void TearDown() override {
    for (const auto &[name, value] : saved)
      if (value)
        setenv(name.c_str(), value->c_str(), 1);
      else
        unsetenv(name.c_str());
  }
  void unsetAll() {
    for (const char *name :
         {"HOME", "XDG_CACHE_HOME", "CCRNN_CACHE_DIR", "CCRNN_DATA_DIR"})
      set(name, nullptr);
  }
  static std::string passwordHome() {
    const struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_dir ? pw->pw_dir : "";
  }

private:
  std::map<std::string, std::optional<std::string>> saved;
};

TEST_F(Environment, HomeUnsetIsThePasswordDatabasesHome) {
  unsetAll();
  ASSERT_FALSE(passwordHome().empty());
  EXPECT_EQ(ccrnn::homeDirectory(), passwordHome());
  EXPECT_EQ(ccrnn::driver::defaultCacheDir(),
            passwordHome() + "/.cache/ccrnn/trainers");
  EXPECT_EQ(ccrnn::idx::defaultDataDir("mnist"),
            passwordHome() + "/.cache/ccrnn/data/mnist");
}

TEST_F(Environment, RelativeDirectoriesAreIgnored) {
  unsetAll();
  set("HOME", ".");
  set("XDG_CACHE_HOME", "cache");
  EXPECT_EQ(ccrnn::homeDirectory(), passwordHome());
  EXPECT_EQ(ccrnn::userCacheDirectory(), passwordHome() + "/.cache");
  EXPECT_EQ(ccrnn::driver::defaultCacheDir(),
            passwordHome() + "/.cache/ccrnn/trainers");
}

TEST_F(Environment, VariablesChooseTheDirectories) {
  unsetAll();
  set("HOME", "/home/a");
  EXPECT_EQ(ccrnn::driver::defaultCacheDir(), "/home/a/.cache/ccrnn/trainers");
  set("XDG_CACHE_HOME", "/xdg");
  EXPECT_EQ(ccrnn::driver::defaultCacheDir(), "/xdg/ccrnn/trainers");
  // The data sets stay in HOME's .cache, where install-data.sh puts them.
  EXPECT_EQ(ccrnn::idx::defaultDataDir("mnist"),
            "/home/a/.cache/ccrnn/data/mnist");
  set("CCRNN_CACHE_DIR", "/c");
  EXPECT_EQ(ccrnn::driver::defaultCacheDir(), "/c");
}

} // namespace
